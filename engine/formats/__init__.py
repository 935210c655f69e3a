"""Renderers of decisions. Each format only renders: it decides nothing and reads no files.

``DECISION_FORMATS`` maps a ``--format`` name to its renderer, so the CLI's choices and its
dispatch come from one table.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.core import Decision
from engine.formats.json_format import render_decision_json
from engine.formats.text import render_decision_text

DecisionRenderer = Callable[[Decision, bool], str]
"""(decision, colour) -> the text to print."""

DECISION_FORMATS: dict[str, DecisionRenderer] = {
    "text": render_decision_text,
    "json": lambda decision, color: render_decision_json(decision),
}
