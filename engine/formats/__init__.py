"""Renderers of decisions and of check reports. Each format only renders: it decides nothing
and reads no files.

``DECISION_FORMATS`` (``govern evaluate``), ``CHECK_FORMATS`` (``govern check``) and
``TEST_FORMATS`` (``govern test``) map a ``--format`` name to its renderer, so the CLI's
choices and its dispatch come from one table. Each entry imports its format's module when it
is called, not when this table is imported: ``govern evaluate`` starts without the check
report's and the policy tests' models, the SARIF and JUnit writers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govern.check.report import CheckReport
    from govern.core import Decision
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
