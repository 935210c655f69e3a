"""A what-if scenario: a named list of dated events to replay on a copy of the catalog.

Strict like every record (unknown keys refused, a wrong type named at its line), and the source
of ``govern schema scenario``. What each event does to the records is
``govern.whatif.events``; this module only says what a scenario file may hold.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from govern.fieldtypes import (
    NO_NULL_IN_SCHEMA,
    AbsentMeans,
    IsoDate,
    Jurisdiction,
    NonEmptyStr,
    RecordId,
    Region,
)
from govern.records import DataClass, Record


class _Event(Record):
    date: IsoDate
    """The day the event takes effect (YYYY-MM-DD); an event after the as-of date is not
    applied and the report says so."""


class SuspendEvent(_Event):
    """Hosted access suspended from ``date``: one model, every model of a vendor, or every
    model whose vendor is in a jurisdiction (exactly one of the three)."""

    kind: Literal["suspend"]
    """The kind of event: ``suspend``."""
    model: Annotated[RecordId | None, AbsentMeans("not one model"), NO_NULL_IN_SCHEMA] = None
    """A model card id, e.g. ``claude-fable-5``."""
    vendor: Annotated[NonEmptyStr | None, AbsentMeans("not a vendor"), NO_NULL_IN_SCHEMA] = None
    """A vendor name as the cards write it (``vendor.name``), e.g. ``Anthropic``."""
    jurisdiction: Annotated[Jurisdiction | None, AbsentMeans("not a jurisdiction"),
                            NO_NULL_IN_SCHEMA] = None
    """Every model whose vendor's jurisdiction is this, e.g. ``CN``."""
    by: NonEmptyStr = "the scenario"
    """Who suspends access, e.g. 'Anthropic, under a US export-control directive'."""
    scope: NonEmptyStr = "all customers"
    """For whom access is suspended."""
    reason: Annotated[str | None, AbsentMeans("no reason given"), NO_NULL_IN_SCHEMA] = None
    """Why, in a sentence."""

    @model_validator(mode="after")
    def _one_target(self) -> SuspendEvent:
        given = [k for k in ("model", "vendor", "jurisdiction") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a suspension names exactly one of model, vendor, jurisdiction")
        return self


class PriceEvent(_Event):
    """An API offering's prices change."""

    kind: Literal["price"]
    """The kind of event: ``price``."""
    model: RecordId
    """The model card id."""
    provider: NonEmptyStr
    """The provider of the offering, as on the card."""
    input_usd_per_mtok: Annotated[float | None, AbsentMeans("unchanged"),
                                  NO_NULL_IN_SCHEMA] = Field(default=None, ge=0)
    """New price per million input tokens (USD)."""
    output_usd_per_mtok: Annotated[float | None, AbsentMeans("unchanged"),
                                   NO_NULL_IN_SCHEMA] = Field(default=None, ge=0)
    """New price per million output tokens (USD)."""


class MoveHostEvent(_Event):
    """An API offering moves to hosts in another jurisdiction (and regions)."""

    kind: Literal["move-host"]
    """The kind of event: ``move-host``."""
    model: RecordId
    """The model card id."""
    provider: NonEmptyStr
    """The provider of the offering, as on the card."""
    host_jurisdiction: Jurisdiction
    """The jurisdiction of the new hosts."""
    regions: Annotated[list[Region] | None, AbsentMeans("unchanged"), NO_NULL_IN_SCHEMA] = None
    """The regions it serves from afterwards."""


class CapacityEvent(_Event):
    """A profile's self-hosting capacity changes."""

    kind: Literal["capacity"]
    """The kind of event: ``capacity``."""
    profile: RecordId
    """The profile id."""
    accelerator_memory_gb: float = Field(ge=0)
    """Accelerator memory it can give one model afterwards."""


class DataRuleEvent(_Event):
    """A profile's rule for one data class changes."""

    kind: Literal["data-rule"]
    """The kind of event: ``data-rule``."""
    profile: RecordId
    """The profile id."""
    data_class: DataClass
    """The data class whose rule changes."""
    host_jurisdictions: Annotated[list[Jurisdiction] | None, AbsentMeans("unchanged"),
                                  NO_NULL_IN_SCHEMA] = None
    """Where data of this class may go afterwards (``[]``: nowhere)."""
    residency_regions: Annotated[list[Region] | None, AbsentMeans("unchanged"),
                                 NO_NULL_IN_SCHEMA] = None
    """Regions it must stay in afterwards."""


Event = Annotated[SuspendEvent | PriceEvent | MoveHostEvent | CapacityEvent | DataRuleEvent,
                  Field(discriminator="kind")]


class Scenario(Record):
    """What if: dated events replayed on a copy of the catalog (``govern what-if``)."""

    name: NonEmptyStr
    """What the scenario is, in a few words."""
    description: Annotated[str | None, AbsentMeans("none"), NO_NULL_IN_SCHEMA] = None
    """Free text for readers."""
    events: list[Event] = Field(min_length=1)
    """The events, each taking effect on its date."""
