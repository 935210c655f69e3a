"""YAML text to a node tree with positions: libyaml's C composer where PyYAML has it, else
PyYAML's pure-Python one. Both give the same nodes, marks and errors to ``yaml_source``.

The C composer is 5-17x faster, but libyaml reads a few things differently from the pure-Python
scanner govern has always used, so those texts still go through the Python composer:

- a tab as separating white space (``a:<TAB>b``): libyaml accepts it, PyYAML refuses it;
- a byte-order mark inside the text: libyaml does not count it as a column, PyYAML does;
- ``?`` inside a plain scalar in a flow collection (``[US?, EU]``): libyaml reads ``US?``,
  PyYAML refuses it. Only the nodes show whether a ``?`` is in a plain scalar (most are in
  quoted titles), so a plain scalar holding one sends the text to the Python composer.

A text libyaml refuses is composed again by the Python composer, so every syntax error keeps the
message and line:col it has always had (and a text only PyYAML accepts is still accepted).

Both composers recurse once per nesting level, and the C one has no guard: ``[`` nested 100,000
times overflows the C stack and kills the process. ``too_deep_to_compose`` finds such texts
first, from the parser's events, without building anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.events import CollectionEndEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Composer = Callable[[str], Node | None]
"""YAML text -> its one document's node tree (None for an empty text); raises YAMLError."""

DEEPEST_COMPOSED = 128
"""Collections nested deeper than this are refused before composing. It is above the records'
own limit (``yaml_source.MAX_DEPTH``, which reports file:line:col), and far below where
either composer runs out of stack (~330 levels for the Python one, within the recursion limit)."""

READ_DIFFERENTLY_BY_LIBYAML = ("\t", "\ufeff")
"""Characters around which libyaml and PyYAML's Python scanner disagree (see above)."""

COLLECTION_STARTS = "[{-?:"
"""Every collection starts at one of these characters ('[' '{' flow, '-' a block sequence
entry, '?' or a key's ':' a mapping), so their count bounds how deep a text can nest."""


def compose_python(text: str) -> Node | None:
    """PyYAML's pure-Python scanner, parser and composer."""
    return yaml.compose(text, Loader=yaml.SafeLoader)


_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_IMPLICIT_TAGS = {first: tuple(resolvers + _SAFE_LOADER.yaml_implicit_resolvers.get(None, []))
                  for first, resolvers in _SAFE_LOADER.yaml_implicit_resolvers.items()
                  if first is not None}
_WILDCARD_TAGS = tuple(_SAFE_LOADER.yaml_implicit_resolvers.get(None, []))


class ComposingLoader(_SAFE_LOADER):  # type: ignore[misc]  # an untyped C extension class
    """libyaml's loader with PyYAML's safe resolver in fewer steps: the C composer asks the
    Python resolver for every node's tag (a third of the time composing a card), and the
    general resolver walks path resolvers that the safe loader never has. Same tags: the
    implicit resolvers by first character, then the defaults (a test compares them)."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, pattern in _IMPLICIT_TAGS.get(value[:1], _WILDCARD_TAGS):
                    if pattern.match(value):
                        return str(tag)
            return str(self.DEFAULT_SCALAR_TAG)
        if kind is SequenceNode:
            return str(self.DEFAULT_SEQUENCE_TAG)
        return str(self.DEFAULT_MAPPING_TAG)


assert not _SAFE_LOADER.yaml_path_resolvers, "the fast resolver assumes no path resolvers"


def compose_libyaml(text: str) -> Node | None:
    """libyaml's C scanner, parser and composer, with the Python composer for the texts the
    two read differently and for every text libyaml refuses (for the message)."""
    if any(character in text for character in READ_DIFFERENTLY_BY_LIBYAML):
        return compose_python(text)
    try:
        node = yaml.compose(text, Loader=ComposingLoader)
    except yaml.YAMLError:
        return compose_python(text)
    if "?" in text and _has_plain_scalar_with_question_mark(node):
        return compose_python(text)
    return node


def _has_plain_scalar_with_question_mark(root: Node | None) -> bool:
    pending, seen = [root], set()
    while pending:
        node = pending.pop()
        if node is None or id(node) in seen:  # an alias is the node it names: seen already
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if not node.style and "?" in node.value:
                return True
        elif isinstance(node, SequenceNode):
            pending.extend(node.value)
        elif isinstance(node, MappingNode):
            pending.extend(part for pair in node.value for part in pair)
    return False


COMPOSERS: dict[str, Composer] = {"python": compose_python}
if yaml.__with_libyaml__:  # PyYAML built without libyaml has no CSafeLoader
    COMPOSERS["libyaml"] = compose_libyaml

DEFAULT_COMPOSER = "libyaml" if "libyaml" in COMPOSERS else "python"


BLOCK_STARTS = re.compile(r"^[ \t]*|[-?:][ \t]+")
"""Where a block collection can start: at a line's first character after its indentation, or
on the same line after an indicator ('- ', '? ', ': ', as in '- - a' or '- a: b'). Matched
line by line, so the end of a match is its column."""
OTHER_LINE_BREAKS = ("\r", "\x85", "\u2028", "\u2029", "\ufeff")
"""Characters that end a line for YAML but not for ``BLOCK_STARTS`` (or, a byte-order mark,
shift the columns one composer counts): a text holding one is counted by the parser."""


def nesting_bound(text: str) -> int | None:
    """An upper bound on how deep collections nest in ``text``, from its characters alone;
    None when the text has line breaks it cannot count columns across.

    Flow collections each start at a '[' or '{'. Block collections cannot be inside flow
    ones, and each one nested in another starts at a greater column, except a sequence
    written at its parent mapping's indentation (whose items are indented again): so at most
    two block collections per column a block collection can start at (``BLOCK_STARTS``).
    Characters in quotes and comments only make the bound larger. A card's keys give a few
    dozen such columns, well under ``DEEPEST_COMPOSED``, so it is read without a parse.
    """
    if any(character in text for character in OTHER_LINE_BREAKS):
        return None
    columns = {match.end() for line in text.split("\n")
               for match in BLOCK_STARTS.finditer(line)}
    return text.count("[") + text.count("{") + 2 * len(columns)


def too_deep_to_compose(text: str) -> tuple[int, int] | None:
    """Where (1-based line, column) collections in ``text`` first nest deeper than
    ``DEEPEST_COMPOSED``, or None when they never do.

    Most texts are decided by counting characters (``nesting_bound``); the others by the
    parser's events (no recursion, no nodes), stopping at the first level too deep. A syntax
    error ends the count: the composer reports it, as it always has.
    """
    if sum(text.count(character) for character in COLLECTION_STARTS) <= DEEPEST_COMPOSED:
        return None
    bound = nesting_bound(text)
    if bound is not None and bound <= DEEPEST_COMPOSED:
        return None
    loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > DEEPEST_COMPOSED:
                    mark = event.start_mark
                    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None
