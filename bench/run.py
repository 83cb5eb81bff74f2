"""Run every benchmark and print symnet side by side with the peers that are installed.

    python bench/run.py            # every benchmark, 3 s per measurement
    python bench/run.py --quick    # 1 s per measurement

Run it on a quiet machine: NumPy's OpenBLAS threads spin-wait, so other busy processes make
symnet's numbers collapse (set OPENBLAS_NUM_THREADS=1 for steadier, lower, numbers).

MXNet 1.9.1 is found through the oracle environment (``SYMNET_ORACLE_PYTHON``, or
``../shared/tools/mxnet-oracle/oracle path``); PyTorch is used when ``import torch`` works.
Each measurement runs in its own process so frameworks do not share threads or caches.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BATCHES = (32, 100, 1000)
TARGETS = {32: 2.0, 100: 2.0, 1000: 1.3}  # symnet / MXNet samples/s targets (issue 4)


def _oracle_python() -> str | None:
    path = os.environ.get("SYMNET_ORACLE_PYTHON")
    if path:
        return path
    oracle = os.path.join(ROOT, "..", "shared", "tools", "mxnet-oracle", "oracle")
    if not os.path.exists(oracle):
        return None
    try:
        path = subprocess.run([oracle, "path"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return path if os.path.exists(path) else None


def _has_torch() -> bool:
    return subprocess.run([sys.executable, "-c", "import torch"],
                          capture_output=True).returncode == 0


def _run(python: str, script: str, args: list[str]) -> float | None:
    env = dict(os.environ, PYTHONPATH=ROOT, MXNET_SUBGRAPH_VERBOSE="0")
    done = subprocess.run([python, os.path.join(HERE, script)] + args, capture_output=True,
                          text=True, env=env)
    if done.returncode != 0:
        print(f"  {script} {' '.join(args)} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])["samples_per_s"]


def _measure(python: str, framework: str, batch: int, seconds: float) -> float | None:
    return _run(python, "mlp.py", ["--framework", framework, "--batch", str(batch),
                                   "--seconds", str(seconds)])


CONVNETS = (("lenet", "LeNet training, batch 64", 1.0),
            ("resnet20", "CIFAR ResNet-20 + BatchNorm training, batch 32", 1.0),
            ("resnet18", "ResNet-18 inference, batch 8", 1.0))


def _convnets(oracle: str | None, seconds: float, torch: bool = False) -> None:
    print("\nConvolutional networks, samples/s")
    header = f"{'model':<48} {'symnet':>9}"
    if oracle:
        header += f" {'mxnet':>9}"
    if torch:
        header += f" {'torch':>9}"
    if oracle:
        header += f" {'symnet/mxnet':>13} {'target':>7}"
    print(header)
    for model, title, target in CONVNETS:
        args = ["--model", model, "--seconds", str(seconds)]
        ours = _run(sys.executable, "convnets.py", ["--framework", "symnet"] + args)
        row = f"{title:<48} {ours or 0:>9,.1f}"
        theirs = _run(oracle, "convnets.py", ["--framework", "mxnet"] + args) if oracle else None
        if oracle:
            row += f" {theirs or 0:>9,.1f}"
        if torch:
            rate = _run(sys.executable, "convnets.py", ["--framework", "torch"] + args)
            row += f" {rate or 0:>9,.1f}"
        if ours and theirs:
            row += f" {ours / theirs:>12.2f}x {target:>6.1f}x"
        print(row, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1 s per measurement")
    args = parser.parse_args()
    seconds = 1.0 if args.quick else 3.0
    peers = [("symnet", sys.executable)]
    oracle = _oracle_python()
    if oracle:
        peers.append(("mxnet", oracle))
    if _has_torch():
        peers.append(("torch", sys.executable))
    print("MLP 784-128-64-10 training step (forward + backward + SGD), samples/s")
    header = f"{'batch':>6} " + " ".join(f"{name:>12}" for name, _ in peers)
    if oracle:
        header += f" {'symnet/mxnet':>13} {'target':>7}"
    print(header)
    for batch in BATCHES:
        rates = {name: _measure(py, name, batch, seconds) for name, py in peers}
        row = f"{batch:>6} " + " ".join(
            f"{rates[name]:>12,.0f}" if rates[name] else f"{'-':>12}" for name, _ in peers)
        if oracle and rates["symnet"] and rates.get("mxnet"):
            row += f" {rates['symnet'] / rates['mxnet']:>12.2f}x {TARGETS[batch]:>6.1f}x"
        print(row, flush=True)
    _convnets(oracle, seconds, _has_torch())
    print()
    subprocess.run([sys.executable, os.path.join(HERE, "overhead.py")], check=False)


if __name__ == "__main__":
    main()
