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
