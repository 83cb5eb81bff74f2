"""``symnet.config``: the memory-pool switch and its environment variable."""
from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from symnet import config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _pool_flag(env_value: str | None) -> str:
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("SYMNET_MEMORY_POOL", None)
    if env_value is not None:
        env["SYMNET_MEMORY_POOL"] = env_value
    code = "import symnet; print(symnet.config.memory_pool)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True).stdout.strip()


def test_environment_variable_turns_the_pool_off():
    assert _pool_flag("0") == "False"


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the pool adjusts glibc only")
def test_pool_is_on_by_default_with_glibc():
    assert _pool_flag(None) == "True"
    assert config.retain_freed_memory() is True


@pytest.mark.skipif(sys.platform.startswith("linux"), reason="Linux may adjust its allocator")
def test_pool_changes_nothing_elsewhere():
    assert config.retain_freed_memory() is False


def _threads(env_value: str | None) -> tuple[str, str]:
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("SYMNET_NUM_THREADS", None)
    if env_value is not None:
        env["SYMNET_NUM_THREADS"] = env_value
    code = "import symnet; print(symnet.config.num_threads)"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    return run.stdout.strip(), run.stderr


def test_num_threads_defaults_to_the_usable_cpus():
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert _threads(None) == (str(usable), "")


def test_num_threads_from_the_environment():
    assert _threads("1") == ("1", "")
    assert _threads("5") == ("5", "")


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_bad_num_threads_warns_and_uses_the_default(value):
    out, err = _threads(value)
    assert out == _threads(None)[0]
    assert "SYMNET_NUM_THREADS" in err and "not a positive integer" in err
