"""The record kinds govern reads, as frozen pydantic models.

Every model forbids unknown keys (a typo like ``efect:`` is an error, not a silently ignored key)
and validates strictly (``"744"`` is not a number). A fact nobody has published is ``None``:
missing is not false, and rules treat it as *unknown*.

These models are the single source of the JSON Schemas (``govern schema KIND``) and of the set of
fact paths a policy condition may address (``govern.facts``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from govern.attribute_docs import apply_attribute_docstrings
from govern.conditions import Condition
from govern.fieldtypes import (
    NO_NULL_IN_SCHEMA,
    AbsentMeans,
    ApprovedLicence,
    ComputedByLoader,
    IsoDate,
    Jurisdiction,
    NonEmptyStr,
    RecordId,
    Region,
    RuleId,
    SpdxExpression,
)
from govern.lineage import Lineage

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
    reads costs nothing to build, and the descriptions are in place when it is built. A default
    that is itself a record is made with ``model_construct()`` (every field at its default,
    nothing to validate), so defining a kind builds no validator of its parts either.
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

    key: RecordId | None = None
    """Short name facts cite this source by (``fact_sources``, ``dated_values``, events),
    e.g. 'sole-24-ore'; unique in the card."""
    publication: NonEmptyStr
    """Publication or site, e.g. 'Il Sole 24 Ore'."""
    title: str | None = None
    """Title of the article or document."""
    author: str | None = None
    """Author, when the publication names one."""
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
    """Total parameters, in billions; null when unpublished."""
    active_billion: float | None = None
    """Active parameters per token (mixture-of-experts models)."""


class Pricing(Record):
    input_usd_per_mtok: float | None = None
    """US dollars per million input tokens; null when unpublished."""
    output_usd_per_mtok: float | None = None
    """US dollars per million output tokens; null when unpublished."""


class DataTerms(Record):
    retention_days: int | None = None
    """How long the provider keeps prompts and outputs; None when unpublished."""
    trains_on_customer_data: bool | None = None
    """Whether the provider trains on customers' prompts; null when unpublished."""


class ApiOffering(Record):
    """One way to call the model on someone else's servers."""

    provider: NonEmptyStr
    """Who runs the endpoint, e.g. 'Z.ai' or 'OpenRouter'."""
    host_jurisdiction: Jurisdiction | None = None
    """Jurisdiction the hosted endpoint (and so the data sent to it) falls under."""
    regions: list[Region] | None = None
    """Regions the endpoint serves from; None when unpublished."""
    pricing: Pricing = Pricing.model_construct()
    """Published prices of this endpoint."""
    data_terms: DataTerms = DataTerms.model_construct()
    """What the provider does with the data sent to it."""
    # Absent, the offering holds on every date: a null (an editor's blank) would silently
    # widen it, so it is refused like every key whose absence has a meaning.
    offered_since: Annotated[IsoDate | None, AbsentMeans("offered on every date before"),
                             NO_NULL_IN_SCHEMA] = None
    """First day the provider offers the model (YYYY-MM-DD); absent when not recorded. Decided
    as of an earlier date, the card has no such offering (``govern.dated``)."""
    offered_until: Annotated[IsoDate | None, AbsentMeans("still offered"),
                             NO_NULL_IN_SCHEMA] = None
    """Last day the provider offers the model (YYYY-MM-DD); absent while it still does.
    Decided as of a later date, the card has no such offering."""

    @field_validator("offered_until")
    @classmethod
    def _offered_in_order(cls, until: dt.date | None, info: ValidationInfo) -> dt.date | None:
        # refused at offered_until, the key to mend (offered_since is validated before it)
        since = info.data.get("offered_since")
        if since is not None and until is not None and until < since:
            raise ValueError(f"offered_until {until} is before offered_since {since}")
        return until


class KvCacheGeometry(Record):
    """What the KV cache of one token takes, as the model's published configuration gives it:
    either ``layers``, ``kv_heads`` and ``head_dim`` (standard or grouped-query attention:
    2 x layers x kv_heads x head_dim values per token), or ``values_per_token`` directly (for
    attention schemes such as multi-head latent attention, whose cache is not K and V heads).
    The memory a self-host option needs is derived from it (``derived.self_host_memory_gb``);
    left out, that memory is unknown and the capacity rules fail closed."""

    layers: int | None = Field(default=None, ge=1)
    """Transformer layers that keep a KV cache."""
    kv_heads: int | None = Field(default=None, ge=1)
    """Key/value heads per layer (fewer than query heads under grouped-query attention)."""
    head_dim: int | None = Field(default=None, ge=1)
    """Dimension of one head."""
    values_per_token: int | None = Field(default=None, ge=1)
    """Cached values per token over all layers, when the configuration is not plain K/V heads."""
    source: NonEmptyStr
    """Where the configuration is published (e.g. the model's config.json on Hugging Face)."""

    @model_validator(mode="after")
    def _one_form(self) -> KvCacheGeometry:
        heads = (self.layers, self.kv_heads, self.head_dim)
        if self.values_per_token is None and None in heads:
            raise ValueError("give layers, kv_heads and head_dim, or values_per_token")
        if self.values_per_token is not None and heads != (None, None, None):
            raise ValueError("give layers, kv_heads and head_dim, or values_per_token, "
                             "not both")
        return self


