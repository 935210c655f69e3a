"""Renderers of decisions and of check reports. Each format only renders: it decides nothing
and reads no files.

``DECISION_FORMATS`` (``govern evaluate``), ``CHECK_FORMATS`` (``govern check``),
``MATRIX_FORMATS`` (``govern matrix``) and ``DIFF_FORMATS`` (``govern diff``) map a
``--format`` name to its renderer, so the CLI's choices and its dispatch come from one table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from govern.ci.check import CheckReport
from govern.core import Decision
from govern.formats.check_json import render_check_json
from govern.formats.check_text import render_check_text
from govern.formats.diff_html import render_diff_html
from govern.formats.diff_json import render_diff_json
from govern.formats.diff_markdown import render_diff_markdown
from govern.formats.diff_text import render_diff_text
from govern.formats.github import render_check_github
from govern.formats.json_format import render_decision_json
from govern.formats.junit import render_check_junit
from govern.formats.markdown import render_check_markdown, render_decision_markdown
from govern.formats.matrix_html import render_matrix_html
from govern.formats.matrix_json import render_matrix_json, render_matrix_jsonl
from govern.formats.matrix_tables import render_matrix_csv, render_matrix_markdown
from govern.formats.matrix_text import render_matrix_text
from govern.formats.sarif import render_check_sarif
from govern.formats.text import render_decision_text
from govern.matrix import MatrixResult
from govern.matrix.diff import MatrixDiff

DecisionRenderer = Callable[[Decision, bool], str]
"""(decision, colour) -> the text to print."""

DECISION_FORMATS: dict[str, DecisionRenderer] = {
    "text": render_decision_text,
    "json": lambda decision, color: render_decision_json(decision),
    "markdown": lambda decision, color: render_decision_markdown(decision),
}

CheckRenderer = Callable[[CheckReport], str]
"""check report -> the text to print or write to ``--output``."""

CHECK_FORMATS: dict[str, CheckRenderer] = {
    "text": render_check_text,
    "json": render_check_json,
    "sarif": render_check_sarif,
    "junit": render_check_junit,
    "markdown": render_check_markdown,
    "github": render_check_github,
}

MatrixRenderer = Callable[[MatrixResult, bool], Iterator[str]]
"""(matrix, colour) -> the text, in pieces (a large matrix is written as it is rendered)."""

MATRIX_FORMATS: dict[str, MatrixRenderer] = {
    "text": render_matrix_text,
    "csv": render_matrix_csv,
    "json": render_matrix_json,
    "jsonl": render_matrix_jsonl,
    "markdown": render_matrix_markdown,
    "html": render_matrix_html,
}

DiffRenderer = Callable[[MatrixDiff, bool], str]
"""(diff, colour) -> the report."""

DIFF_FORMATS: dict[str, DiffRenderer] = {
    "text": render_diff_text,
    "markdown": render_diff_markdown,
    "json": render_diff_json,
    "html": render_diff_html,
}
