"""Where a YAML file can be mutated as text: its mapping entries, its mappings and its scalars.

The hostile suite edits YAML *source*, not parsed data, because the hazards it hunts live in
the text (``0700``, ``NO``, ``when:`` left empty). Each site carries character offsets into
the original text, so a mutation is one splice and every other byte of the file is untouched.
Offsets come from PyYAML's node marks on the original (valid) files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

YamlPath = tuple[str | int, ...]

_SHORT_TAGS = {
    "tag:yaml.org,2002:str": "str", "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float", "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null", "tag:yaml.org,2002:timestamp": "timestamp",
    "tag:yaml.org,2002:seq": "seq", "tag:yaml.org,2002:map": "map",
}


def resolved_tag(text: str) -> str:
    """What PyYAML (YAML 1.1) reads a plain scalar as: 'int', 'float', 'bool', 'str', ..."""
    resolve: Any = yaml.SafeLoader.resolve
    tag: str = resolve(yaml.SafeLoader, ScalarNode, text, (True, False))
    return _SHORT_TAGS.get(tag, tag)


@dataclass(frozen=True)
class Value:
    """One node: a scalar, a sequence or a mapping, and the span of its text."""

    path: YamlPath
    tag: str
    """Short resolved tag: int, float, bool, null, str, timestamp, seq, map."""
    start: int
    end: int
    """Index just after its last content character (comments and blank lines excluded)."""
    line: int
    """1-based line where the node starts."""
    text: str
    one_line_scalar: bool
    """A plain or quoted scalar on one line: it can be swapped for another scalar in place."""
    plain: bool


@dataclass(frozen=True)
class Entry:
    """One ``key: value`` of a mapping."""

    path: YamlPath
    """Path of the value (the key is its last part)."""
    key_start: int
    key_line: int
    colon: int
    """Index of the ':' after the key."""
    value: Value
    flow: bool
    """Inside a flow mapping ``{a: 1, b: 2}``."""
    previous_end: int | None
    """End of the previous entry's value in a flow mapping (to delete ', key: value')."""
    next_key_start: int | None
    sole: bool
    """The only entry of its mapping."""
    line_start: int
    """Index of the start of the key's line."""
    key_first_on_line: bool


@dataclass(frozen=True)
class Mapping:
    path: YamlPath
    flow: bool
    start: int
    """Flow: index of '{'. Block: index of the first key."""
    column: int
    """0-based column of its keys (block)."""
    last_end: int
    """End of the last entry's value."""
    keys: tuple[str, ...]


@dataclass
class Sites:
    """Every mutable place in one file."""

    text: str
    entries: list[Entry] = field(default_factory=list)
    mappings: list[Mapping] = field(default_factory=list)
    scalars: list[Value] = field(default_factory=list)
    """Every scalar, mapping values and sequence items alike."""


def content_end(node: Node, text: str) -> int:
    """Index after the node's last content character."""
    if isinstance(node, ScalarNode):
        end = node.end_mark.index
        if node.style in ("|", ">"):  # a block scalar's span runs over its trailing newlines
            while end > node.start_mark.index and text[end - 1] in " \n":
                end -= 1
        return end
    if isinstance(node, (SequenceNode, MappingNode)) and node.flow_style:
        return node.end_mark.index
    if isinstance(node, SequenceNode) and node.value:
        return content_end(node.value[-1], text)
    if isinstance(node, MappingNode) and node.value:
        return content_end(node.value[-1][1], text)
    return node.end_mark.index  # pragma: no cover - empty block collections do not parse


def _value(node: Node, path: YamlPath, text: str) -> Value:
    if isinstance(node, ScalarNode):
        tag = _SHORT_TAGS.get(node.tag, node.tag)
    else:
        tag = "seq" if isinstance(node, SequenceNode) else "map"
    end = content_end(node, text)
    span = text[node.start_mark.index:end]
    one_line = isinstance(node, ScalarNode) and node.style in (None, '"', "'") and "\n" not in span
    return Value(path, tag, node.start_mark.index, end, node.start_mark.line + 1, span, one_line,
                 isinstance(node, ScalarNode) and node.style is None)


def find_sites(text: str) -> Sites:
    sites = Sites(text)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        _walk(root, (), sites)
    return sites


def _walk(node: Node, path: YamlPath, sites: Sites) -> None:
    text = sites.text
    if isinstance(node, ScalarNode):
        sites.scalars.append(_value(node, path, text))
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), sites)
    elif isinstance(node, MappingNode) and node.value:
        pairs = node.value
        flow = bool(node.flow_style)
        first_key = pairs[0][0]
        sites.mappings.append(Mapping(
            path, flow, node.start_mark.index if flow else first_key.start_mark.index,
            first_key.start_mark.column, content_end(pairs[-1][1], text),
            tuple(str(k.value) for k, _ in pairs)))
        for i, (key, value) in enumerate(pairs):
            value_path = path + (str(key.value),)
            colon = text.index(":", key.end_mark.index)
            line_start = text.rfind("\n", 0, key.start_mark.index) + 1
            sites.entries.append(Entry(
                path=value_path, key_start=key.start_mark.index, key_line=key.start_mark.line + 1,
                colon=colon, value=_value(value, value_path, text), flow=flow,
                previous_end=content_end(pairs[i - 1][1], text) if i else None,
                next_key_start=pairs[i + 1][0].start_mark.index if i + 1 < len(pairs) else None,
                sole=len(pairs) == 1, line_start=line_start,
                key_first_on_line=text[line_start:key.start_mark.index].strip() == ""))
            _walk(value, value_path, sites)


# ---------------------------------------------------------------- splices


def splice(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def replace_value(text: str, entry: Entry, new: str) -> str:
    """``key: <new>``: the whole value (block collections and block scalars included)."""
    return splice(text, entry.colon + 1, entry.value.end, " " + new if new else "")


def delete_entry(text: str, entry: Entry) -> str:
    """The text without this ``key: value``. The sole entry of a mapping leaves ``{}`` (an
    empty mapping, as if the key had never been written), not a parent with no value (null)."""
    if entry.sole:
        return splice(text, entry.key_start, entry.value.end, "{}")
    if entry.flow:
        if entry.next_key_start is not None:
            return splice(text, entry.key_start, entry.next_key_start, "")
        return splice(text, entry.previous_end, entry.value.end, "")
    line_end = text.find("\n", entry.value.end)
    line_end = len(text) if line_end < 0 else line_end
    if entry.key_first_on_line:
        return splice(text, entry.line_start, min(line_end + 1, len(text)), "")
    return splice(text, entry.key_start, line_end, "")  # keeps the '- ' of a sequence item


def add_key(text: str, mapping: Mapping, key: str, value: str) -> tuple[str, int]:
    """The text with ``key: value`` added to the mapping, and the 1-based line it is on."""
    if mapping.flow:
        at = mapping.start + 1
        return splice(text, at, at, f"{key}: {value}, "), text.count("\n", 0, at) + 1
    line_end = text.find("\n", mapping.last_end)
    line_end = len(text) if line_end < 0 else line_end
    inserted = "\n" + " " * mapping.column + f"{key}: {value}"
    return splice(text, line_end, line_end, inserted), text.count("\n", 0, line_end) + 2
