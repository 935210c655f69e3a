"""Facts that hold from a date: a model card resolved to the values in force on a decision date.

A card gives a fact undated (``license: MIT``: it holds with no known start) and may give it
dated values (``dated_values``: from ``since`` on, this value). Revocation ``events`` are dated
values too: an event on day E sets ``revocation.status`` (from its action), ``since`` (E),
``by`` (its actor) and ``scope`` from E on.

On a decision date D a fact's value is its dated value with the latest ``since`` on or before
D (of two with one date, the later one written); when none is on or before D, the undated
value, which is unknown (null) when the card gives none. So a fact first recorded after D is
unknown on D, and a decision never sees a value before the day it holds from.

``card_as_of`` is the one place this is decided; rules keep reading ``model.revocation.status``
or ``option.pricing.*``, and what they read is the value in force. The Rego engine mirrors it
(``card_as_of`` in govern.rego) and the matrix resolves every card once per date.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from govern.fieldtypes import peel
from govern.lineage import lineage_as_of, revalidated_card
from govern.record_data import record_input
from govern.records import ApiOffering, DatedValue, ModelCard, RevocationEvent

STATUS_AFTER: dict[str, str] = {
    "suspended": "suspended",
    "withdrawn": "withdrawn",
    "restricted": "restricted",
    "restored": "available",
}
"""The ``revocation.status`` an event's action leaves in force."""

EVENT_FACTS: tuple[str, ...] = ("revocation.status", "revocation.since", "revocation.by",
                                "revocation.scope")
"""The facts revocation events set; a card gives them through events, not ``dated_values``."""

FactKey = tuple[str | None, str]
"""(offering provider or None, fact path inside the card or the offering)."""


def event_values(event: RevocationEvent) -> list[DatedValue]:
    """The dated values one revocation event stands for."""
    values: list[Any] = [STATUS_AFTER[event.action], event.date.isoformat(), event.actor,
                         event.scope]
    return [DatedValue(fact=fact, since=event.date, value=value, sources=event.sources)
            for fact, value in zip(EVENT_FACTS, values, strict=True)]


def all_dated_values(card: ModelCard) -> list[DatedValue]:
    """Every dated value of the card: its events' first, then ``dated_values``, in order."""
    return [v for e in card.revocation.events for v in event_values(e)] + list(card.dated_values)


def values_in_force(card: ModelCard, as_of: dt.date) -> dict[FactKey, DatedValue]:
    """Per dated fact, the dated value in force on ``as_of``; a fact none of whose values is on
    or before ``as_of`` is left out (its undated value holds)."""
    chosen: dict[FactKey, DatedValue] = {}
    for value in all_dated_values(card):
        key = (value.offering, value.fact)
        held = chosen.get(key)
        if value.since <= as_of and (held is None or held.since <= value.since):
            chosen[key] = value
    return chosen


def first_dated(card: ModelCard) -> dict[FactKey, dt.date]:
    """Per dated fact, the first day it has a dated value."""
    first: dict[FactKey, dt.date] = {}
    for value in all_dated_values(card):
        key = (value.offering, value.fact)
        first[key] = min(first.get(key, value.since), value.since)
    return first


def offered_on(offering: ApiOffering, as_of: dt.date) -> bool:
    """Whether the provider offers the model on ``as_of`` (within offered_since..until)."""
    return ((offering.offered_since is None or offering.offered_since <= as_of)
            and (offering.offered_until is None or as_of <= offering.offered_until))


def card_as_of(card: ModelCard, as_of: dt.date) -> ModelCard:
    """The card with every dated fact at its value in force on ``as_of``, and only the API
    offerings offered on that day. Pure."""
    chosen = values_in_force(card, as_of)
    offered = [offered_on(o, as_of) for o in card.api_offerings]
    resolved = card
    if chosen or not all(offered):
        data = record_input(card)
        for (offering, fact), value in chosen.items():
            for target in _targets(data, offering):
                _set_path(target, fact.split("."), value.value)
        data["api_offerings"] = [o for o, on in zip(data["api_offerings"], offered,
                                                    strict=True) if on]
        # the lineage's own licence follows a dated licence
        resolved = revalidated_card(data, card)
    if resolved.lineage is not None:  # and its bases' follow theirs
        lineage = lineage_as_of(resolved.lineage, as_of)
        if lineage is not resolved.lineage:
            resolved = resolved.model_copy(update={"lineage": lineage})
    return resolved


