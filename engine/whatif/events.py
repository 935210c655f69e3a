"""What each scenario event does to the records: the one place that maps an event onto record
edits, so that when the card's facts change shape (dated revocation events as the source of
truth, costs per task, …) only this module follows.

An event is applied when its date is on or before the as-of date. A suspension appends a
``RevocationEvent`` to each card it names and sets the card's current ``revocation`` status to
``suspended`` since that date (what ``revocation.access-suspended`` reads today).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from govern.lineage import revalidated_card
from govern.record_data import record_input
from govern.records import DataClassRule, ModelCard, Profile, Record, RevocationEvent
from govern.whatif.scenario import (
    CapacityEvent,
    DataRuleEvent,
    MoveHostEvent,
    PriceEvent,
    Scenario,
    SuspendEvent,
)

R = TypeVar("R", bound=Record)


@dataclass
class EditedRecords:
    """Copies of the catalog's cards and profiles with the scenario's events made."""

    models: dict[str, ModelCard]
    profiles: dict[str, Profile]
    applied: list[str] = field(default_factory=list)
    """One line per event applied: what it changed."""
    pending: list[str] = field(default_factory=list)
    """Events dated after the as-of date, not applied."""


def suspended_models(event: SuspendEvent, models: Mapping[str, ModelCard]) -> list[str]:
    """The ids of the cards a suspension names, in catalog order."""
    return [m.id for m in models.values()
            if m.id == event.model
            or (event.vendor is not None and m.vendor.name == event.vendor)
            or (event.jurisdiction is not None and m.vendor.jurisdiction == event.jurisdiction)]


def _suspend(event: SuspendEvent, records: EditedRecords, scenario: str) -> str:
    ids = suspended_models(event, records.models)
    already = [i for i in ids if records.models[i].revocation.status in DARK]
    for model_id in (i for i in ids if i not in already):
        card = records.models[model_id]
        revocation = card.revocation.model_copy(update={
            "status": "suspended", "since": event.date, "by": event.by, "scope": event.scope,
            "events": [*card.revocation.events, RevocationEvent(
                date=event.date, actor=event.by, action="suspended", scope=event.scope,
                reason=event.reason, source=f"what-if scenario: {scenario}")]})
        records.models[model_id] = _revalidated(card, {"revocation": revocation})
    line = f"hosted access suspended: {', '.join(i for i in ids if i not in already) or 'none'}"
    return line + (f" (already dark: {', '.join(already)})" if already else "")


DARK = ("suspended", "withdrawn")
"""Revocation statuses a suspension leaves as they are: access is already gone."""


def _offering_index(card: ModelCard, provider: str) -> int:
    return next(i for i, o in enumerate(card.api_offerings) if o.provider == provider)


def _edit_offering(card: ModelCard, provider: str, update: dict[str, Any]) -> ModelCard:
    offerings = list(card.api_offerings)
    index = _offering_index(card, provider)
    offerings[index] = offerings[index].model_copy(update=update)
    return _revalidated(card, {"api_offerings": offerings})


def _price(event: PriceEvent, records: EditedRecords, scenario: str) -> str:
    card = records.models[event.model]
    pricing = card.api_offerings[_offering_index(card, event.provider)].pricing
    changed = {k: v for k, v in (("input_usd_per_mtok", event.input_usd_per_mtok),
                                 ("output_usd_per_mtok", event.output_usd_per_mtok))
               if v is not None}
    records.models[event.model] = _edit_offering(card, event.provider,
                                                 {"pricing": pricing.model_copy(update=changed)})
    return f"{event.model} via {event.provider}: prices {changed}"


def _move_host(event: MoveHostEvent, records: EditedRecords, scenario: str) -> str:
    update: dict[str, Any] = {"host_jurisdiction": event.host_jurisdiction}
    if event.regions is not None:
        update["regions"] = event.regions
    records.models[event.model] = _edit_offering(records.models[event.model], event.provider,
                                                 update)
    return f"{event.model} via {event.provider}: hosted in {event.host_jurisdiction}"


def _capacity(event: CapacityEvent, records: EditedRecords, scenario: str) -> str:
    profile = records.profiles[event.profile]
    self_host = profile.self_host.model_copy(
        update={"accelerator_memory_gb": event.accelerator_memory_gb})
    records.profiles[event.profile] = _revalidated(profile, {"self_host": self_host})
    return f"profile {event.profile}: self-host capacity {event.accelerator_memory_gb:g} GB"


def _data_rule(event: DataRuleEvent, records: EditedRecords, scenario: str) -> str:
    profile = records.profiles[event.profile]
    rules = dict(profile.data_classes)
    current = rules.get(event.data_class)
    data = current.model_dump(exclude_none=True) if current else {"host_jurisdictions": []}
    if event.host_jurisdictions is not None:
        data["host_jurisdictions"] = event.host_jurisdictions
    if event.residency_regions is not None:
        data["residency_regions"] = event.residency_regions
    rules[event.data_class] = DataClassRule(**data)
    records.profiles[event.profile] = _revalidated(profile, {"data_classes": rules})
    return f"profile {event.profile}: {event.data_class} rule {data}"


def _revalidated(record: R, update: dict[str, Any]) -> R:
    """A copy with ``update`` made, validated again like a record read from a file."""
    data = record_input(record.model_copy(update=update))
    if isinstance(record, ModelCard):
        return cast(R, revalidated_card(data, record))
    return type(record).model_validate(data)


APPLY: dict[type, Callable[[Any, EditedRecords, str], str]] = {
    SuspendEvent: _suspend, PriceEvent: _price, MoveHostEvent: _move_host,
    CapacityEvent: _capacity, DataRuleEvent: _data_rule,
}


def apply_scenario(scenario: Scenario, models: Mapping[str, ModelCard],
                   profiles: Mapping[str, Profile], as_of: dt.date) -> EditedRecords:
    """The cards and profiles with every event dated on or before ``as_of`` made, in date
    order (events of one day in file order)."""
    records = EditedRecords(dict(models), dict(profiles))
    for event in sorted(scenario.events, key=lambda e: e.date):
        if event.date > as_of:
            records.pending.append(f"{event.date}: {event.kind} (after the as-of date)")
            continue
        records.applied.append(f"{event.date}: " + APPLY[type(event)](event, records,
                                                                       scenario.name))
    return records
