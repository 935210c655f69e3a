"""Exact expected output of `govern evaluate` for representative decisions, in every format
that renders a single decision. Regenerate after an intended change with:

    GOVERN_UPDATE_GOLDEN=1 python -m pytest tests/core/test_golden_output.py

and review the diff like any other change: it is what users will see.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govern.formats import DECISION_FORMATS
from tests.support import AS_OF, RunLine

GOLDEN = Path(__file__).parent / "golden"
CASES = [
    ("glm-5.2", "refactoring", "eu-regulated-enterprise"),
    ("glm-5.2", "refactoring", "us-enterprise"),
    ("glm-5.2", "refactoring", "cost-sensitive-startup"),
    ("claude-fable-5", "software-development", "eu-regulated-enterprise"),
    ("claude-opus-4.8", "software-development", "us-enterprise"),
    ("deepseek-v4-pro", "document-analysis", "cost-sensitive-startup"),
    ("glm-5.2", "advanced-cybersecurity", "eu-regulated-enterprise"),
]
EXTENSIONS = {"text": "txt", "json": "json", "markdown": "md"}


@pytest.mark.parametrize("format_name", sorted(DECISION_FORMATS))
@pytest.mark.parametrize(("model", "task", "profile"), CASES)
def test_output_matches_the_golden_file(run_line: RunLine, model: str, task: str, profile: str,
                                        format_name: str) -> None:
    result = run_line(["evaluate", "--model", model, "--task", task, "--profile", profile,
                       "--as-of", AS_OF.isoformat(), "--format", format_name])
    assert result.exit_code in (0, 1), result.stderr
    path = GOLDEN / f"{model}--{task}--{profile}.{EXTENSIONS.get(format_name, format_name)}"
    if os.environ.get("GOVERN_UPDATE_GOLDEN"):
        path.write_text(result.stdout)
    assert path.exists(), f"no golden file {path.name}: run with GOVERN_UPDATE_GOLDEN=1"
    assert result.stdout == path.read_text()
