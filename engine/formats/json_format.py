"""The JSON decision document (design.md contract): stable field names, byte-identical output
for identical inputs (fields in a fixed order, lists in decision order, no timestamps)."""

from __future__ import annotations

import json
from typing import Any

from govern.core import Decision, decision_document


def dumps(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_decision_json(decision: Decision) -> str:
    return dumps(decision_document(decision))
