"""What values each fact may take, read from the record models: the schema side of the
symbolic model ``govern prove`` reasons over.

A shape says whether a fact may be unknown (a nullable field, or a field under a nullable
parent), which strings it may hold (a ``Literal``'s choices, or any string matching a pattern),
whether a number is whole, its bounds, and a list's length limits. Everything is derived from
the pydantic annotations, so a field added to a record is reasoned about without code here.
"""

from __future__ import annotations

import builtins
import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from govern.facts import FACTS, FactType
from govern.fieldtypes import peel
from govern.records import ApiOffering, ModelCard, Option, Profile, Task

ROOTS: dict[str, type[BaseModel]] = {
    "model": ModelCard, "option": Option, "task": Task, "profile": Profile}


@dataclass(frozen=True)
class Scalars:
    """The values of a string (or a list's items): ``choices`` when the type is a closed
    ``Literal``, else any string matching ``pattern`` (None: any string) of ``min_length``."""

    choices: tuple[str, ...] | None = None
    pattern: str | None = None
    min_length: int = 0


@dataclass(frozen=True)
class Shape:
    path: str
    type: FactType
    nullable: bool
    strings: Scalars = Scalars()
    """For string facts and list items."""
    whole: bool = False
    """A number that is an ``int`` field."""
    minimum: float | None = None
    min_items: int = 0
    max_items: int | None = None
    item_model: builtins.type[BaseModel] | None = None
    """For ``records`` facts: the model of one item."""
    exact: bool = True
    """False when the field's type could not be read: the shape over-approximates it."""


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        for name in ("pattern", "min_length", "max_length", "ge", "gt"):
            value = getattr(item, name, None)
            if value is not None:
                found[name] = value
        inner = getattr(item, "metadata", None)
        if isinstance(inner, list):  # a FieldInfo nested in Annotated
            found.update(_constraints(inner))
    return found


def _peel(annotation: Any) -> tuple[Any, bool, dict[str, Any]]:
    """(bare type, whether None is allowed, constraints of Annotated layers)."""
    peeled = peel(annotation)
    return peeled.bare, peeled.nullable, _constraints(list(peeled.metadata))


def _scalars(annotation: Any, found: dict[str, Any]) -> Scalars:
    if get_origin(annotation) is Literal:
        return Scalars(choices=tuple(str(a) for a in get_args(annotation)))
    return Scalars(pattern=found.get("pattern"), min_length=int(found.get("min_length", 0)))


def _shape_of(path: str, fact_type: FactType) -> Shape:
    namespace, *names = path.split(".")
    model: type[BaseModel] = ROOTS[namespace]
    if namespace == "option" and names[0] in ApiOffering.model_fields:
        model = ApiOffering  # an API option's facts are its offering's, with their types
    nullable = False
    annotation: Any = None
    found: dict[str, Any] = {}
    for depth, name in enumerate(names):
        field = next(f for key, f in model.model_fields.items() if (f.alias or key) == name)
        annotation, optional, found = _peel(field.annotation)
        found.update(_constraints(field.metadata))
        nullable = nullable or optional
        if depth < len(names) - 1:
            model = annotation
    if fact_type in ("list", "records"):
        (item,) = get_args(annotation)
        bare, _, item_found = _peel(item)
        return Shape(path, fact_type, nullable, strings=_scalars(bare, item_found),
                     min_items=int(found.get("min_length", 0)),
                     max_items=found.get("max_length"),
                     item_model=bare if fact_type == "records" else None)
    minimum = found.get("ge")
    return Shape(path, fact_type, nullable, strings=_scalars(annotation, found),
                 whole=annotation is int, minimum=None if minimum is None else float(minimum))


def record_shapes() -> dict[str, Shape]:
    """The shape of every record fact (``derived.*`` facts are encoded in govern.prove.derived).
    A field whose annotation this module cannot read gets a shape that admits any value of
    its type, unknown included, marked ``exact=False`` (answers reading it are bounded)."""
    shapes: dict[str, Shape] = {}
    for path, spec in FACTS.items():
        if path.startswith("derived."):
            continue
        try:
            shapes[path] = _shape_of(path, spec.type)
        except (StopIteration, ValueError, TypeError, AttributeError):
            shapes[path] = Shape(path, spec.type, nullable=True, exact=False)
    return shapes


def minimal_item(model: type[BaseModel]) -> dict[str, Any]:
    """The smallest valid instance of a record model, as YAML data: every required field
    filled with a plain value. Used for list items whose content no rule reads."""
    data: dict[str, Any] = {}
    for key, field in model.model_fields.items():
        if not field.is_required():
            continue
        annotation, _, found = _peel(field.annotation)
        found.update(_constraints(field.metadata))
        data[field.alias or key] = _minimal_value(annotation, found)
    return data


def _minimal_value(annotation: Any, found: dict[str, Any]) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return minimal_item(annotation)
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        bare, _, item_found = _peel(item)
        return [_minimal_value(bare, item_found)] * int(found.get("min_length", 0))
    if get_origin(annotation) is Literal:
        return get_args(annotation)[0]
    if annotation is dt.date:
        return "2026-01-01"
    if annotation is bool:
        return False
    if annotation in (int, float):
        return 0
    return "x"  # a string (or a union of scalars): 'x' matches every id pattern govern has
