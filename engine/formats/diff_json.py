"""``govern diff`` as JSON: summary, record edits and every changed cell (message-only ones
included), byte-identical for identical inputs."""

from __future__ import annotations

from govern.formats.json_format import dumps
from govern.matrix.diff import MatrixDiff


def render_diff_json(diff: MatrixDiff, color: bool = False) -> str:
    return dumps(diff.document())
