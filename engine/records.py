"""The record kinds govern reads, as frozen pydantic models.

Every model forbids unknown keys (a typo like ``efect:`` is an error, not a silently ignored key)
and validates strictly (``"744"`` is not a number). A fact nobody has published is ``None``:
missing is not false, and rules treat it as *unknown*.

These models are the single source of the JSON Schemas (``govern schema KIND``) and of the set of
fact paths a policy condition may address (``govern.facts``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from govern.attribute_docs import apply_attribute_docstrings
from govern.conditions import Condition
from govern.fieldtypes import (
    NO_NULL_IN_SCHEMA,
    AbsentMeans,
    IsoDate,
    Jurisdiction,
    NonEmptyStr,
    RecordId,
    Region,
    RuleId,
)

Deployment = Literal["api", "self-host"]
Effect = Literal["deny", "require", "warn"]
Severity = Literal["low", "medium", "high", "critical"]
RiskTier = Literal["high", "lower"]
DataClass = Literal[
    "public_text",
    "internal_documents",
    "source_code",
    "trade_secrets",
    "personal_data",
    "regulated_data",
    "research_data",
    "legal_documents",
    "security_findings",
]

DEPLOYMENTS: tuple[Deployment, ...] = ("api", "self-host")
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")


class Record(BaseModel):
    """Base of every record: immutable, strict, unknown keys refused.

    Attribute docstrings are field descriptions (see ``govern.attribute_docs``). Building a
    validator waits for the first validation (``defer_build``), so a record kind a command never
    reads costs nothing to build, and the descriptions are in place when it is built.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False,
                              defer_build=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        apply_attribute_docstrings(cls)


# ---------------------------------------------------------------- shared pieces


class Source(Record):
    """Where a fact comes from: a publication and its date, never a local file."""

    publication: NonEmptyStr
    """Publication or site, e.g. 'Il Sole 24 Ore'."""
    title: str | None = None
    author: str | None = None
    date: IsoDate | None = None
    """Publication date; None when the article does not carry one."""


# ---------------------------------------------------------------- model cards


class Vendor(Record):
    name: str | None = None
    """The organisation that builds the model; None when no source names it."""
    jurisdiction: Jurisdiction | None = None
    """Home jurisdiction of the vendor."""


class Parameters(Record):
    total_billion: float | None = None
    active_billion: float | None = None
    """Active parameters per token (mixture-of-experts models)."""


class Pricing(Record):
    input_usd_per_mtok: float | None = None
    output_usd_per_mtok: float | None = None


class DataTerms(Record):
    retention_days: int | None = None
    """How long the provider keeps prompts and outputs; None when unpublished."""
    trains_on_customer_data: bool | None = None


class ApiOffering(Record):
    """One way to call the model on someone else's servers."""

    provider: NonEmptyStr
    host_jurisdiction: Jurisdiction | None = None
    """Jurisdiction the hosted endpoint (and so the data sent to it) falls under."""
    regions: list[Region] | None = None
    """Regions the endpoint serves from; None when unpublished."""
    pricing: Pricing = Pricing()
    data_terms: DataTerms = DataTerms()


class SelfHosting(Record):
    """What running the open weights on our own infrastructure takes."""

    estimated_accelerator_memory_gb: float | None = None
    """Accelerator memory needed to hold the weights; an estimate, see ``basis``."""
    basis: str | None = None
    """How the estimate was made, so a reader can redo it."""


class RevocationEvent(Record):
    date: IsoDate
    actor: NonEmptyStr
    action: Literal["suspended", "withdrawn", "restricted", "restored"]
    scope: NonEmptyStr
    reason: str | None = None
    source: NonEmptyStr


class Revocation(Record):
    """Whether access can be, or has been, taken away."""

    status: Literal["available", "suspended", "withdrawn"] | None = None
    since: IsoDate | None = None
    by: str | None = None
    """Who changed the status (e.g. the vendor under a government directive)."""
    scope: str | None = None
    """For whom (e.g. all customers)."""
    government_can_revoke: bool | None = None
    """Whether a government can cut off access to the hosted model (API-only models)."""
    events: list[RevocationEvent] = []


class Audit(Record):
    auditor: NonEmptyStr
    date: IsoDate | None = None
    scope: NonEmptyStr
    source: NonEmptyStr


class Safeguards(Record):
    audits: list[Audit] | None = None
    """Independent audits of the model's safeguards; None = nobody has published any."""
    certifications: list[str] | None = None


class Benchmark(Record):
    name: NonEmptyStr
    value: float
    unit: str | None = None
    source: NonEmptyStr


class Claim(Record):
    value: str | float | bool
    source: NonEmptyStr


class Dispute(Record):
    """Sources disagree on a fact: the card records every claim instead of picking silently."""

    fact: NonEmptyStr
    """The disputed fact, as a path inside the card (e.g. ``parameters.total_billion``)."""
    claims: list[Claim] = Field(min_length=2)
    recorded: NonEmptyStr
    """Which value the card records and why."""


class ModelCard(Record):
    """One model: facts from cited sources, ``None`` where nothing is published."""

    id: RecordId
    name: NonEmptyStr
    vendor: Vendor
    license: str | None = None
    """SPDX licence id of the weights, or 'proprietary'."""
    open_weights: bool | None = None
    parameters: Parameters = Parameters()
    context_window_tokens: int | None = None
    architecture: str | None = None
    api_offerings: list[ApiOffering] = []
    self_hosting: SelfHosting | None = None
    revocation: Revocation = Revocation()
    safeguards: Safeguards = Safeguards()
    benchmarks: list[Benchmark] = []
    disputes: list[Dispute] = []
    as_of: IsoDate
    """Date the facts were last checked."""
    sources: list[Source] = Field(min_length=1)
    notes: str | None = None


