"""The closed condition language of policy rules, and its compiler.

A condition is ``all: [...]``, ``any: [...]``, ``not: {...}`` or a *test* of one fact::

    fact: option.host_jurisdiction
    not_in: [EU, US]

``OPERATORS`` is the one table of tests. It feeds the pydantic model that validates policies
(and so the JSON Schema editors use), the native evaluator below, the Rego compiler and the
docs, so none of them can drift from the others.

Evaluation is three-valued: a test of a fact that is unknown (``None``) is *unknown*, and
``all``/``any``/``not`` follow Kleene logic, so an unknown fact only matters when it could
change the outcome. What an unknown outcome means is the rule's business (``when_unknown``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, create_model, model_validator

FACT_PATH_PATTERN = r"^(model|option|task|profile|derived)(\.[a-z_]+)+$"
FactPath = Annotated[str, Field(pattern=FACT_PATH_PATTERN)]

Tri = bool | None
"""A three-valued truth: True, False, or None for unknown."""


class _Strict(BaseModel):
    # defer_build: the validators are built when a policy is first validated, not on import
    # (a command answered from the catalog cache never builds them).
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class FactRef(_Strict):
    """An operand that is another fact rather than a literal: ``{fact: profile.x}``."""

    fact: FactPath = Field(description="Dotted path of the fact whose value is the operand.")


Scalar = bool | float | str
ScalarList = list[float | str]


@dataclass(frozen=True)
class Operator:
    """One test in the condition language."""

    name: str
    fact_types: frozenset[str]
    """Types of fact it applies to (see ``govern.facts.FactType``)."""
    operand_type: Any
    """Pydantic type of the literal operand (a ``FactRef`` is always accepted too, unless
    ``literal_only``)."""
    operand_kind: str
    """What the operand must be, for type checks and docs: scalar, list, number, date, bool, int."""
    test: Callable[[Any, Any, dt.date], bool]
    """(fact value, operand value, as_of) -> bool, called only with known values."""
    meaning: str
    example: str
    literal_only: bool = False
    handles_unknown: bool = False
    """True when the test itself is about knowing (``exists``): never unknown."""


def _older_than_days(value: dt.date, days: int, as_of: dt.date) -> bool:
    return (as_of - value).days > days


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in [
        Operator("equals", frozenset({"string", "number", "boolean"}), Scalar, "scalar",
                 lambda v, x, _: v == x, "the fact is exactly this value",
                 "fact: task.risk_tier\nequals: high"),
        Operator("not_equals", frozenset({"string", "number", "boolean"}), Scalar, "scalar",
                 lambda v, x, _: v != x, "the fact is anything but this value",
                 "fact: model.license\nnot_equals: proprietary"),
        Operator("in", frozenset({"string", "number"}), ScalarList, "list",
                 lambda v, x, _: v in x, "the fact is one of these values",
                 "fact: option.host_jurisdiction\nin: [US, EU]"),
        Operator("not_in", frozenset({"string", "number"}), ScalarList, "list",
                 lambda v, x, _: v not in x, "the fact is none of these values",
                 "fact: model.license\nnot_in: [MIT, Apache-2.0]"),
        Operator("contains", frozenset({"list"}), float | str, "scalar",
                 lambda v, x, _: x in v, "the list fact contains this value",
                 "fact: task.data_classes\ncontains: source_code"),
        Operator("intersects", frozenset({"list"}), ScalarList, "list",
                 lambda v, x, _: any(i in x for i in v),
                 "the list fact shares at least one value with this list",
                 "fact: task.data_classes\nintersects: [personal_data, regulated_data]"),
        Operator("subset_of", frozenset({"list"}), ScalarList, "list",
                 lambda v, x, _: all(i in x for i in v),
                 "every value of the list fact is in this list",
                 "fact: option.regions\nsubset_of: [eu-west, eu-central]"),
        Operator("gt", frozenset({"number"}), float, "number", lambda v, x, _: v > x,
                 "the number fact is greater than this", "fact: derived.memory_shortfall_gb\ngt: 0"),
        Operator("gte", frozenset({"number"}), float, "number", lambda v, x, _: v >= x,
                 "the number fact is greater than or equal to this",
                 "fact: model.context_window_tokens\ngte: 1000000"),
        Operator("lt", frozenset({"number"}), float, "number", lambda v, x, _: v < x,
                 "the number fact is less than this",
                 "fact: option.pricing.input_usd_per_mtok\nlt: 2"),
        Operator("lte", frozenset({"number"}), float, "number", lambda v, x, _: v <= x,
                 "the number fact is less than or equal to this",
                 "fact: option.data_terms.retention_days\nlte: 30"),
        Operator("exists", frozenset({"string", "number", "boolean", "date", "list", "records"}),
                 bool, "bool", lambda v, x, _: x, "true: the fact is known; false: it is unknown",
                 "fact: model.safeguards.audits\nexists: true", literal_only=True,
                 handles_unknown=True),
        Operator("empty", frozenset({"list", "records"}), bool, "bool",
                 lambda v, x, _: (len(v) == 0) == x,
                 "true: the known list has no items; false: it has at least one",
                 "fact: derived.data_classes_barred_at_host\nempty: false", literal_only=True),
        Operator("before", frozenset({"date"}), dt.date, "date", lambda v, x, _: v < x,
                 "the date fact is earlier than this date",
                 "fact: model.revocation.since\nbefore: 2026-07-01"),
        Operator("after", frozenset({"date"}), dt.date, "date", lambda v, x, _: v > x,
                 "the date fact is later than this date",
                 "fact: model.as_of\nafter: 2026-01-01"),
        Operator("older_than_days", frozenset({"date"}), int, "int",
                 _older_than_days, "the date fact is more than this many days before the as-of date",
                 "fact: model.as_of\nolder_than_days: 180", literal_only=True),
    ]
}


# ---------------------------------------------------------------- the pydantic models


def _build_test_model() -> type[BaseModel]:
    """The model of a single test, with one optional field per operator (generated)."""
    from govern.fieldtypes import NO_NULL_IN_SCHEMA, AbsentMeans, IsoDate

    fields: dict[str, Any] = {"fact": (FactPath, Field(description="Dotted path of the fact."))}
    for op in OPERATORS.values():
        operand: Any = IsoDate if op.operand_type is dt.date else op.operand_type
        if op.operand_type is int:
            operand = Annotated[int, Field(ge=0)]
        if not op.literal_only:
            operand = Union[FactRef, operand]  # noqa: UP007 (operand is a runtime value)
        fields[op.name.rstrip("_") + "_"] = (
            Annotated[operand | None, AbsentMeans("the operator is not used"),
                      NO_NULL_IN_SCHEMA],
            Field(default=None, alias=op.name, description=op.meaning),
        )
    validators: dict[str, Any] = {
        "_one_operator": model_validator(mode="after")(_exactly_one_operator)}
    model = create_model(
        "Test",
        __base__=_Strict,
        __validators__=validators,
        **fields,
    )
    model.model_config["json_schema_extra"] = {"minProperties": 2, "maxProperties": 2}
    return model


def _exactly_one_operator(self: BaseModel) -> BaseModel:
    given = [name for name in OPERATORS if getattr(self, name + "_") is not None]
    if len(given) != 1:
        names = ", ".join(OPERATORS)
        raise ValueError(f"a test needs exactly one operator besides 'fact' (one of: {names})")
    return self


def test_operator(test: BaseModel) -> tuple[str, Any]:
    """The (operator name, operand) of a validated test."""
    for name in OPERATORS:
        value = getattr(test, name + "_")
        if value is not None:
            return name, value
    raise AssertionError("validated test without operator")  # pragma: no cover


class AllOf(_Strict):
    all: list[Condition] = Field(min_length=1,
                                 description="Holds when every condition listed holds.")


class AnyOf(_Strict):
    any: list[Condition] = Field(min_length=1,
                                 description="Holds when at least one condition listed holds.")


class NotOf(_Strict):
    not_: Condition = Field(alias="not", description="Holds when the condition does not hold "
                                                     "(unknown stays unknown).")


Test = _build_test_model()


def _condition_kind(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return key
        return "test"
    kinds: dict[type, str] = {AllOf: "all", AnyOf: "any", NotOf: "not"}
    return kinds.get(type(value), "test")


if TYPE_CHECKING:  # the generated Test model is not a static type
    Condition = Any
else:
    Condition = Annotated[
        Union[  # noqa: UP007 (tagged union members are Annotated)
            Annotated[AllOf, Tag("all")],
            Annotated[AnyOf, Tag("any")],
            Annotated[NotOf, Tag("not")],
            Annotated[Test, Tag("test")],  # type: ignore[valid-type]
        ],
        Discriminator(_condition_kind),
    ]



def iter_tests(condition: Any) -> list[BaseModel]:
    """Every test in a condition tree, depth first, left to right."""
    if isinstance(condition, AllOf):
        return [t for c in condition.all for t in iter_tests(c)]
    if isinstance(condition, AnyOf):
        return [t for c in condition.any for t in iter_tests(c)]
    if isinstance(condition, NotOf):
        return iter_tests(condition.not_)
    return [condition]


def referenced_facts(condition: Any) -> list[str]:
    """Every fact path a condition reads (tested facts and fact operands), sorted, unique."""
    paths: set[str] = set()
    for test in iter_tests(condition):
        paths.add(test.fact)  # type: ignore[attr-defined]
        _, operand = test_operator(test)
        if isinstance(operand, FactRef):
            paths.add(operand.fact)
    return sorted(paths)


# ---------------------------------------------------------------- compilation

Facts = Mapping[str, Any]
CompiledCondition = Callable[[Facts, dt.date], Tri]


def compile_condition(condition: Any) -> CompiledCondition:
    """Turn a validated condition into a closure, once; evaluating it reads no YAML."""
    if isinstance(condition, AllOf):
        parts = [compile_condition(c) for c in condition.all]
        return lambda facts, as_of: _kleene_all([p(facts, as_of) for p in parts])
    if isinstance(condition, AnyOf):
        parts = [compile_condition(c) for c in condition.any]
        return lambda facts, as_of: _kleene_any([p(facts, as_of) for p in parts])
    if isinstance(condition, NotOf):
        inner = compile_condition(condition.not_)
        return lambda facts, as_of: _kleene_not(inner(facts, as_of))
    return _compile_test(condition)


def _compile_test(test: BaseModel) -> CompiledCondition:
    path: str = test.fact  # type: ignore[attr-defined]
    name, operand = test_operator(test)
    op = OPERATORS[name]
    operand_path = operand.fact if isinstance(operand, FactRef) else None

    def evaluate(facts: Facts, as_of: dt.date) -> Tri:
        value = facts.get(path)
        if op.handles_unknown:
            return (value is not None) == bool(operand)
        expected = facts.get(operand_path) if operand_path else operand
        if value is None or expected is None:
            return None
        return bool(op.test(value, expected, as_of))

    return evaluate


def _kleene_all(values: list[Tri]) -> Tri:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _kleene_any(values: list[Tri]) -> Tri:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _kleene_not(value: Tri) -> Tri:
    return None if value is None else not value