class MeasuredTokens(Record):
    """Tokens a model spent per task in a published measurement (e.g. a benchmark run)."""

    output: int = Field(ge=0)
    """Output tokens per task, reasoning included (reasoning tokens are billed as output)."""
    reasoning: int | None = Field(default=None, ge=0)
    """Of ``output``, the tokens spent reasoning; null when the source does not split them."""
    measured_by: NonEmptyStr
    """What was measured, e.g. 'Artificial Analysis Intelligence Index'."""
    source: NonEmptyStr
    """Publication (and date, when it carries one) reporting the figure."""


class RevocationEvent(Record):
    date: IsoDate
    """When it happened (YYYY-MM-DD)."""
    actor: NonEmptyStr
    """Who acted, e.g. the vendor or a regulator."""
    action: Literal["suspended", "withdrawn", "restricted", "restored"]
    """What happened to access: suspended, withdrawn, restricted, restored."""
    scope: NonEmptyStr
    """For whom access changed, e.g. 'EU customers'."""
    reason: str | None = None
    """Why, as the source gives it (its stated trigger); null when it gives none."""
    outlook: str | None = None
    """What the source says was under way next (e.g. negotiations with a government)."""
    source: NonEmptyStr
    """Publication and date reporting the event."""
    sources: list[RecordId] = []
    """Keys of the card's ``sources`` reporting the event."""


class Revocation(Record):
    """Whether access can be, or has been, taken away."""

    status: Literal["available", "suspended", "withdrawn", "restricted"] | None = None
    """Whether the model can be used; null when unknown. With ``events``, the status before
    the first event: on a date D the latest event on or before D sets status, since, by and
    scope (see ``govern.dated``)."""
    since: IsoDate | None = None
    """Since when the status holds (YYYY-MM-DD); set by the events when there are any."""
    by: str | None = None
    """Who changed the status (e.g. the vendor under a government directive); set by the
    events when there are any."""
    scope: str | None = None
    """For whom (e.g. all customers); set by the events when there are any."""
    government_can_revoke: bool | None = None
    """Whether a government can cut off access to the hosted model (its API offerings)."""
    weights_can_be_blocked: bool | None = None
    """Whether a government can block use of the weights once downloaded: false for freely
    downloadable weights (a government can cut off a hosted API, not downloaded weights);
    null when unknown or when there are no open weights."""
    events: list[RevocationEvent] = []
    """Every suspension, withdrawal or restoration, oldest first; of two on one day the later
    listed holds from that day."""


DatedScalar = str | bool | int | float | list[str] | None


class DatedValue(Record):
    """A value a fact of the card takes from a date on. On a decision date D the value in force
    is the latest one with ``since`` on or before D; a fact whose first dated value is after D
    is unknown on D unless the card also gives it undated (see ``govern.dated``)."""

    fact: NonEmptyStr
    """The fact, as a path inside the card (e.g. ``license``) or, with ``offering``, inside that
    API offering (e.g. ``pricing.input_usd_per_mtok``)."""
    offering: NonEmptyStr | None = None
    """Provider of the API offering the fact belongs to; absent for a fact of the card."""
    since: IsoDate
    """First day the value holds (YYYY-MM-DD)."""
    value: DatedScalar
    """The value from ``since`` on; null means unknown from that day."""
    sources: list[RecordId] = []
    """Keys of the card's ``sources`` giving this value."""


class Audit(Record):
    auditor: NonEmptyStr
    """Who audited the model."""
    date: IsoDate | None = None
    """When the audit was published (YYYY-MM-DD); null when undated."""
    scope: NonEmptyStr
    """What the audit covered."""
    source: NonEmptyStr
    """Where the audit was published."""


