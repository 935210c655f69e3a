"""Renderers of decisions and of check reports. Each format only renders: it decides nothing
and reads no files.

``DECISION_FORMATS`` (``govern evaluate``), ``CHECK_FORMATS`` (``govern check``),
``TEST_FORMATS`` (``govern test``), ``MATRIX_FORMATS`` (``govern matrix``) and
``DIFF_FORMATS`` (``govern diff``) map a ``--format`` name to its renderer, so the CLI's
choices and its dispatch come from one table. Each entry imports its format's module when it
is called, not when this table is imported: ``govern evaluate`` starts without the check
report's and the policy tests' models, the SARIF and JUnit writers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govern.check.report import CheckReport
    from govern.core import Decision
    from govern.matrix import MatrixResult
    from govern.matrix.diff import MatrixDiff
    from govern.policy_tests.runner import TestRun

DecisionRenderer = Callable[["Decision", bool], str]
"""(decision, colour) -> the text to print."""


def _decision_text(decision: Decision, color: bool) -> str:
    from govern.formats.text import render_decision_text

    return render_decision_text(decision, color)


def _decision_json(decision: Decision, color: bool) -> str:
    from govern.formats.json_format import render_decision_json

    return render_decision_json(decision)


def _decision_markdown(decision: Decision, color: bool) -> str:
    from govern.formats.markdown import render_decision_markdown

    return render_decision_markdown(decision)


DECISION_FORMATS: dict[str, DecisionRenderer] = {
    "text": _decision_text,
    "json": _decision_json,
    "markdown": _decision_markdown,
}

CheckRenderer = Callable[["CheckReport"], str]
"""check report -> the text to print or write to ``--output``."""


def _check_text(report: CheckReport) -> str:
    from govern.formats.check_text import render_check_text

    return render_check_text(report)


def _check_json(report: CheckReport) -> str:
    from govern.formats.check_json import render_check_json

    return render_check_json(report)


def _check_sarif(report: CheckReport) -> str:
    from govern.formats.sarif import render_check_sarif

    return render_check_sarif(report)


def _check_junit(report: CheckReport) -> str:
    from govern.formats.junit import render_check_junit

    return render_check_junit(report)


def _check_markdown(report: CheckReport) -> str:
    from govern.formats.markdown import render_check_markdown

    return render_check_markdown(report)


def _check_github(report: CheckReport) -> str:
    from govern.formats.github import render_check_github

    return render_check_github(report)


CHECK_FORMATS: dict[str, CheckRenderer] = {
    "text": _check_text,
    "json": _check_json,
    "sarif": _check_sarif,
    "junit": _check_junit,
    "markdown": _check_markdown,
    "github": _check_github,
}

TestRenderer = Callable[["TestRun", bool], str]
"""(policy test run, verbose) -> the text to print."""


def _test_text(run: TestRun, verbose: bool) -> str:
    from govern.formats.policy_tests import render_test_text

    return render_test_text(run, verbose)


def _test_json(run: TestRun, verbose: bool) -> str:
    from govern.formats.policy_tests import render_test_json

    return render_test_json(run, verbose)


def _test_junit(run: TestRun, verbose: bool) -> str:
    from govern.formats.policy_tests import render_test_junit

    return render_test_junit(run, verbose)


TEST_FORMATS: dict[str, TestRenderer] = {
    "text": _test_text,
    "json": _test_json,
    "junit": _test_junit,
}

MatrixRenderer = Callable[["MatrixResult", bool], Iterator[str]]
"""(matrix, colour) -> the text, in pieces (a large matrix is written as it is rendered)."""


def _matrix_text(result: MatrixResult, color: bool) -> Iterator[str]:
    from govern.formats.matrix_text import render_matrix_text

    return render_matrix_text(result, color)


def _matrix_csv(result: MatrixResult, color: bool) -> Iterator[str]:
    from govern.formats.matrix_tables import render_matrix_csv

    return render_matrix_csv(result)


def _matrix_json(result: MatrixResult, color: bool) -> Iterator[str]:
    from govern.formats.matrix_json import render_matrix_json

    return render_matrix_json(result)


def _matrix_jsonl(result: MatrixResult, color: bool) -> Iterator[str]:
    from govern.formats.matrix_json import render_matrix_jsonl

    return render_matrix_jsonl(result)


def _matrix_markdown(result: MatrixResult, color: bool) -> Iterator[str]:
    from govern.formats.matrix_tables import render_matrix_markdown

    return render_matrix_markdown(result)


def _matrix_html(result: MatrixResult, color: bool) -> Iterator[str]:
    from govern.formats.matrix_html import render_matrix_html

    return render_matrix_html(result)


MATRIX_FORMATS: dict[str, MatrixRenderer] = {
    "text": _matrix_text,
    "csv": _matrix_csv,
    "json": _matrix_json,
    "jsonl": _matrix_jsonl,
    "markdown": _matrix_markdown,
    "html": _matrix_html,
}

DiffRenderer = Callable[["MatrixDiff", bool], str]
"""(diff, colour) -> the report."""


def _diff_text(diff: MatrixDiff, color: bool) -> str:
    from govern.formats.diff_text import render_diff_text

    return render_diff_text(diff, color)


def _diff_markdown(diff: MatrixDiff, color: bool) -> str:
    from govern.formats.diff_markdown import render_diff_markdown

    return render_diff_markdown(diff)


def _diff_json(diff: MatrixDiff, color: bool) -> str:
    from govern.formats.diff_json import render_diff_json

    return render_diff_json(diff)


def _diff_html(diff: MatrixDiff, color: bool) -> str:
    from govern.formats.diff_html import render_diff_html

    return render_diff_html(diff)


DIFF_FORMATS: dict[str, DiffRenderer] = {
    "text": _diff_text,
    "markdown": _diff_markdown,
    "json": _diff_json,
    "html": _diff_html,
}
