"""Constrained field types shared by the records and the condition language."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BeforeValidator, Field, GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema


def parse_iso_date(text: str) -> dt.date:
    """A date written as YYYY-MM-DD, and nothing else; ValueError saying what is wrong.

    One parser for records and flags (``--as-of``), so '2026-02-30' reads the same everywhere:
    the format is right, the day does not exist.
    """
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {text!r}")
    year, month, day = (int(part) for part in text.split("-"))
    if not 1 <= month <= 12:
        raise ValueError(f"{text} is not a date: there is no month {month}")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise ValueError(f"{text} is not a date: {calendar.month_name[month]} {year} has "
                         f"{days} days")
    return dt.date(year, month, day)


def _parse_iso_date(value: Any) -> Any:
    # YAML timestamps are loaded as strings (see govern.loading.yaml_source), so a date is
    # validated exactly as the user wrote it: YYYY-MM-DD, nothing else.
    return parse_iso_date(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class AbsentMeans:
    """Marks an optional key whose *absence* has a meaning (e.g. 'always', 'any model').

    Writing ``null`` there is refused: it is what an editor's completion inserts, and reading it
    as absent would silently widen a rule or a waiver. Use with ``NO_NULL_IN_SCHEMA`` so the
    JSON Schema does not offer null either::

        when: Annotated[Condition | None, AbsentMeans("the rule always fires"),
                        NO_NULL_IN_SCHEMA] = None
    """

    meaning: str

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> CoreSchema:
        def refuse_null(value: Any) -> Any:
            if value is None:
                raise ValueError(f"null is not a value here: leave the key out "
                                 f"(absent, it means {self.meaning}) or give a value")
            return value

        return core_schema.no_info_before_validator_function(refuse_null, handler(source))


def _schema_without_null(schema: dict[str, Any]) -> None:
    schema.pop("default", None)
    branches = schema.pop("anyOf", None)
    if branches is None:
        return
    rest = [b for b in branches if b != {"type": "null"}]
    if len(rest) == 1:
        schema.update(rest[0])
    else:
        schema["anyOf"] = rest


NO_NULL_IN_SCHEMA = Field(json_schema_extra=_schema_without_null)
"""The JSON Schema side of ``AbsentMeans``: neither null nor a null default is offered."""


IsoDate = Annotated[dt.date, BeforeValidator(_parse_iso_date)]
RecordId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
"""Ids are looked up, never joined into paths: lowercase letters, digits, '.', '_' and '-'."""
Jurisdiction = Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["EU", "US", "CN"])]
"""A two-letter jurisdiction code: ISO 3166 country codes, plus EU for the European Union."""
Region = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$",
                               examples=["eu-west", "eu-central"])]
NonEmptyStr = Annotated[str, Field(min_length=1)]
RULE_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,79}$"
RuleId = Annotated[str, Field(pattern=RULE_ID_PATTERN, examples=["licence.no-open-weights"])]
"""A rule id, e.g. ``licence.no-open-weights``: like a record id, up to 80 characters (it is
also a Rego rule name, see ``govern.rego.compiler``)."""



@dataclass(frozen=True)
class ComputedByLoader:
    """Marks a record field govern fills in when it loads a catalog (e.g. a card's lineage),
    never written in a file: a value given in the input is refused, the JSON Schema leaves the
    field out, and it is no fact path (rules read it through derived facts)."""

    how: str

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> CoreSchema:
        def refuse(value: Any) -> Any:
            raise ValueError(f"govern computes this key ({self.how}); do not write it")

        return core_schema.no_info_before_validator_function(refuse, handler(source))


def _normalised_licence(value: Any) -> Any:
    from govern.licences import normalise  # imported late: license-expression loads its list

    return normalise(value) if isinstance(value, str) else value


def _approved_licence(value: Any) -> Any:
    from govern.licences import approved_entry

    return approved_entry(value) if isinstance(value, str) else value


SpdxExpression = Annotated[str, BeforeValidator(_normalised_licence),
                           Field(examples=["MIT", "Apache-2.0 OR MIT", "LicenseRef-llama3",
                                           "proprietary"])]
"""An SPDX licence expression, normalised (``apache-2.0`` reads ``Apache-2.0``); an unknown id
is refused with the closest known one. See ``govern.licences``."""
ApprovedLicence = Annotated[str, BeforeValidator(_approved_licence),
                            Field(examples=["MIT", "Apache-2.0", "LicenseRef-proprietary"])]
"""One approved licence (no AND/OR), normalised like ``SpdxExpression``."""


@dataclass(frozen=True)
class Peeled:
    """A field's annotation without its Optional and Annotated layers."""

    bare: Any
    """The type inside (a Union of several types stays whole)."""
    nullable: bool
    """Whether None is allowed."""
    metadata: tuple[Any, ...]
    """The Annotated layers' metadata, outermost first."""


def peel(annotation: Any) -> Peeled:
    """The one way govern reads a field's type: facts, schemas of the symbolic space, explain's
    levers and the dated-fact checks all peel Optional and Annotated alike."""
    nullable = False
    metadata: tuple[Any, ...] = ()
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated:
            metadata += tuple(annotation.__metadata__)
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            nullable = nullable or len(members) < len(get_args(annotation))
            if len(members) != 1:
                return Peeled(annotation, nullable, metadata)
            annotation = members[0]
        else:
            return Peeled(annotation, nullable, metadata)