class Safeguards(Record):
    audits: list[Audit] | None = None
    """Independent audits of the model's safeguards; None = nobody has published any."""
    certifications: list[str] | None = None
    """Certifications held (e.g. ISO/IEC 42001); null when unknown."""


class Benchmark(Record):
    name: NonEmptyStr
    """Benchmark name, e.g. 'SWE-bench Verified'."""
    value: float
    """The reported score."""
    unit: str | None = None
    """Unit of the score, e.g. '%'."""
    source: NonEmptyStr
    """Who reported the score, and when."""


class Claim(Record):
    value: str | float | bool
    """The value this source gives."""
    source: NonEmptyStr
    """The source making the claim."""
    date: IsoDate | None = None
    """When the claim was made, where it matters (a claim true when written, since overtaken)."""
    sources: list[RecordId] = []
    """Keys of the card's ``sources`` making the claim."""


class Dispute(Record):
    """Sources disagree on a fact: the card records every claim instead of picking silently."""

    fact: NonEmptyStr
    """The disputed fact, as a path inside the card (e.g. ``parameters.total_billion``)."""
    claims: list[Claim] = Field(min_length=2)
    """What each source says; at least two."""
    recorded: NonEmptyStr
    """Which value the card records and why."""


class ModelCard(Record):
    """One model: facts from cited sources, ``None`` where nothing is published."""

    id: RecordId
    """Card id, the file's name without .yaml, e.g. 'glm-5.2'."""
    name: NonEmptyStr
    """The model's name as its vendor writes it."""
    vendor: Vendor
    """Who builds the model, and where."""
    license: SpdxExpression | None = None
    """SPDX licence expression of the weights (e.g. 'MIT', 'Apache-2.0 OR MIT',
    'LicenseRef-llama3'), or 'proprietary'; normalised on loading; null when unknown."""
    base_model: list[RecordId] = []
    """Card ids of the models this one is fine-tuned or merged from; their licences bind it too."""
    open_weights: bool | None = None
    """Whether the weights can be downloaded; null when unknown."""
    parameters: Parameters = Parameters.model_construct()
    """Model size, in billions of parameters."""
    context_window_tokens: int | None = None
    """Longest input, in tokens; null when unpublished."""
    architecture: str | None = None
    """e.g. 'mixture-of-experts transformer'; null when unpublished."""
    kv_cache: KvCacheGeometry | None = None
    """The KV-cache geometry self-hosting memory is derived from; null when unpublished."""
    tokens_per_task: MeasuredTokens | None = None
    """Output tokens the model spends per task, as measured by a named source; the cost of a
    task uses it when the task declares no output tokens of its own."""
    api_offerings: list[ApiOffering] = []
    """Every hosted endpoint the model can be called through."""
    revocation: Revocation = Revocation.model_construct()
    """Whether access to this model can be, or has been, taken away, and by whom."""
    safeguards: Safeguards = Safeguards.model_construct()
    """Published audits and certifications."""
    benchmarks: list[Benchmark] = []
    """Published benchmark scores, with their sources."""
    disputes: list[Dispute] = []
    """Facts on which sources disagree, with every claim."""
    dated_values: list[DatedValue] = []
    """Values facts take from a date on, oldest first for each fact (see ``govern.dated``)."""
    inferred: dict[NonEmptyStr, NonEmptyStr] = {}
    """Per fact path inside the card: facts the card infers rather than reads in a source, with
    the basis of the inference (a fact no source states and nothing supports stays unknown)."""
    fact_sources: dict[NonEmptyStr, list[RecordId]] = {}
    """Per fact path inside the card (``license``, ``parameters``, ``api_offerings[Z.ai]``):
    the keys of the ``sources`` it comes from. A path covers the facts under it."""
    as_of: IsoDate
    """Date the facts were last checked."""
    sources: list[Source] = Field(min_length=1)
    """The publications the card's facts come from; at least one."""
    notes: str | None = None
    """Free text for readers; rules never read it."""
    lineage: SkipJsonSchema[Annotated[Lineage | None, ComputedByLoader(
        "from base_model, when the catalog is loaded")]] = None
    """The licences along base_model, resolved by the loader; rules read it through the
    derived facts ``derived.lineage_licenses`` and ``derived.license_approved``."""

    @field_validator("dated_values")
    @classmethod
    def _dated_values_in_normal_form(cls, values: list[DatedValue]) -> list[DatedValue]:
        from govern.dated import in_normal_form  # govern.dated reads the records defined here

        return [in_normal_form(v) for v in values]

    @field_validator("base_model")
    @classmethod
    def _bases_unique(cls, bases: list[str], info: ValidationInfo) -> list[str]:
        if len(set(bases)) != len(bases):
            raise ValueError("base_model lists a card twice")
        if info.data.get("id") in bases:
            raise ValueError(f"base_model names the card itself ('{info.data['id']}'): "
                             "a model cannot derive from itself")
        return bases


