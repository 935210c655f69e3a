"""Renderers of decisions and of check reports. Each format only renders: it decides nothing
and reads no files.

``DECISION_FORMATS`` (``govern evaluate``), ``CHECK_FORMATS`` (``govern check``) and
``TEST_FORMATS`` (``govern test``) map a ``--format`` name to its renderer, so the CLI's choices and its dispatch come from one table.
"""

from __future__ import annotations

from collections.abc import Callable

from govern.check.report import CheckReport
from govern.core import Decision
from govern.formats.check_json import render_check_json
from govern.formats.check_text import render_check_text
from govern.formats.github import render_check_github
from govern.formats.json_format import render_decision_json
from govern.formats.junit import render_check_junit
from govern.formats.markdown import render_check_markdown, render_decision_markdown
from govern.formats.policy_tests import TEST_FORMATS
from govern.formats.sarif import render_check_sarif
from govern.formats.text import render_decision_text

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

__all__ = ["CHECK_FORMATS", "DECISION_FORMATS", "TEST_FORMATS"]