def card_fixed_as_of(card: ModelCard, as_of: dt.date) -> ModelCard:
    """The card as one written on ``as_of`` would say it: every dated fact at its value in
    force and no history (no dated values, no events). A copy of it edited (explain's
    suggestions) is decided on the edited facts, not on a later dated value that would
    override them."""
    resolved = card_as_of(card, as_of)
    if not resolved.dated_values and not resolved.revocation.events:
        return resolved
    return resolved.model_copy(update={
        "dated_values": [],
        "revocation": resolved.revocation.model_copy(update={"events": []})})


def _targets(data: dict[str, Any], offering: str | None) -> Iterator[dict[str, Any]]:
    """The card itself, or every API offering of that provider."""
    if offering is None:
        yield data
        return
    yield from (o for o in data["api_offerings"] if o["provider"] == offering)


def _set_path(data: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        if data.get(part) is None:
            data[part] = {}
        data = data[part]
    data[path[-1]] = value


# ---------------------------------------------------------------- what a card may date


_NOT_DATED = frozenset({"id", "as_of", "notes", "name"})
"""Card fields that say what the card is, not what holds on a date."""
_OFFERING_WINDOW = frozenset({"offered_since", "offered_until"})
"""When an offering holds: its own dating, not dated again (a dated end could fall before its
start, found only on the day it applies)."""
_OFFERING_NOT_DATED = _OFFERING_WINDOW | {"provider"}
"""Offering fields a date cannot change: which offering it is, and its window."""


def _submodel(annotation: Any) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) \
        else None


def leaf_annotation(model: type[BaseModel], path: list[str]) -> Any | None:
    """The type of the field at ``path`` in ``model``, when it is a value a date can change:
    a scalar or a list of texts reached through sub-records that are always there (never
    through an optional one, a list of records or a mapping). None otherwise."""
    field = model.model_fields.get(path[0])
    if field is None:
        return None
    if len(path) > 1:
        sub = _submodel(field.annotation)
        return None if sub is None else leaf_annotation(sub, path[1:])
    if _submodel(field.annotation) is not None:
        return None
    # A list of records, a mapping or an optional section is no single value.
    schema = json.dumps(TypeAdapter(field.annotation).json_schema())
    if "$ref" in schema or '"object"' in schema:
        return None
    return field.annotation