# ---------------------------------------------------------------- options


class Option(Record):
    """One way to deploy a model, as the core builds it for a profile. Addressed as ``option.*``."""

    deployment: Deployment
    provider: str | None = None
    """API provider; None for self-host."""
    host_jurisdiction: Jurisdiction | None = None
    """API: the endpoint's jurisdiction. Self-host: the profile's self-host jurisdiction."""
    regions: list[Region] | None = None
    pricing: Pricing = Pricing.model_construct()
    data_terms: DataTerms = DataTerms.model_construct()


# ---------------------------------------------------------------- tasks


class ExpectedTokens(Record):
    """What one task is expected to take, as the organisation estimates it."""

    input: Annotated[Annotated[int, Field(ge=0)] | None, AbsentMeans("not estimated"),
                     NO_NULL_IN_SCHEMA] = None
    """Input tokens sent per task (prompt, documents, code); absent when not estimated."""
    output: Annotated[Annotated[int, Field(ge=0)] | None,
                      AbsentMeans("each model's measured output tokens are used"),
                      NO_NULL_IN_SCHEMA] = None
    """Output tokens per task, reasoning included. When declared it is used for every model;
    when absent, each model's measured ``tokens_per_task.output`` is used."""


class Task(Record):
    """A use case: what the model would be used for, and what data it touches."""

    id: RecordId
    """Task id, the file's name without .yaml, e.g. 'refactoring'."""
    name: NonEmptyStr
    """A short human name for the use case."""
    description: NonEmptyStr
    """What the model would do, in a sentence or two."""
    risk_tier: RiskTier
    """high or lower; rules may apply only to some tiers."""
    data_classes: list[DataClass] = Field(min_length=1)
    """Every class of data the model would see; at least one."""
    business_critical: bool
    """Whether an outage of the model stops the business."""
    tokens_per_task: ExpectedTokens = ExpectedTokens.model_construct()
    """Expected input (and optionally output) tokens per task, for its cost per task."""
    context_tokens: int | None = Field(default=None, ge=0)
    """Longest context one request of the task holds (input plus output), for the KV cache a
    self-hosted model needs; null when not estimated (the self-host memory is then unknown)."""
    rationale: str | None = None
    """Why the tier and data classes are what they are."""
    sources: list[Source] = []
    """Publications behind the rationale, if any."""


# ---------------------------------------------------------------- profiles


class DataClassRule(Record):
    host_jurisdictions: list[Jurisdiction]
    """Jurisdictions whose hosts may receive data of this class."""
    residency_regions: Annotated[list[Region] | None,
                                 AbsentMeans("no residency requirement"), NO_NULL_IN_SCHEMA] = None
    """Regions the data must stay in; None means no residency requirement."""


Precision = Literal["FP32", "FP16", "BF16", "FP8", "INT8", "INT4"]

BYTES_PER_VALUE: dict[str, float] = {"FP32": 4, "FP16": 2, "BF16": 2, "FP8": 1, "INT8": 1,
                                     "INT4": 0.5}
"""Bytes one weight (or one cached value) takes at each precision."""


class Accelerator(Record):
    """The accelerator type the self-host infrastructure is made of."""

    name: NonEmptyStr
    """e.g. 'NVIDIA H100 80GB'."""
    memory_gb: float = Field(gt=0)
    """Memory of one device, in GB; a memory shortfall also reads in devices of this size."""


class SelfHostCapacity(Record):
    jurisdiction: Jurisdiction
    """Jurisdiction of the infrastructure we control."""
    regions: list[Region]
    """Regions of our own infrastructure."""
    accelerator_memory_gb: float = Field(ge=0)
    """Accelerator memory we can give one model; 0 when we cannot self-host."""
    precision: Precision | None = None
    """Precision the weights are served at (FP16, BF16, FP8, INT8, INT4, FP32); the memory a
    model needs is derived at it. Null: unknown, so that memory is unknown (fails closed)."""
    kv_cache_precision: Annotated[Precision | None, AbsentMeans("FP16, 2 bytes a value"),
                                  NO_NULL_IN_SCHEMA] = None
    """Precision of the KV cache; absent means FP16, what inference servers keep it at unless
    told otherwise."""
    accelerator: Annotated[Accelerator | None, AbsentMeans("no accelerator type declared"),
                           NO_NULL_IN_SCHEMA] = None
    """The device type, so a shortfall also reads as a number of devices."""


