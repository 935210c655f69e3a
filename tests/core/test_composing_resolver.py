"""libyaml's composer with govern's shorter tag resolver gives the nodes PyYAML's own
resolver gives: same tags, values and positions, for every catalog file and every YAML 1.1
scalar form the loader refuses or reads."""

from __future__ import annotations

import pytest
import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from govern.loading.yaml_composers import ComposingLoader
from tests.support import REPO

SCALARS = ["", "~", "null", "Null", "NULL", "true", "True", "FALSE", "yes", "No", "on", "OFF",
           "y", "n", "0", "-1", "+5", "007", "0700", "0o17", "0x1F", "0b101", "1_000", "10:40",
           "-10:40:30", "1.5", "2", "3.0", "4", "5", "6", "7", "8", "9", ".5", "1.", "-.inf", ".NaN", "1e3", "1.0e+3", "2026-11-23",
           "2026-11-23T10:00:00Z", "2001-12-14 21:59:43.10 -5", "<<", "=",
           "text", "EU", "NO", "Y", "o", "t", "f", ".", "-x", "+", "12abc", "0.0.1"]
"""Every first character the resolver knows, and each YAML 1.1 form it tells apart."""


def shape(node: Node) -> object:
    marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line,
             node.end_mark.column)
    if isinstance(node, MappingNode):
        return node.tag, marks, [(shape(k), shape(v)) for k, v in node.value]
    if isinstance(node, SequenceNode):
        return node.tag, marks, [shape(item) for item in node.value]
    return node.tag, marks, node.value, node.style


TEXTS = [pytest.param(path.read_text(encoding="utf-8"), id=str(path.relative_to(REPO)))
         for folder in ("model_cards", "tasks", "profiles", "policies", "policy_tests")
         for path in sorted((REPO / folder).glob("*.yaml"))]
SCALAR_TEXT = ("\n".join(f"k{i}: {scalar}" for i, scalar in enumerate(SCALARS))
               + "\nlist:\n" + "".join(f"  - {scalar}\n" for scalar in SCALARS if scalar)
               + "quoted: ['1', \"true\"]\n")
TEXTS += [pytest.param(SCALAR_TEXT, id="scalar forms")]


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")
@pytest.mark.parametrize("text", TEXTS)
def test_same_nodes_as_pyyamls_resolver(text: str) -> None:
    ours = yaml.compose(text, Loader=ComposingLoader)
    theirs = yaml.compose(text, Loader=yaml.CSafeLoader)
    python = yaml.compose(text, Loader=yaml.SafeLoader)
    assert ours is not None and theirs is not None and python is not None
    assert shape(ours) == shape(theirs)
    assert [t for t in _tags(ours)] == [t for t in _tags(python)]


def _tags(node: Node) -> list[str]:
    if isinstance(node, MappingNode):
        return [node.tag] + [t for k, v in node.value for t in _tags(k) + _tags(v)]
    if isinstance(node, SequenceNode):
        return [node.tag] + [t for item in node.value for t in _tags(item)]
    return [node.tag]


def test_scalar_forms_cover_every_first_character_the_resolver_knows() -> None:
    known = {first for first in yaml.SafeLoader.yaml_implicit_resolvers if first}
    # '!', '&' and '*' begin a tag, an anchor or an alias, never a plain scalar
    assert known <= {scalar[:1] for scalar in SCALARS if scalar} | {"!", "&", "*"}
