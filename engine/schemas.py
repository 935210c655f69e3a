"""JSON Schemas of the record kinds, generated from the pydantic models.

The ``fact`` fields get the full list of fact paths as an enum, so an editor's YAML plugin can
complete them; the ``policy`` schema is the one a compliance officer's editor should use.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from govern.check.manifest import Manifest
from govern.facts import FACTS
from govern.policy_tests.cases import PolicyTestFile
from govern.records import RECORD_KINDS, Record
from govern.whatif.scenario import Scenario

SCHEMA_KINDS: dict[str, type[BaseModel]] = {
    **RECORD_KINDS, "manifest": Manifest, "policy_test": PolicyTestFile, "scenario": Scenario}
"""Every kind of YAML file govern reads: the catalog's records, the usage manifest, policy tests,
what-if scenarios."""

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _inject_fact_enum(node: Any, paths: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "fact" and isinstance(value, dict) and value.get("type") == "string":
                value.pop("pattern", None)
                value["enum"] = paths
            else:
                _inject_fact_enum(value, paths)
    elif isinstance(node, list):
        for item in node:
            _inject_fact_enum(item, paths)


def _fact_enums(schema: dict[str, Any]) -> None:
    """Fact paths as enums: every fact in conditions; a card's own paths in its disputes."""
    card_paths = sorted(p.removeprefix("model.") for p in FACTS if p.startswith("model."))
    for name, definition in schema.get("$defs", {}).items():
        _inject_fact_enum(definition, card_paths if name == "Dispute" else sorted(FACTS))


def _holds_null(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_null(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_null(v) for v in value)
    return value is None


def _for_editors(node: Any) -> None:
    """Shape every subschema for editors' completion and hover.

    A default that is or holds null is dropped: completion inserts a schema's default, and a
    ``key: null`` written by an editor is noise at best (an optional key is better left out). A description
    written with reStructuredText literals (````x````) gets a ``markdownDescription`` with
    Markdown ones, which VS Code renders on hover; the plain description loses the quotes.
    """
    if isinstance(node, dict):
        if "default" in node and _holds_null(node["default"]):
            del node["default"]
        description = node.get("description")
        if isinstance(description, str) and "``" in description:
            node["markdownDescription"] = description.replace("``", "`")
            node["description"] = description.replace("``", "")
        for value in node.values():
            _for_editors(value)
    elif isinstance(node, list):
        for item in node:
            _for_editors(item)


def schema_file_name(kind: str) -> str:
    """The file a kind's schema ships as (and is written to by ``govern schema --write``)."""
    return f"{kind}.schema.json"


SCHEMA_ID_BASE = "https://govern.dev/schemas/"
"""Base of every ``$id``: a schema's id ends with the name of the file it ships as, so a
relative ``$ref`` or a modeline that names the file resolves the same way as the id."""


def _build_every_record_kind() -> None:
    """Records build their validators and serialisers on first use (``defer_build``), and a
    default that is a record (``pricing: Pricing = Pricing.model_construct()``) is shown in
    the schema through its own serialiser, which pydantic does not build on demand there."""
    pending: list[type[Record]] = [Record]
    while pending:
        model = pending.pop()
        model.model_rebuild()
        pending.extend(model.__subclasses__())


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind of file (a key of ``SCHEMA_KINDS``)."""
    _build_every_record_kind()
    schema = SCHEMA_KINDS[kind].model_json_schema(by_alias=True, mode="validation")
    _fact_enums(schema)
    _for_editors(schema)
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID_BASE + schema_file_name(kind), **schema}


SHIPPED_SCHEMAS = Path(__file__).resolve().parent / "json_schemas"
"""The schemas as files inside the package, for editors that point at a path or URL.
``python -m govern.schemas`` regenerates them; a test keeps them equal to ``json_schema``."""


def schema_text(kind: str) -> str:
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Every kind's schema into ``folder``, each under its ``schema_file_name``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in sorted(SCHEMA_KINDS):
        path = folder / schema_file_name(kind)
        path.write_text(schema_text(kind), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_schemas(SHIPPED_SCHEMAS):
        print(written_path)