class Profile(Record):
    """An organisation: where its data may go and how it prefers to deploy."""

    id: RecordId
    """Profile id, the file's name without .yaml."""
    name: NonEmptyStr
    """The organisation's name."""
    description: NonEmptyStr
    """Who this profile is for."""
    home_jurisdiction: Jurisdiction
    """Where the organisation is based, e.g. 'EU'."""
    data_classes: dict[DataClass, DataClassRule]
    """Per data class, where it may go. A class not listed may go nowhere."""
    trusted_vendor_jurisdictions: list[Jurisdiction]
    """Jurisdictions whose vendors are trusted."""
    self_host: SelfHostCapacity
    """The infrastructure we control, for self-hosting."""
    preference: list[Deployment] = Field(min_length=1, max_length=2)
    """Order in which allowed deployments are recommended."""
    approved_licenses: list[ApprovedLicence] = []
    """Licences legal has approved for self-hosting, one SPDX id each (``L WITH E`` or
    ``LicenseRef-…`` too), normalised; absent or empty approves none."""
    max_cost_per_task_usd: Annotated[Annotated[float, Field(ge=0)] | None,
                                     AbsentMeans("no budget per task"), NO_NULL_IN_SCHEMA] = None
    """Budget for one task, in US dollars; rules compare ``derived.cost_per_task_usd`` with it."""

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
    """Only these deployments; absent means every deployment."""
    risk_tiers: Annotated[list[RiskTier] | None, AbsentMeans("every risk tier"),
                          NO_NULL_IN_SCHEMA] = None
    """Only tasks of these risk tiers; absent means every tier."""
    business_critical: Annotated[bool | None, AbsentMeans("business-critical or not"),
                                 NO_NULL_IN_SCHEMA] = None
    """Only (true) or never (false) business-critical tasks; absent means either."""


class Rationale(Record):
    text: NonEmptyStr
    """Why the rule exists, in plain words."""
    source: NonEmptyStr
    """Publication and date, or the regulation, the rule rests on."""


class Rule(Record):
    id: RuleId
    """Rule id, unique in the catalog, e.g. 'licence.no-open-weights'."""
    description: NonEmptyStr
    """What the rule checks, in one line."""
    effect: Effect
    """deny: the option is refused; require: allowed with an obligation; warn: a finding only."""
    severity: Severity
    """low, medium, high or critical; shown in reports and SARIF."""
    applies_to: AppliesTo = AppliesTo.model_construct()
    """Which options the rule is checked against; absent means all."""
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
    """Why the rule exists, and the source it rests on."""

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
    """Policy id, the file's name without .yaml."""
    title: NonEmptyStr
    """A one-line title."""
    description: NonEmptyStr
    """The concern the policy's rules address."""
    rules: list[Rule] = Field(min_length=1)
    """The rules; at least one."""


# ---------------------------------------------------------------- waivers


class WaiverScope(Record):
    """What a waiver covers; an absent key matches anything."""

    model: Annotated[RecordId | None, AbsentMeans("any model"), NO_NULL_IN_SCHEMA] = None
    """Only this model card id; absent means any model."""
    task: Annotated[RecordId | None, AbsentMeans("any task"), NO_NULL_IN_SCHEMA] = None
    """Only this task id; absent means any task."""
    deployment: Annotated[Deployment | None, AbsentMeans("any deployment"),
                          NO_NULL_IN_SCHEMA] = None
    """Only this deployment; absent means any deployment."""
    provider: Annotated[str | None, AbsentMeans("any provider"), NO_NULL_IN_SCHEMA] = None
    """Only this API provider; absent means any provider."""


class Waiver(Record):
    """An approved, time-limited exception to one deny rule."""

    id: RecordId
    """Waiver id, the file's name without .yaml."""
    rule: NonEmptyStr
    """The id of the deny rule waived."""
    scope: WaiverScope = WaiverScope.model_construct()
    """Which decisions it covers; absent keys match anything."""
    owner: NonEmptyStr
    """Who answers for the exception (a role or team)."""
    reason: NonEmptyStr
    """Why the exception is acceptable."""
    reference: NonEmptyStr
    """Ticket or approval reference."""
    expires: IsoDate
    """Last day the waiver applies (YYYY-MM-DD)."""


RECORD_KINDS: dict[str, type[Record]] = {
    "model_card": ModelCard,
    "task": Task,
    "profile": Profile,
    "policy": Policy,
    "waiver": Waiver,
}
