"""YAML to plain Python values, refusing what PyYAML would silently accept.

PyYAML keeps the last of two duplicate keys and expands aliases without limit; both are
refused here. Every key and value keeps its position, so an error can name file:line:col.
Timestamps stay strings so that dates are validated exactly as the user wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from govern.errors import InputError, Problem

MAX_FILE_BYTES = 1024 * 1024
"""Records are small; anything larger is a mistake or an attack."""
MAX_NODES = 50_000
"""Caps alias expansion ('billion laughs') and deeply repeated structures."""

YamlPath = tuple[str | int, ...]


@dataclass
class LoadedYaml:
    """A parsed document and where each of its keys and values stands in the file."""

    file: str
    data: Any
    positions: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: YamlPath) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the deepest part of ``path`` that exists."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        return None, None

    def problem(self, path: YamlPath, message: str) -> Problem:
        line, column = self.position(path)
        return Problem(self.file, line, column, format_path(path), message)


def format_path(path: YamlPath) -> str:
    """``('rules', 2, 'effect')`` -> ``rules[2].effect``; the empty path is ``-``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "-"


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str": None,
    "tag:yaml.org,2002:timestamp": None,  # kept as written
    "tag:yaml.org,2002:int": SafeConstructor.construct_yaml_int,
    "tag:yaml.org,2002:float": SafeConstructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": SafeConstructor.construct_yaml_null,
}


class _Builder:
    def __init__(self, loaded: LoadedYaml) -> None:
        self.loaded = loaded
        self.nodes = 0
        self.constructor = SafeConstructor()

    def build(self, node: Node, path: YamlPath) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise InputError(self.loaded.problem(path, f"document expands to more than "
                                                 f"{MAX_NODES} nodes (alias bomb?); refused"))
        self.loaded.positions.setdefault(path, (node.start_mark.line + 1,
                                                node.start_mark.column + 1))
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        raise InputError(self.loaded.problem(path, "unsupported YAML node"))  # pragma: no cover

    def _scalar(self, node: ScalarNode, path: YamlPath) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise InputError(self.loaded.problem(path, f"unsupported YAML tag {node.tag!r}"))
        construct = _SCALAR_TAGS[node.tag]
        return node.value if construct is None else construct(self.constructor, node)

    def _mapping(self, node: MappingNode, path: YamlPath) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            raise InputError(self.loaded.problem(path, f"unsupported YAML tag {node.tag!r}"))
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise InputError(self.loaded.problem(path, "keys must be plain strings "
                                                     "(merge keys '<<' are not supported)"))
            key = str(key_node.value)
            key_path = path + (key,)
            here = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in result:
                first = self.loaded.positions[key_path]
                raise InputError(Problem(self.loaded.file, here[0], here[1],
                                         format_path(key_path),
                                         f"duplicate key (first defined at line {first[0]})"))
            self.loaded.positions[key_path] = here
            result[key] = self.build(value_node, key_path)
        return result


def parse_yaml(text: str, file: str) -> LoadedYaml:
    """Parse one YAML document; raise ``InputError`` naming file:line:col on any problem."""
    loaded = LoadedYaml(file=file, data=None)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise InputError(Problem(file, line, column, "-",
                                 f"not valid YAML: {e.problem or e}")) from e
    except yaml.YAMLError as e:  # e.g. several documents in one file
        raise InputError(Problem(file, None, None, "-", f"not valid YAML: {e}")) from e
    if node is None:
        raise InputError(Problem(file, None, None, "-", "the file is empty"))
    loaded.data = _Builder(loaded).build(node, ())
    return loaded


def read_yaml_file(path: Path, shown_as: str | None = None) -> LoadedYaml:
    """Read and parse a YAML file, refusing oversized or undecodable files."""
    name = shown_as or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(Problem(name, None, None, "-",
                                     f"file is {size} bytes; the limit is {MAX_FILE_BYTES}"))
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(Problem(name, None, None, "-", f"not UTF-8 text: {e.reason}")) from e
    except OSError as e:
        raise InputError(Problem(name, None, None, "-", f"cannot read: {e.strerror}")) from e
    return parse_yaml(text, name)
