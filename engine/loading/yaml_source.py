"""YAML to plain Python values, refusing what PyYAML would silently accept.

PyYAML keeps the last of two duplicate keys and expands aliases without limit; both are
refused here. Every key and value keeps its position, so an error can name file:line:col.
Timestamps stay strings so that dates are validated exactly as the user wrote them.

Scalars follow one grammar for every record kind (see ``govern.numbers``): a number is a plain
decimal, and a boolean is ``true`` or ``false``. The other YAML 1.1 forms (``0700`` octal,
``10:40`` base 60, ``0x1F``, ``1_000``, ``.nan``, ``.inf``; ``yes``/``no``/``on``/``off``, which
turns Norway's ``NO`` into false) are refused where they stand, saying what YAML read.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from govern.errors import InputError, Problem
from govern.loading import yaml_composers
from govern.loading.yaml_composers import DEFAULT_COMPOSER, too_deep_to_compose
from govern.numbers import NUMBER_GRAMMAR, number_problem, parse_number

MAX_FILE_BYTES = 1024 * 1024
"""Records are small; anything larger is a mistake or an attack."""
MAX_NODES = 50_000
"""Caps alias expansion ('billion laughs') and deeply repeated structures."""
MAX_DEPTH = 64
"""Records nest a few levels deep; a condition tree a few more. Deeper is a mistake or an
attack (and would exhaust the parser's recursion)."""
assert MAX_DEPTH < yaml_composers.DEEPEST_COMPOSED

composer = DEFAULT_COMPOSER
"""Which of ``yaml_composers.COMPOSERS`` turns text into nodes: libyaml's when PyYAML has it.
The refused-input tests run once with each."""

BOOLEAN_WORDS = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
"""The only booleans govern reads (YAML 1.2's); YAML 1.1's yes/no/on/off/y/n are refused."""

YamlPath = tuple[str | int, ...]


@dataclass
class LoadedYaml:
    """A parsed document and where each of its keys and values stands in the file."""

    file: str
    data: Any
    positions: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    scalar_texts: dict[YamlPath, str] = field(default_factory=dict)
    """How each number and boolean was written, for messages ("YAML read 1.0 as a number")."""

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


_STR, _TIMESTAMP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"

EXPONENT_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+")
"""Numbers in exponent form that PyYAML's YAML 1.1 resolver leaves as text (``1e3``), though
YAML 1.2 and JSON read them as numbers: refused unquoted, so no reader disagrees on them."""
_NUMBER_STARTS = frozenset("0123456789.+-")
"""The characters an ``EXPONENT_NUMBER`` starts with: most text is told apart by its first."""


class _Builder:
    def __init__(self, loaded: LoadedYaml) -> None:
        self.loaded = loaded
        self.nodes = 0
        self.misread: list[Problem] = []
        """Scalars outside the grammar: all of a file's are reported, not just the first."""

    def build(self, node: Node, path: YamlPath) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise InputError(self.loaded.problem(path, f"document expands to more than "
                                                 f"{MAX_NODES} nodes (alias bomb?); refused"))
        if len(path) > MAX_DEPTH:
            raise InputError(self.loaded.problem(path, f"nested more than {MAX_DEPTH} levels "
                                                 "deep; refused"))
        self.loaded.positions.setdefault(path, (node.start_mark.line + 1,
                                                node.start_mark.column + 1))
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:  # !!omap, !!python/..., !include: a list with a meaning
                raise InputError(self.loaded.problem(path, f"unsupported YAML tag {node.tag!r}"))
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        raise InputError(self.loaded.problem(path, "unsupported YAML node"))  # pragma: no cover

    def _scalar(self, node: ScalarNode, path: YamlPath) -> Any:
        text = node.value
        if node.tag == _STR:  # most scalars: text, told apart from a number by its first character
            if not node.style and text[:1] in _NUMBER_STARTS and EXPONENT_NUMBER.fullmatch(text):
                self.misread.append(self.loaded.problem(path, (
                    f"{text} is written with an exponent: YAML 1.2 reads it as a number, YAML "
                    f"1.1 as text; govern takes only {NUMBER_GRAMMAR}, and quoted text "
                    f"('{text}')")))
                return None
            return text
        if node.tag == _TIMESTAMP:  # timestamps are kept as written
            return text
        if node.tag == _NULL:
            return None
        if node.tag in (_INT, _FLOAT):
            problem = number_problem(text)
            if problem is not None:
                read_as = _yaml11_reading(node)
                self.misread.append(self.loaded.problem(path, (
                    f"{problem} (YAML 1.1 would read {read_as}); quote it if you mean the "
                    "text")))
                return None
            self.loaded.scalar_texts[path] = text
            number = parse_number(text)
            return float(number) if node.tag == _FLOAT else number
        if node.tag == _BOOL:
            if text not in BOOLEAN_WORDS:
                meaning = "true" if text.lower() in ("yes", "y", "on") else "false"
                self.misread.append(self.loaded.problem(path, (
                    f"YAML 1.1 reads {text!r} as the boolean {meaning}; govern takes only true "
                    f"or false as booleans: write {meaning}, or quote it ('{text}') if you "
                    "mean the text")))
                return None
            self.loaded.scalar_texts[path] = text
            return text.lower() == "true"
        raise InputError(self.loaded.problem(path, f"unsupported YAML tag {node.tag!r}"))

    def _mapping(self, node: MappingNode, path: YamlPath) -> dict[str, Any]:
        if node.tag != _MAP:
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


def _yaml11_reading(node: ScalarNode) -> str:
    """What PyYAML's YAML 1.1 constructor makes of a number, to show why it is refused."""
    constructor = SafeConstructor()
    try:
        if node.tag == _INT:
            value: Any = constructor.construct_yaml_int(node)
        else:
            value = constructor.construct_yaml_float(node)
    except (ValueError, OverflowError):  # pragma: no cover - the resolver matched its grammar
        return "no number"
    text = repr(value)
    return text if len(text) <= 24 else f"a number of {len(text)} digits"


def parse_yaml(text: str, file: str) -> LoadedYaml:
    """Parse one YAML document; raise ``InputError`` naming file:line:col on any problem."""
    loaded = LoadedYaml(file=file, data=None)
    where = too_deep_to_compose(text)  # composers recurse per level: 5,000 '[' exhaust them
    too_deep = InputError(Problem(file, where[0] if where else None, where[1] if where else None,
                                  "-", f"nested more than {MAX_DEPTH} levels deep (or too deep "
                                  "to read); refused"))
    if where is not None:
        raise too_deep
    try:
        node = yaml_composers.COMPOSERS[composer](text)
    except RecursionError:  # pragma: no cover - too_deep_to_compose refuses such texts first
        raise too_deep from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise InputError(Problem(file, line, column, "-",
                                 f"not valid YAML: {e.problem or e}")) from e
    except yaml.YAMLError as e:  # e.g. several documents in one file
        raise InputError(Problem(file, None, None, "-", f"not valid YAML: {e}")) from e
    if node is None:
        raise InputError(Problem(file, None, None, "-", "the file is empty"))
    builder = _Builder(loaded)
    loaded.data = builder.build(node, ())
    if builder.misread:
        raise InputError(builder.misread)
    return loaded


def display_path(path: Path) -> str:
    """A path as messages and reports show it: relative to the working directory (the
    repository root in CI, which is what SARIF and GitHub annotations expect), else as given;
    always with '/'."""
    # Not resolved: the path as the user sees it, and a looping or dangling symlink (which
    # the catalog reports) can still be named. Compared as text (abspath normalises both
    # alike): pathlib's relative_to cost a tenth of loading a 1,000-card catalog.
    try:
        here = os.getcwd()
        absolute = os.path.abspath(path)
    except OSError:
        return path.as_posix()
    if absolute == here:
        return "."
    inside = here if here.endswith(os.sep) else here + os.sep
    if absolute.startswith(inside):
        return absolute[len(inside):].replace(os.sep, "/")
    return path.as_posix()


def read_yaml_file(path: Path, shown_as: str | None = None,
                   content: bytes | None = None) -> LoadedYaml:
    """Read and parse a YAML file, refusing oversized or undecodable files. Messages name it
    ``shown_as``, by default its ``display_path``. ``content``: the file's bytes, already read
    (the catalog cache parses exactly the bytes its key was computed from)."""
    name = shown_as or display_path(path)
    try:
        size = path.stat().st_size if content is None else len(content)
        if size > MAX_FILE_BYTES:
            raise InputError(Problem(name, None, None, "-",
                                     f"file is {size} bytes; the limit is {MAX_FILE_BYTES}"))
        text = (path.read_bytes() if content is None else content).decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(Problem(name, None, None, "-", f"not UTF-8 text: {e.reason}")) from e
    except OSError as e:
        raise InputError(Problem(name, None, None, "-", f"cannot read: {e.strerror}")) from e
    return parse_yaml(text, name)
