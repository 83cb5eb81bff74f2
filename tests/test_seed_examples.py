"""Every runnable example of the seed document, verbatim, with ``import symnet as mx``.

``tests/fixtures/seed_symbol.md`` is a copy of ``shared/seed/symbol.md``. Each ``>>>`` block of
the listed sections runs as a doctest; ``mxnet`` in sources and expected output reads
``symnet``. Sections that later issues cover are added to ``SECTIONS`` as they land.
"""
from __future__ import annotations

import doctest
import os
import re
import textwrap

SEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "seed_symbol.md")
SECTIONS = ["Basic Composition of Symbols", "More Complicated Composition",
            "Argument Shape Inference"]


def _blocks(section: str) -> list[str]:
    text = open(SEED, encoding="utf-8").read()
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return [textwrap.dedent(b) for b in re.findall(r"```python\n(.*?)```", body, re.S)]


def _run(block: str, globs: dict) -> None:
    source = block.replace("mxnet", "symnet")
    test = doctest.DocTestParser().get_doctest(source, globs, "seed", SEED, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
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
        for block in blocks:
            _run(block, globs)
