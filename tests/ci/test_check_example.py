"""The example project under examples/ci: its reports are golden files, and docs/ci.md quotes
them, so the documentation stays true.

Regenerate the golden files after an intended change with:

    GOVERN_UPDATE_GOLDEN=1 python -m pytest tests/ci/test_check_example.py

then paste the changed outputs into docs/ci.md (the docs test says which block differs).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.support import AS_OF, REPO, RunLine

EXAMPLE = REPO / "examples" / "ci"
GOLDEN = Path(__file__).parent / "golden"
SUFFIX = {"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml",
          "markdown": "md", "github": "github.txt"}
DOCS = REPO / "docs" / "ci.md"


def example_report(run_line: RunLine, fmt: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(EXAMPLE)
    result = run_line(["check", "--as-of", AS_OF.isoformat(), "--format", fmt])
    assert result.exit_code == 1, result.output  # the example shows a failing entry on purpose
    return str(result.stdout)


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_example_report_matches_golden(run_line: RunLine, monkeypatch: pytest.MonkeyPatch,
                                       fmt: str) -> None:
    out = example_report(run_line, fmt, monkeypatch)
    path = GOLDEN / f"example.{SUFFIX[fmt]}"
    if os.environ.get("GOVERN_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with GOVERN_UPDATE_GOLDEN=1"
    assert out == path.read_text(encoding="utf-8")


def fenced_blocks(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^```[a-z]*\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)]


@pytest.mark.parametrize("fmt", ["text", "github", "markdown", "junit"])
def test_docs_quote_the_real_output(run_line: RunLine, monkeypatch: pytest.MonkeyPatch,
                                    fmt: str) -> None:
    out = example_report(run_line, fmt, monkeypatch)
    assert out in fenced_blocks(DOCS.read_text(encoding="utf-8")), \
        f"docs/ci.md does not quote the current {fmt} output of examples/ci"


def test_docs_quote_the_example_files() -> None:
    blocks = fenced_blocks(DOCS.read_text(encoding="utf-8"))
    for path in [EXAMPLE / "govern.yaml",
                 EXAMPLE / "catalog" / "waivers" / "anthropic-migration-dpa.yaml"]:
        assert path.read_text(encoding="utf-8") in blocks, path.name