def dated_value_problems(card: ModelCard) -> list[tuple[tuple[str | int, ...], str]]:
    """What is wrong with a card's dated values, events and citations, each at its key."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    keys = [s.key for s in card.sources if s.key is not None]
    problems += [(("sources", i, "key"), f"source key {s.key!r} is given twice")
                 for i, s in enumerate(card.sources)
                 if s.key is not None and keys.count(s.key) > 1 and keys.index(s.key) != i]
    providers = {o.provider for o in card.api_offerings}
    for i, value in enumerate(card.dated_values):
        where = ("dated_values", i)
        problems += [(where + ("fact",), m) for m in _fact_problems(value, providers)]
        problems += [(where + ("sources",), m) for m in _citation_problems(value.sources, keys)]
    for i, event in enumerate(card.revocation.events):
        problems += [(("revocation", "events", i, "sources"), m)
                     for m in _citation_problems(event.sources, keys)]
    problems += [(("inferred", path), f"no fact {path!r} in a model card")
                 for path in card.inferred if not _is_card_path(path, providers)]
    for i, dispute in enumerate(card.disputes):
        problems += [(("disputes", i, "claims", j, "sources"), m)
                     for j, claim in enumerate(dispute.claims)
                     for m in _citation_problems(claim.sources, keys)]
    for path, cited in card.fact_sources.items():
        if not _is_card_path(path, providers):
            problems.append((("fact_sources", path), f"no fact {path!r} in a model card"))
        problems += [(("fact_sources", path), m) for m in _citation_problems(cited, keys)]
    problems += _order_problems(card)
    if card.revocation.events:
        problems += [(("revocation", name), (f"revocation.{name} is set by the events when "
                      "there are any; leave it out"))
                     for name in ("since", "by", "scope")
                     if getattr(card.revocation, name) is not None]
    return problems


@functools.cache
def _strict_adapter(on_offering: bool, fact: str) -> TypeAdapter[Any] | None:
    """A strict validator of the fact's type (as the card itself: a date is YYYY-MM-DD text, a
    number is no text); None when the fact is none a date can change."""
    model: type[BaseModel] = ApiOffering if on_offering else ModelCard
    path = fact.split(".")
    not_dated = _OFFERING_NOT_DATED if on_offering else _NOT_DATED
    annotation = None if path[0] in not_dated else leaf_annotation(model, path)
    if annotation is None:
        return None
    return TypeAdapter(annotation, config=ConfigDict(strict=True))


def in_normal_form(value: DatedValue) -> DatedValue:
    """The dated value as the card's own field holds it once validated (a licence in SPDX
    normal spelling: ``mit`` reads ``MIT``), so whoever applies it later (the native engine,
    Rego, a report) sees what the undated field would hold. Unchanged when it does not fit
    (``dated_value_problems`` says why) or when its offering is unknown."""
    adapter = _strict_adapter(value.offering is not None, value.fact)
    if adapter is None or value.value is None:
        return value
    try:
        normal = adapter.validate_python(value.value)
    except ValidationError:
        return value
    return value if normal == value.value else value.model_copy(update={"value": normal})


def _fact_problems(value: DatedValue, providers: set[str]) -> list[str]:
    if value.offering is not None and value.offering not in providers:
        return [f"no API offering with provider {value.offering!r} in this card"]
    if value.offering is None and value.fact in EVENT_FACTS:
        return [f"{value.fact} is dated by revocation events, not by dated_values"]
    if value.offering is not None and value.fact in _OFFERING_WINDOW:
        return [(f"{value.fact} is the offering's own dating: write it on the offering, not "
                 "in dated_values")]
    adapter = _strict_adapter(value.offering is not None, value.fact)
    if adapter is None:
        inside = "an API offering" if value.offering is not None else "a model card"
        return [(f"{value.fact!r} is not a fact of {inside} a date can change (a value "
                "inside the card, not a list of records or an optional section)")]
    try:
        adapter.validate_python(value.value)
    except ValidationError as e:
        return [f"value {value.value!r} does not fit {value.fact}: {e.errors()[0]['msg']}"]
    return []


def _citation_problems(cited: list[str], keys: list[str]) -> list[str]:
    return [f"no source with key {key!r} in this card's sources" for key in cited
            if key not in keys]


def _is_card_path(path: str, providers: set[str]) -> bool:
    """Whether ``path`` names a fact or a section of the card (``api_offerings[P]...`` names
    one offering's facts)."""
    if path.startswith("api_offerings[") and "]" in path:
        provider, rest = path[len("api_offerings["):].split("]", 1)
        return provider in providers and (rest == "" or (
            rest.startswith(".") and _names_field(ApiOffering, rest[1:].split("."))))
    return _names_field(ModelCard, path.split("."))


def _names_field(model: type[BaseModel], path: list[str]) -> bool:
    field = model.model_fields.get(path[0])
    if field is None:
        return False
    if len(path) == 1:
        return True
    sub = _submodel(peel(field.annotation).bare)
    return sub is not None and _names_field(sub, path[1:])


def _order_problems(card: ModelCard) -> list[tuple[tuple[str | int, ...], str]]:
    """Dated values of one fact must be oldest first and on distinct days (two values from one
    day leave it unclear which holds; a list out of order is most likely a typo in a date);
    revocation events oldest first."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    last: dict[FactKey, dt.date] = {}
    for i, value in enumerate(card.dated_values):
        key = (value.offering, value.fact)
        before = last.get(key)
        if before is not None and value.since <= before:
            problems.append((("dated_values", i, "since"), _order_message(
                value.fact, value.since, before)))
        last[key] = value.since
    # Events on one day are allowed (a directive, then the vendor's response): the later
    # listed holds from that day.
    events = card.revocation.events
    for i in range(1, len(events)):
        if events[i].date < events[i - 1].date:
            problems.append((("revocation", "events", i, "date"), _order_message(
                "revocation events", events[i].date, events[i - 1].date)))
    return problems


def _order_message(what: str, since: dt.date, before: dt.date) -> str:
    if since == before:
        return f"two values of {what} from {since}: which holds that day is unclear"
    return f"values of {what} must be oldest first: {since} comes after {before}"
