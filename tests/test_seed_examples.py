"""Every runnable example of the seed document, verbatim, with ``import symnet as mx``.

``tests/fixtures/seed_symbol.md`` is a copy of ``shared/seed/symbol.md``. Each ``>>>`` block of
the listed sections runs as a doctest; ``mxnet`` in sources and expected output reads
``symnet``. Sections that later issues cover are added to ``SECTIONS`` as they land.

The document predates two things, which the checks account for explicitly:

* its arrays print as NumPy 1.13 did (``[ 8.  8.  8.]``), so those sections run under
  ``np.printoptions(legacy="1.13")``;
* it shows no output for ``c_exec.forward()``, which in MXNet 1.x (and here) returns the list of
  outputs that an interactive session echoes; that one empty expectation accepts the echo;
* it shows ``x.asnumpy()`` as ``print`` would (``[ 8.  8.  8.]``), where a session echoes the
  repr (``array([ 8.,  8.,  8.], dtype=float32)``): such a pair matches when the numbers do.

The second block of "Bind the Symbols and Run" is pseudo-code (``net = some symbol``), which
MXNet cannot run either; ``test_bind_pattern`` runs the pattern it describes.
"""
from __future__ import annotations

import doctest
import os
import re
import textwrap

import numpy as np

SEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "seed_symbol.md")
SECTIONS = ["Basic Composition of Symbols", "More Complicated Composition",
            "Argument Shape Inference", "Bind the Symbols and Run"]
LEGACY_PRINT = {"Bind the Symbols and Run"}
PSEUDO_CODE = "net = some symbol"


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|nan|inf")


class _SeedChecker(doctest.OutputChecker):
    """Doctest's checker, plus the document's two habits (see the module docstring)."""

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        if want == "" and got.startswith("[") and "<NDArray" in got:
            return True  # the echo of forward()'s outputs
        if want.startswith("[") and got.startswith("array("):  # print form against repr
            values = got.split("dtype=")[0]
            return _NUMBER.findall(want) == _NUMBER.findall(values)
        return super().check_output(want, got, optionflags)


def _blocks(section: str) -> list[str]:
    text = open(SEED, encoding="utf-8").read()
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return [textwrap.dedent(b) for b in re.findall(r"```python\n(.*?)```", body, re.S)]


def _run(block: str, globs: dict) -> None:
    source = block.replace("mxnet", "symnet")
    test = doctest.DocTestParser().get_doctest(source, globs, "seed", SEED, 0)
    runner = doctest.DocTestRunner(checker=_SeedChecker(),
                                   optionflags=doctest.NORMALIZE_WHITESPACE)
    failures = []
    runner.run(test, out=failures.append, clear_globs=False)
    globs.update(test.globs)  # DocTest works on a copy; carry the session on
    assert runner.failures == 0, "".join(failures)


def test_seed_sections_run_verbatim():
    """The document is one interactive session: later blocks use the first block's import."""
    globs: dict = {}
    for section in SECTIONS:
        blocks = _blocks(section)
        assert blocks, f"no examples found in section {section!r}"
        legacy = "1.13" if section in LEGACY_PRINT else False
        for block in blocks:
            if PSEUDO_CODE in block:
                continue
            with np.printoptions(legacy=legacy):
                _run(block, globs)


def test_checker_allowances_are_narrow():
    """The checker accepts only the echo of forward() and numbers equal to the printed ones."""
    checker = _SeedChecker()
    assert checker.check_output("", "[\n[ 8.  8.  8.]\n<NDArray 3 @cpu(0)>]\n", 0)
    assert not checker.check_output("", "8\n", 0)
    assert not checker.check_output("[ 8.  8.  8.]\n", "[ 8.  8.  9.]\n", 0)
    assert checker.check_output("[ 8.  8.  8.]\n", "array([ 8.,  8.,  8.], dtype=float32)\n", 0)
    assert not checker.check_output("[ 8.  8.  8.]\n", "array([ 8.,  8.,  9.], dtype=float32)\n",
                                    0)
    assert not checker.check_output("[ 8.  8.  8.]\n", "array([ 8.,  8.], dtype=float32)\n", 0)


def test_bind_pattern():
    """The pseudo-code block's pattern: simple_bind a net, forward, backward."""
    import symnet as mx
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=4, name="fc")
    net = mx.sym.SoftmaxOutput(net, name="softmax")
    texec = net.simple_bind(mx.cpu(), data=(2, 3))
    texec.forward()
    texec.backward()
    assert texec.grad_dict["fc_weight"].shape == (4, 3)
