"""The condition language: every operator, three-valued logic, compiled once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from govern.conditions import OPERATORS, Condition, compile_condition, referenced_facts

AS_OF = dt.date(2026, 11, 23)
parse = TypeAdapter(Condition).validate_python


def holds(condition: dict[str, Any], **facts: Any) -> bool | None:
    """Evaluate a condition written as YAML would give it; facts use '__' for '.'."""
    return compile_condition(parse(condition))(
        {k.replace("__", "."): v for k, v in facts.items()}, AS_OF)


@pytest.mark.parametrize(("condition", "value", "expected"), [
    ({"fact": "model.license", "equals": "MIT"}, "MIT", True),
    ({"fact": "model.license", "equals": "MIT"}, "Apache-2.0", False),
    ({"fact": "model.license", "not_equals": "proprietary"}, "MIT", True),
    ({"fact": "model.license", "in": ["MIT", "Apache-2.0"]}, "Apache-2.0", True),
    ({"fact": "model.license", "not_in": ["MIT", "Apache-2.0"]}, "MIT", False),
    ({"fact": "model.license", "not_in": ["MIT", "Apache-2.0"]}, "proprietary", True),
])
def test_string_operators(condition: dict[str, Any], value: str, expected: bool) -> None:
    assert holds(condition, model__license=value) is expected


@pytest.mark.parametrize(("operator", "operand", "value", "expected"), [
    ("gt", 0, 113, True), ("gt", 0, 0, False), ("gte", 0, 0, True), ("gte", 1, 0.5, False),
    ("lt", 2, 1.4, True), ("lt", 1.4, 1.4, False), ("lte", 1.4, 1.4, True),
    ("equals", 744, 744.0, True), ("in", [744, 753], 753, True),
])
def test_number_operators(operator: str, operand: Any, value: float, expected: bool) -> None:
    condition = {"fact": "derived.memory_shortfall_gb", operator: operand}
    assert holds(condition, derived__memory_shortfall_gb=value) is expected


@pytest.mark.parametrize(("operator", "operand", "value", "expected"), [
    ("contains", "source_code", ["source_code", "trade_secrets"], True),
    ("contains", "personal_data", ["source_code"], False),
    ("intersects", ["personal_data", "source_code"], ["source_code"], True),
    ("intersects", ["personal_data"], ["source_code"], False),
    ("intersects", ["personal_data"], [], False),
    ("subset_of", ["source_code", "trade_secrets"], ["source_code"], True),
    ("subset_of", ["source_code"], ["source_code", "trade_secrets"], False),
    ("subset_of", ["source_code"], [], True),
    ("empty", True, [], True), ("empty", True, ["x"], False), ("empty", False, ["x"], True),
])
def test_list_operators(operator: str, operand: Any, value: list[str], expected: bool) -> None:
    assert holds({"fact": "task.data_classes", operator: operand},
                 task__data_classes=value) is expected


@pytest.mark.parametrize(("condition", "since", "expected"), [
    ({"before": "2026-07-01"}, dt.date(2026, 6, 12), True),
    ({"before": "2026-06-12"}, dt.date(2026, 6, 12), False),
    ({"after": "2026-06-01"}, dt.date(2026, 6, 12), True),
    ({"older_than_days": 180}, dt.date(2026, 5, 27), False),  # exactly 180 days before
    ({"older_than_days": 180}, dt.date(2026, 5, 26), True),   # 181 days before
    ({"older_than_days": 180}, AS_OF, False),
])
def test_date_operators_judge_against_the_as_of_date(condition: dict[str, Any], since: dt.date,
                                                     expected: bool) -> None:
    days = (AS_OF - since).days
    assert holds({"fact": "model.revocation.since", **condition},
                 model__revocation__since=since) is expected, days


def test_exists_is_about_knowing_and_never_unknown() -> None:
    assert holds({"fact": "model.license", "exists": True}, model__license="MIT") is True
    assert holds({"fact": "model.license", "exists": True}, model__license=None) is False
    assert holds({"fact": "model.license", "exists": False}, model__license=None) is True


def test_a_fact_operand_compares_two_facts() -> None:
    condition = {"fact": "model.vendor.jurisdiction",
                 "not_in": {"fact": "profile.trusted_vendor_jurisdictions"}}
    facts = {"profile__trusted_vendor_jurisdictions": ["EU", "US"]}
    assert holds(condition, model__vendor__jurisdiction="CN", **facts) is True
    assert holds(condition, model__vendor__jurisdiction="US", **facts) is False
    assert holds(condition, model__vendor__jurisdiction="CN",
                 profile__trusted_vendor_jurisdictions=None) is None
    assert referenced_facts(parse(condition)) == ["model.vendor.jurisdiction",
                                                  "profile.trusted_vendor_jurisdictions"]


@pytest.mark.parametrize("operator", sorted(set(OPERATORS) - {"exists"}))
def test_every_operator_is_unknown_on_an_unknown_fact(operator: str) -> None:
    op = OPERATORS[operator]
    fact_type = min(op.fact_types)
    fact = {"string": "model.license", "number": "derived.memory_shortfall_gb",
            "boolean": "model.open_weights", "list": "task.data_classes",
            "records": "model.safeguards.audits", "date": "model.as_of"}[fact_type]
    operand = {"scalar": "x" if fact_type in ("string", "list") else (1 if fact_type == "number" else True),
               "list": ["x"], "number": 1, "date": "2026-01-01", "bool": True, "int": 1}[
        op.operand_kind]
    assert holds({"fact": fact, operator: operand}, **{fact.replace(".", "__"): None}) is None


def test_kleene_logic_an_unknown_only_matters_when_it_could_change_the_outcome() -> None:
    unknown = {"fact": "model.license", "equals": "MIT"}
    true = {"fact": "model.open_weights", "equals": True}
    false = {"fact": "model.open_weights", "equals": False}
    facts = {"model__license": None, "model__open_weights": True}
    assert holds({"all": [unknown, false]}, **facts) is False
    assert holds({"all": [unknown, true]}, **facts) is None
    assert holds({"any": [unknown, true]}, **facts) is True
    assert holds({"any": [unknown, false]}, **facts) is None
    assert holds({"not": unknown}, **facts) is None
    assert holds({"not": {"all": [unknown, false]}}, **facts) is True


def test_a_test_needs_exactly_one_operator() -> None:
    with pytest.raises(ValidationError, match="exactly one operator"):
        parse({"fact": "model.license", "equals": "MIT", "in": ["MIT"]})
    with pytest.raises(ValidationError):
        parse({"fact": "model.license"})


# ---------------------------------------------------------------- a property of the logic

_LEAVES = [
    {"fact": "model.license", "equals": "MIT"},
    {"fact": "model.license", "in": ["MIT", "Apache-2.0"]},
    {"fact": "model.open_weights", "equals": True},
    {"fact": "derived.memory_shortfall_gb", "gt": 0},
    {"fact": "task.data_classes", "intersects": ["source_code"]},
    {"fact": "model.as_of", "older_than_days": 180},
]
_VALUES: dict[str, list[Any]] = {
    "model.license": ["MIT", "proprietary", "Apache-2.0"],
    "model.open_weights": [True, False],
    "derived.memory_shortfall_gb": [-10, 0, 113],
    "task.data_classes": [[], ["source_code"], ["personal_data"]],
    "model.as_of": [dt.date(2026, 1, 1), dt.date(2026, 11, 1)],
}

conditions = st.recursive(
    st.sampled_from(_LEAVES),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"all": xs}),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"any": xs}),
        inner.map(lambda x: {"not": x}),
    ),
    max_leaves=6,
)


@st.composite
def partial_and_full_facts(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    full = {path: draw(st.sampled_from(values)) for path, values in _VALUES.items()}
    hidden = draw(st.sets(st.sampled_from(sorted(_VALUES))))
    return {p: (None if p in hidden else v) for p, v in full.items()}, full


@settings(max_examples=300, deadline=None, derandomize=True)
@given(conditions, partial_and_full_facts())
def test_a_known_outcome_never_changes_when_unknown_facts_become_known(
        condition: dict[str, Any], facts: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Soundness of the three-valued logic: True/False with facts missing is final."""
    partial, full = facts
    compiled = compile_condition(parse(condition))
    with_gaps = compiled(partial, AS_OF)
    complete = compiled(full, AS_OF)
    assert complete is not None
    if with_gaps is not None:
        assert with_gaps == complete
