"""The JSON Schemas as an editor uses them: completion inserts defaults, hover shows
descriptions, and a modeline or a ``yaml.schemas`` setting names a schema file by its name.

(The real language server reading them is in tests/editors/.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from govern.schemas import SCHEMA_KINDS, json_schema, schema_file_name


def _subschemas(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _subschemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _subschemas(item, f"{where}/{index}")


def _holds_null(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_null(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_null(v) for v in value)
    return value is None


@pytest.mark.parametrize("kind", sorted(SCHEMA_KINDS))
def test_no_default_an_editor_would_insert_holds_null(kind: str) -> None:
    # Completion inserts a property's default: `when: null` is what this used to write.
    offenders = [where for where, node in _subschemas(json_schema(kind))
                 if "default" in node and _holds_null(node["default"])]
    assert offenders == []


@pytest.mark.parametrize("kind", sorted(SCHEMA_KINDS))
def test_every_property_has_a_description(kind: str) -> None:
    undescribed = [f"{where}/{name}" for where, node in _subschemas(json_schema(kind))
                   if isinstance(node.get("properties"), dict)
                   for name, prop in node["properties"].items()
                   if not (isinstance(prop, dict) and prop.get("description"))]
    assert undescribed == [], "give these attributes a docstring in their record"


@pytest.mark.parametrize("kind", sorted(SCHEMA_KINDS))
def test_markdown_descriptions_use_markdown_literals(kind: str) -> None:
    for where, node in _subschemas(json_schema(kind)):
        if "markdownDescription" in node:
            assert "``" not in node["markdownDescription"], where
            assert "`" in node["markdownDescription"], where
        assert "``" not in node.get("description", "x"), where


@pytest.mark.parametrize("kind", sorted(SCHEMA_KINDS))
def test_id_ends_with_the_shipped_file_name(kind: str) -> None:
    assert json_schema(kind)["$id"].rsplit("/", 1)[1] == schema_file_name(kind)


def test_an_optional_key_whose_absence_means_something_offers_no_null() -> None:
    rule = json_schema("policy")["$defs"]["Rule"]["properties"]
    assert "null" not in str(rule["when"]) and "default" not in rule["when"]
    assert rule["effect"]["enum"] == ["deny", "require", "warn"]