# ---------------------------------------------------------------- options


class Option(Record):
    """One way to deploy a model, as the core builds it for a profile. Addressed as ``option.*``."""

    deployment: Deployment
    provider: str | None = None
    """API provider; None for self-host."""
    host_jurisdiction: Jurisdiction | None = None
    """API: the endpoint's jurisdiction. Self-host: the profile's self-host jurisdiction."""
    regions: list[Region] | None = None
    pricing: Pricing = Pricing()
    data_terms: DataTerms = DataTerms()
    accelerator_memory_gb: float | None = None
    """Self-host only: the card's estimate of accelerator memory needed."""


# ---------------------------------------------------------------- tasks


class Task(Record):
    """A use case: what the model would be used for, and what data it touches."""

    id: RecordId
    name: NonEmptyStr
    description: NonEmptyStr
    risk_tier: RiskTier
    data_classes: list[DataClass] = Field(min_length=1)
    business_critical: bool
    rationale: str | None = None
    sources: list[Source] = []


# ---------------------------------------------------------------- profiles


class DataClassRule(Record):
    host_jurisdictions: list[Jurisdiction]
    """Jurisdictions whose hosts may receive data of this class."""
    residency_regions: Annotated[list[Region] | None,
                                 AbsentMeans("no residency requirement"), NO_NULL_IN_SCHEMA] = None
    """Regions the data must stay in; None means no residency requirement."""


class SelfHostCapacity(Record):
    jurisdiction: Jurisdiction
    """Jurisdiction of the infrastructure we control."""
    regions: list[Region]
    accelerator_memory_gb: float = Field(ge=0)
    """Accelerator memory we can give one model; 0 when we cannot self-host."""


class Profile(Record):
    """An organisation: where its data may go and how it prefers to deploy."""

    id: RecordId
    name: NonEmptyStr
    description: NonEmptyStr
    home_jurisdiction: Jurisdiction
    data_classes: dict[DataClass, DataClassRule]
    """Per data class, where it may go. A class not listed may go nowhere."""
    trusted_vendor_jurisdictions: list[Jurisdiction]
    self_host: SelfHostCapacity
    preference: list[Deployment] = Field(min_length=1, max_length=2)
    """Order in which allowed deployments are recommended."""

    @model_validator(mode="after")
    def _preference_unique(self) -> Profile:
        if len(set(self.preference)) != len(self.preference):
            raise ValueError("preference lists a deployment twice")
        return self


# ---------------------------------------------------------------- policies


class AppliesTo(Record):
    """Which options a rule is checked against; an absent key means 'all'."""

    deployments: Annotated[list[Deployment] | None, AbsentMeans("every deployment"),
                           NO_NULL_IN_SCHEMA] = None
    risk_tiers: Annotated[list[RiskTier] | None, AbsentMeans("every risk tier"),
                          NO_NULL_IN_SCHEMA] = None
    business_critical: Annotated[bool | None, AbsentMeans("business-critical or not"),
                                 NO_NULL_IN_SCHEMA] = None


class Rationale(Record):
    text: NonEmptyStr
    source: NonEmptyStr
    """Publication and date, or the regulation, the rule rests on."""


class Rule(Record):
    id: RuleId
    description: NonEmptyStr
    effect: Effect
    severity: Severity
    applies_to: AppliesTo = AppliesTo()
    when: Annotated[Condition | None, AbsentMeans("the rule always fires"),
                    NO_NULL_IN_SCHEMA] = None
    """The condition under which the rule fires; absent means 'always'."""
    when_unknown: Literal["fire", "warn"] = "fire"
    """If the condition cannot be decided because a fact is unknown: ``fire`` applies the rule's
    effect with an 'insufficient evidence' finding naming the fact; ``warn`` only warns."""
    message: NonEmptyStr
    """Template; ``{model.vendor.name}`` and other fact paths are filled in."""
    obligation: Annotated[RecordId | None, AbsentMeans("no obligation"),
                          NO_NULL_IN_SCHEMA] = None
    """For ``require`` rules: the obligation the option carries if allowed."""
    rationale: Rationale

    @model_validator(mode="after")
    def _obligation_iff_require(self) -> Rule:
        if self.effect == "require" and self.obligation is None:
            raise ValueError("a 'require' rule needs an 'obligation'")
        if self.effect != "require" and self.obligation is not None:
            raise ValueError("only a 'require' rule takes an 'obligation'")
        return self


class Policy(Record):
    """One YAML file of rules about one concern."""

    id: RecordId
    title: NonEmptyStr
    description: NonEmptyStr
    rules: list[Rule] = Field(min_length=1)


# ---------------------------------------------------------------- waivers


class WaiverScope(Record):
    """What a waiver covers; an absent key matches anything."""

    model: Annotated[RecordId | None, AbsentMeans("any model"), NO_NULL_IN_SCHEMA] = None
    task: Annotated[RecordId | None, AbsentMeans("any task"), NO_NULL_IN_SCHEMA] = None
    deployment: Annotated[Deployment | None, AbsentMeans("any deployment"),
                          NO_NULL_IN_SCHEMA] = None
    provider: Annotated[str | None, AbsentMeans("any provider"), NO_NULL_IN_SCHEMA] = None


class Waiver(Record):
    """An approved, time-limited exception to one deny rule."""

    id: RecordId
    rule: NonEmptyStr
    scope: WaiverScope = WaiverScope()
    owner: NonEmptyStr
    reason: NonEmptyStr
    reference: NonEmptyStr
    """Ticket or approval reference."""
    expires: IsoDate


RECORD_KINDS: dict[str, type[Record]] = {
    "model_card": ModelCard,
    "task": Task,
    "profile": Profile,
    "policy": Policy,
    "waiver": Waiver,
}
