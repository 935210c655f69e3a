"""What can be changed to turn a decision: the record fields behind each fact a rule reads, and
the finite set of values each field is tried with.

A rule reads *facts* (``option.host_jurisdiction``, ``derived.data_classes_barred_at_host``);
a person changes *records* (the card's API offering, the task, the profile). This module is the
one place that maps the first onto the second:

- ``option.*`` facts come from the card's API offering (``api``) or, for ``self-host``, from
  the profile's own infrastructure and the card's memory estimate (``OPTION_SOURCES``);
- a derived fact is computed from record facts (``govern.facts.DERIVED_READS``), so a change
  to it is a change to one of those;
- ``model.*``, ``task.*`` and ``profile.*`` facts are record fields already.

The values a field is tried with (``ValuePools``) are finite: for booleans and closed choices
(``Literal``) every value; for open strings every value of the same kind anywhere in the
catalog (every jurisdiction, every region, every licence…) and in the policies' operands, plus
one value named nowhere ("any other"); for numbers every number in the policies' operands and
their neighbours (±1) and every number fact of the decision being explained (a derived
difference such as the memory shortfall turns on another fact's value). Within those pools the
search in ``govern.explain.search`` is exhaustive.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args, get_origin

from pydantic import BaseModel

from govern.conditions import FactRef, iter_tests, test_operator
from govern.facts import DERIVED_READS, EACH_DATA_CLASS
from govern.fieldtypes import Jurisdiction, Region, peel
from govern.records import ApiOffering, ModelCard, Policy, Profile, Task

RecordKind = Literal["model", "task", "profile"]
Key = str | int
Address = tuple[RecordKind, tuple[Key, ...]]
"""A field of one record: which record, and the keys down to the field (list indexes are ints)."""

RECORD_MODELS: dict[RecordKind, type[BaseModel]] = {"model": ModelCard, "task": Task,
                                                     "profile": Profile}

OPTION_SOURCES: dict[str, dict[str, Address]] = {
    "self-host": {
        "host_jurisdiction": ("profile", ("self_host", "jurisdiction")),
        "regions": ("profile", ("self_host", "regions")),
    },
}
"""Where a self-host option's facts come from (``govern.core.build_options``); an API
option's ``option.X`` is the field ``X`` of its offering on the card. Self-host facts not
listed (pricing, data terms, provider) are not set by any record."""

OPTION_FIELDS_WITHOUT_SOURCE: frozenset[str] = frozenset({"deployment", "provider"})
"""Option fields no record edit changes: they name the option being explained."""

def derived_inputs(path: str, task: Task) -> list[str]:
    """The record facts a derived fact is computed from (``govern.facts.DERIVED_READS``),
    for the task at hand: the profile's per-class rules of the task's data classes."""
    return [read.replace(EACH_DATA_CLASS, data_class) if EACH_DATA_CLASS in read else read
            for read in DERIVED_READS[path]
            for data_class in (task.data_classes if EACH_DATA_CLASS in read else [""])]


_OFFERING_KEYS = {info.alias or name for name, info in ApiOffering.model_fields.items()}


def fact_addresses(path: str, deployment: str, offering: int | None, task: Task
                   ) -> list[Address]:
    """The record fields a fact of this option is read from (none for ``option.deployment``)."""
    if path.startswith("derived."):
        return [a for p in derived_inputs(path, task)
                for a in fact_addresses(p, deployment, offering, task)]
    namespace, *keys = path.split(".")
    if namespace == "option":
        if keys[0] in OPTION_FIELDS_WITHOUT_SOURCE:
            return []
        if deployment == "api":
            assert offering is not None
            if keys[0] not in _OFFERING_KEYS:
                return []  # an option field an API option never has (self-hosting memory)
            return [("model", ("api_offerings", offering, *keys))]
        source = OPTION_SOURCES["self-host"].get(keys[0])
        return [] if source is None else [(source[0], (*source[1], *keys[1:]))]
    kind: RecordKind = {"model": "model", "task": "task", "profile": "profile"}[namespace]  # type: ignore[assignment]
    return [(kind, tuple(keys))]


# ---------------------------------------------------------------- field types


def _strip(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    """(annotation without Optional and Annotated, the Annotated metadata)."""
    peeled = peel(annotation)
    return peeled.bare, peeled.metadata


def field_annotation(kind: RecordKind, keys: tuple[Key, ...]) -> Any:
    """The declared type of the field at ``keys`` in a record of ``kind``."""
    annotation: Any = RECORD_MODELS[kind]
    for key in keys:
        annotation, _ = _strip(annotation)
        origin = get_origin(annotation)
        if isinstance(key, int) and origin is list:
            annotation = get_args(annotation)[0]
        elif origin is dict:
            annotation = get_args(annotation)[1]
        else:
            model: type[BaseModel] = annotation
            field = next(f for n, f in model.model_fields.items() if (f.alias or n) == key)
            annotation = cast(Any, field.annotation)
            if field.metadata:
                annotation = typing.Annotated[(annotation, *field.metadata)]
    return annotation


ValueKind = tuple[str, ...]
"""What pool an open string value is drawn from: a shared field type (every jurisdiction) or
one field (every licence)."""


def value_kind(annotation: Any, keys: tuple[Key, ...]) -> ValueKind:
    _, metadata = _strip(annotation)
    for name, shared in (("jurisdiction", Jurisdiction), ("region", Region)):
        if set(metadata) & set(_strip(shared)[1]):
            return (name,)
    return tuple(k for k in keys if isinstance(k, str))


OTHER_VALUES: dict[str, str] = {"jurisdiction": "XX", "region": "other-region"}
"""The one value no record or policy names, per shared kind ("any other"); plain text fields
use ``OTHER_TEXT``."""
OTHER_TEXT = "any-other-value"


# ---------------------------------------------------------------- value pools


@dataclass(frozen=True)
class ValuePools:
    """Every value of each kind that occurs in the catalog and the policies."""

    strings: Mapping[ValueKind, frozenset[str]]
    numbers: frozenset[float]

    def strings_of(self, kind: ValueKind) -> list[str]:
        other = OTHER_VALUES.get(kind[0], OTHER_TEXT) if kind else OTHER_TEXT
        return sorted(self.strings.get(kind, frozenset()) | {other})


def _walk(value: Any, annotation: Any, keys: tuple[Key, ...],
          out: dict[ValueKind, set[str]]) -> None:
    stripped, _ = _strip(annotation)
    if isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            ann: Any = field.annotation
            if field.metadata:
                ann = typing.Annotated[(ann, *field.metadata)]
            _walk(getattr(value, name), ann, (*keys, field.alias or name), out)
    elif isinstance(value, list) and get_origin(stripped) is list:
        for item in value:
            _walk(item, get_args(stripped)[0], (*keys, 0), out)
    elif isinstance(value, dict) and get_origin(stripped) is dict:
        for item in value.values():
            _walk(item, get_args(stripped)[1], (*keys, "*"), out)
    elif isinstance(value, str) and stripped is str:
        out.setdefault(value_kind(annotation, keys), set()).add(value)


def _operand_values(operand: Any) -> list[Any]:
    if isinstance(operand, FactRef):
        return []
    return list(operand) if isinstance(operand, list) else [operand]


def build_pools(records: list[BaseModel], policies: list[Policy]) -> ValuePools:
    """The value pools of a catalog: strings by kind from every record, numbers and strings
    from every literal operand in the policies."""
    strings: dict[ValueKind, set[str]] = {}
    for record in records:
        _walk(record, type(record), (), strings)
    numbers: set[float] = set()
    task = Task(id="t", name="t", description="t", risk_tier="lower",
                data_classes=["public_text"], business_critical=False)
    for policy in policies:
        for rule in policy.rules:
            for test in iter_tests(rule.when) if rule.when is not None else []:
                _, operand = test_operator(test)
                for value in _operand_values(operand):
                    if isinstance(value, bool | dt.date):
                        continue
                    if isinstance(value, int | float):
                        numbers.update({value - 1, value, value + 1})
                    elif isinstance(value, str):
                        for deployment in ("api", "self-host"):
                            for kind, keys in fact_addresses(
                                    test.fact, deployment, 0, task):  # type: ignore[attr-defined]
                                ann = field_annotation(kind, keys)
                                strings.setdefault(value_kind(ann, keys), set()).add(value)
    return ValuePools({k: frozenset(v) for k, v in strings.items()}, frozenset(numbers))


def scalar_values(annotation: Any, keys: tuple[Key, ...], pools: ValuePools,
                  context_numbers: frozenset[float]) -> Iterator[Any]:
    """Every value a scalar field is tried with."""
    stripped, _ = _strip(annotation)
    if stripped is bool:
        yield from (True, False)
    elif get_origin(stripped) is Literal:
        yield from get_args(stripped)
    elif stripped in (int, float):
        for number in sorted(pools.numbers | context_numbers):
            if stripped is int and not float(number).is_integer():
                continue
            yield int(number) if stripped is int else float(number)
    elif stripped is str:
        yield from pools.strings_of(value_kind(annotation, keys))
