"""The matrix as JSON: every cell's full decision (the document ``govern evaluate --format
json`` prints), in one document or one per line (``jsonl``). Written a cell at a time, so a
large matrix never sits in memory; byte-identical for identical inputs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from govern.matrix import MatrixResult


def matrix_header(result: MatrixResult) -> dict[str, Any]:
    return {"as_of": result.as_of.isoformat(), "policy_set_digest": result.policy_set_digest,
            "profiles": [p.id for p in result.axis.profiles],
            "models": [m.id for m in result.axis.models],
            "tasks": [t.id for t in result.axis.tasks]}


def render_matrix_json(result: MatrixResult, color: bool = False) -> Iterator[str]:
    """Exactly ``json.dumps({**header, "cells": [...]}, indent=2)``, produced in pieces."""
    header = json.dumps(matrix_header(result), indent=2, ensure_ascii=False)
    yield header[:-2] + ',\n  "cells": ['
    first = True
    for cell, outcome in result.outcomes():
        document = json.dumps(result.document(cell, outcome), indent=2, ensure_ascii=False)
        yield ("\n" if first else ",\n") + _indented(document)
        first = False
    yield "]\n}\n" if first else "\n  ]\n}\n"


def render_matrix_jsonl(result: MatrixResult, color: bool = False) -> Iterator[str]:
    """One decision document per line, compact, in cell order."""
    for cell, outcome in result.outcomes():
        yield json.dumps(result.document(cell, outcome), ensure_ascii=False,
                         separators=(",", ":")) + "\n"


def _indented(document: str) -> str:
    # Only at "\n": JSON escapes those inside strings, but leaves U+2028 and other line
    # separators raw (ensure_ascii=False), which str.splitlines would break at.
    return "\n".join("    " + line for line in document.split("\n"))
