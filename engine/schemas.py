"""JSON Schemas of the record kinds, generated from the pydantic models.

The ``fact`` fields get the full list of fact paths as an enum, so an editor's YAML plugin can
complete them; the ``policy`` schema is the one a compliance officer's editor should use.
"""

from __future__ import annotations

from typing import Any

from engine.facts import FACTS
from engine.records import RECORD_KINDS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _inject_fact_enum(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "fact" and isinstance(value, dict) and value.get("type") == "string":
                value.pop("pattern", None)
                value["enum"] = sorted(FACTS)
            else:
                _inject_fact_enum(value)
    elif isinstance(node, list):
        for item in node:
            _inject_fact_enum(item)


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one record kind (``model_card``, ``task``, ``profile``, ``policy``,
    ``waiver``)."""
    schema = RECORD_KINDS[kind].model_json_schema(by_alias=True, mode="validation")
    _inject_fact_enum(schema)
    return {"$schema": SCHEMA_DIALECT, "$id": f"https://govern.dev/schemas/{kind}.json", **schema}
