"""The JSON report of ``govern check``: one document for the whole run.

Each entry carries its full decision (the design.md decision contract), so a consumer needs
nothing else. Byte-identical for identical inputs: fields in a fixed order, entries in manifest
order, waivers by id, no timestamps.
"""

from __future__ import annotations

from govern.check.report import CheckReport
from govern.formats.json_format import dumps


def render_check_json(report: CheckReport) -> str:
    return dumps(report.model_dump(mode="json"))
