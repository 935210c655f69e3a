"""The facts a rule may address, and how they are read from the records.

A fact path is ``<namespace>.<field>.<field>...``: a path into the model card (``model``), the
deployment option being judged (``option``), the task (``task``), the organisation profile
(``profile``), or one of the few facts the engine derives from several records (``derived``).

The record paths are generated from the pydantic models, so a field added to a record is
addressable at once and a path that does not exist is refused when a policy is loaded.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from govern.fieldtypes import ComputedByLoader, peel
from govern.lineage import license_approved, lineage_licenses, lineage_of
from govern.record_data import record_data
from govern.records import ModelCard, Option, Profile, Task

FactType = Literal["string", "number", "boolean", "date", "list", "records"]


@dataclass(frozen=True)
class FactSpec:
    path: str
    type: FactType
    description: str


# ---------------------------------------------------------------- record paths


def _scalar_type(annotation: Any) -> FactType | None:
    annotation = peel(annotation).bare
    if annotation is bool:
        return "boolean"
    if annotation in (int, float):
        return "number"
    if annotation is str or get_origin(annotation) is Literal:
        return "string"
    if annotation is dt.date:
        return "date"
    return None


def _record_paths(prefix: str, model: type[BaseModel]) -> list[FactSpec]:
    specs: list[FactSpec] = []
    for name, field in model.model_fields.items():
        if any(isinstance(m, ComputedByLoader) for m in field.metadata):
            continue  # read through derived facts (e.g. the lineage's licences)
        path = f"{prefix}.{field.alias or name}"
        annotation = peel(field.annotation).bare
        doc = field.description or ""
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            specs.extend(_record_paths(path, annotation))
        elif get_origin(annotation) is list:
            (item,) = get_args(annotation)
            item = peel(item).bare
            is_record = isinstance(item, type) and issubclass(item, BaseModel)
            specs.append(FactSpec(path, "records" if is_record else "list", doc))
        elif (scalar := _scalar_type(annotation)) is not None:
            specs.append(FactSpec(path, scalar, doc))
        # dict-valued fields (profile.data_classes) are reached through derived facts
    return specs


DERIVED: dict[str, FactSpec] = {
    spec.path: spec
    for spec in [
        FactSpec("derived.data_classes_barred_at_host", "list",
                 "The task's data classes that the profile does not let go to "
                 "option.host_jurisdiction (a class the profile does not list may go nowhere). "
                 "Unknown when the host jurisdiction is unknown."),
        FactSpec("derived.data_classes_outside_residency", "list",
                 "The task's data classes with residency regions in the profile that "
                 "option.regions do not stay within. Unknown when a residency applies and the "
                 "option's regions are unknown."),
        FactSpec("derived.cost_per_task_usd", "number",
                 "API only: US dollars one task costs on this option: input tokens x input "
                 "price + output tokens x output price, per million tokens. Input tokens are "
                 "the task's tokens_per_task.input; output tokens the task's "
                 "tokens_per_task.output when it declares them, else the card's measured "
                 "tokens_per_task.output. Computed exactly (prices to a millionth of a dollar); "
                 "unknown when an input is unknown."),
        FactSpec("derived.cost_per_task_basis", "string",
                 "API only: the cost per task's formula with its numbers, or which facts are "
                 "unknown."),
        FactSpec("derived.self_host_weights_gb", "number",
                 "Self-host only: GB the weights take: total parameters (the largest count when "
                 "the card records a dispute about it) x bytes per weight at "
                 "profile.self_host.precision. Unknown when either is unknown."),
        FactSpec("derived.self_host_kv_cache_gb", "number",
                 "Self-host only: GB the KV cache of one request of the task takes: the card's "
                 "kv_cache values per token x task.context_tokens x bytes at "
                 "profile.self_host.kv_cache_precision (FP16 when absent). Unknown when the "
                 "card's geometry or the task's context is unknown."),
        FactSpec("derived.self_host_memory_gb", "number",
                 "Self-host only: self_host_weights_gb + self_host_kv_cache_gb; unknown when "
                 "either is unknown."),
        FactSpec("derived.self_host_memory_basis", "string",
                 "Self-host only: how self_host_memory_gb was derived, with its numbers, or "
                 "which facts are unknown."),
        FactSpec("derived.memory_shortfall_gb", "number",
                 "Self-host only: derived.self_host_memory_gb minus "
                 "profile.self_host.accelerator_memory_gb (negative means headroom), computed "
                 "exactly. Unknown when the memory needed is unknown."),
        FactSpec("derived.memory_shortfall_devices", "number",
                 "Self-host only: how many more devices of profile.self_host.accelerator "
                 "cover the shortfall (0 when there is none). Unknown when the profile declares "
                 "no accelerator or the shortfall is unknown."),
        FactSpec("derived.weights_shortfall_gb", "number",
                 "Self-host only: derived.self_host_weights_gb minus "
                 "profile.self_host.accelerator_memory_gb, exactly: what the weights alone lack "
                 "(a lower bound of memory_shortfall_gb, known when the KV cache is not)."),
        FactSpec("derived.weights_shortfall_devices", "number",
                 "Self-host only: how many more devices of profile.self_host.accelerator cover "
                 "weights_shortfall_gb (0 when there is none); unknown without an accelerator."),
        FactSpec("derived.disputed_facts", "list",
                 "The facts the model card records as disputed between sources."),
        FactSpec("derived.lineage_licenses", "list",
                 "The SPDX licence expressions of the model and of every model it derives from "
                 "(model.base_model, transitively), the model's first. Unknown when one of them "
                 "is unknown or a base has no card in the catalog."),
        FactSpec("derived.license_approved", "boolean",
                 "Whether profile.approved_licenses approves every licence along the lineage: "
                 "'A OR B' when it approves A or B, 'A AND B' when both, 'L WITH E' when L (or "
                 "'L WITH E' itself). False when one known licence is not approved; else "
                 "unknown when a licence or a base is unknown."),
        FactSpec("derived.missing_base_models", "list",
                 "Models named in base_model along the lineage that have no card in the "
                 "catalog (their licences are unknown). Unknown when the bases were not looked "
                 "up, which the catalog always does."),
    ]
}


def _all_fact_specs() -> dict[str, FactSpec]:
    specs = (
        _record_paths("model", ModelCard)
        + _record_paths("option", Option)
        + _record_paths("task", Task)
        + _record_paths("profile", Profile)
    )
    return {s.path: s for s in specs} | DERIVED


FACTS: dict[str, FactSpec] = _all_fact_specs()
"""Every addressable fact path, with its type."""

_PATHS_IN: dict[str, list[str]] = {
    namespace: [path for path in FACTS if path.startswith(namespace + ".")]
    for namespace in ("model", "option", "task", "profile")
}


# ---------------------------------------------------------------- reading facts


def _flatten(prefix: str, data: Any, out: dict[str, Any]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            _flatten(f"{prefix}.{key}", value, out)
    out[prefix] = data


def _barred_at_host(option: Option, task: Task, profile: Profile) -> list[str] | None:
    if option.host_jurisdiction is None:
        return None
    return [
        dc
        for dc in task.data_classes
        if dc not in profile.data_classes
        or option.host_jurisdiction not in profile.data_classes[dc].host_jurisdictions
    ]


def _outside_residency(option: Option, task: Task, profile: Profile) -> list[str] | None:
    bound = [
        dc
        for dc in task.data_classes
        if dc in profile.data_classes and profile.data_classes[dc].residency_regions is not None
    ]
    if not bound:
        return []
    if option.regions is None:
        return None
    return [
        dc
        for dc in bound
        if not set(option.regions) <= set(profile.data_classes[dc].residency_regions or [])
    ]


SHORTFALL_MAX_GB = 10**11
"""Memory figures from this magnitude on give no shortfall: below it, a difference in
thousandths has at most 15 significant digits, so both engines hold and print it alike."""

EXACT_LIMIT = 2**53
"""Every integer the derivations below compute stays under this, where a double (Python's
float, a JSON number) and OPA's arithmetic are both exact; a larger one makes the fact
unknown, never approximately known."""


def exact_scaled(value: float, scale: int, limit: float) -> int | None:
    """``value`` x ``scale`` as an integer when that is exact (``value`` has no more decimals
    than ``scale`` holds) and ``abs(value) < limit``; else None. The Rego engine's ``scaled``
    is the same test, so the engines agree on which figures are exact."""
    if not math.isfinite(value) or abs(value) >= limit:
        return None
    scaled = round(value * scale)
    return scaled if scaled / scale == value else None


def _exact_thousandths(gb: float) -> int | None:
    """``gb`` in thousandths of a GB when it has at most three decimals (and is below
    SHORTFALL_MAX_GB); else None."""
    return exact_scaled(gb, 1000, SHORTFALL_MAX_GB)


def _small(value: int | None) -> int | None:
    return value if value is not None and abs(value) < EXACT_LIMIT else None


# ---------------------------------------------------------------- cost per task

PRICE_SCALE = 10**6
"""Prices are exact to a millionth of a dollar per million tokens."""
COST_SCALE = 10**12
"""tokens x price in millionths = cost in 10^-12 dollars."""
PRICE_LIMIT = 10**6
"""A price per million tokens from this on is not a price but a typo: no cost."""


def output_tokens_per_task(model: ModelCard, task: Task) -> tuple[int, str] | None:
    """The output tokens one task takes on ``model``, and where the figure comes from: the
    task's own estimate when it declares one (it describes this workload), else the card's
    measurement (a benchmark's average, reasoning included, which is what differs between
    models); None when neither is known."""
    if task.tokens_per_task.output is not None:
        return task.tokens_per_task.output, "task"
    measured = model.tokens_per_task
    if measured is not None:
        return measured.output, f"measured: {measured.measured_by}, {measured.source}"
    return None


def _cost_missing(model: ModelCard, option: Option, task: Task) -> list[str]:
    missing = []
    if task.tokens_per_task.input is None:
        missing.append("task.tokens_per_task.input")
    if output_tokens_per_task(model, task) is None:
        missing.append("task.tokens_per_task.output or model.tokens_per_task.output")
    if option.pricing.input_usd_per_mtok is None:
        missing.append("option.pricing.input_usd_per_mtok")
    if option.pricing.output_usd_per_mtok is None:
        missing.append("option.pricing.output_usd_per_mtok")
    return missing


def _cost_units(model: ModelCard, option: Option, task: Task) -> int | None:
    """The cost in 10^-12 dollars, exactly; None when unknown or not exact."""
    if option.deployment != "api" or _cost_missing(model, option, task):
        return None
    tokens_in = task.tokens_per_task.input or 0
    tokens_out = (output_tokens_per_task(model, task) or (0, ""))[0]
    price_in = exact_scaled(option.pricing.input_usd_per_mtok or 0, PRICE_SCALE, PRICE_LIMIT)
    price_out = exact_scaled(option.pricing.output_usd_per_mtok or 0, PRICE_SCALE, PRICE_LIMIT)
    if price_in is None or price_out is None:
        return None
    part_in, part_out = _small(tokens_in * price_in), _small(tokens_out * price_out)
    if part_in is None or part_out is None:
        return None
    return _small(part_in + part_out)


def _cost_per_task(model: ModelCard, option: Option, task: Task) -> float | None:
    units = _cost_units(model, option, task)
    return None if units is None else units / COST_SCALE


def _cost_basis(model: ModelCard, option: Option, task: Task) -> str | None:
    if option.deployment != "api":
        return None
    missing = _cost_missing(model, option, task)
    if missing:
        return f"unknown: {', '.join(missing)} unknown"
    units = _cost_units(model, option, task)
    if units is None:
        return ("not computed: a price has more than six decimals or is a million dollars or "
                "more, or the cost is too large to compute exactly")
    tokens_out, origin = output_tokens_per_task(model, task) or (0, "")
    return (f"{render_number(task.tokens_per_task.input)} input tokens (task) x "
            f"${render_number(option.pricing.input_usd_per_mtok)}/M + "
            f"{render_number(tokens_out)} output tokens ({origin}) x "
            f"${render_number(option.pricing.output_usd_per_mtok)}/M = "
            f"${render_number(units / COST_SCALE)}")


def render_number(value: float | None) -> str:
    """A number as messages show it (``govern.core.render_value``; 744.0 reads 744)."""
    if value is None:
        return "unknown"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------- self-host memory
#
# Memory is counted exactly in half-bytes ("nibbles", so INT4's half a byte is whole):
# parameters in thousandths of a billion are 10^6 parameters each, and a GB is 2 x 10^9
# nibbles. Every figure stays an integer below EXACT_LIMIT, or the fact is unknown.

NIBBLES_PER_VALUE: dict[str, int] = {"FP32": 8, "FP16": 4, "BF16": 4, "FP8": 2, "INT8": 2,
                                     "INT4": 1}
NIBBLES_PER_GB = 2 * 10**9
KV_CACHE_DEFAULT_PRECISION = "FP16"


def parameter_counts(model: ModelCard) -> list[float]:
    """Every total parameter count (billions) the card gives: the recorded one and each
    numeric claim of a dispute about ``parameters.total_billion``; sorted, distinct."""
    counts = [model.parameters.total_billion] if model.parameters.total_billion is not None else []
    counts += [claim.value for dispute in model.disputes
               if dispute.fact == "parameters.total_billion"
               for claim in dispute.claims
               if isinstance(claim.value, (int, float)) and not isinstance(claim.value, bool)]
    return sorted(set(counts))


def _weights_nibbles(model: ModelCard, profile: Profile) -> int | None:
    counts = parameter_counts(model)
    precision = profile.self_host.precision
    if not counts or precision is None:
        return None
    billions_th = exact_scaled(counts[-1], 1000, SHORTFALL_MAX_GB)
    if billions_th is None:
        return None
    return _small(billions_th * 10**6 * NIBBLES_PER_VALUE[precision])


def kv_values_per_token(model: ModelCard) -> int | None:
    geometry = model.kv_cache
    if geometry is None:
        return None
    if geometry.values_per_token is not None:
        return geometry.values_per_token
    return _small(2 * (geometry.layers or 0) * (geometry.kv_heads or 0) * (geometry.head_dim or 0))


def _kv_precision(profile: Profile) -> str:
    return profile.self_host.kv_cache_precision or KV_CACHE_DEFAULT_PRECISION


def _kv_nibbles(model: ModelCard, task: Task, profile: Profile) -> int | None:
    values = kv_values_per_token(model)
    if values is None or task.context_tokens is None:
        return None
    return _small(values * task.context_tokens * NIBBLES_PER_VALUE[_kv_precision(profile)])


def _memory_nibbles(model: ModelCard, task: Task, profile: Profile) -> int | None:
    weights, kv = _weights_nibbles(model, profile), _kv_nibbles(model, task, profile)
    return None if weights is None or kv is None else _small(weights + kv)


def _gb(nibbles: int | None) -> float | None:
    return None if nibbles is None else nibbles / NIBBLES_PER_GB


def _self_host_only(option: Option, nibbles: int | None) -> float | None:
    return _gb(nibbles) if option.deployment == "self-host" else None


def _short_of_capacity(need: int | None, profile: Profile) -> int | None:
    """``need`` (nibbles) minus the profile's accelerator memory, exactly; None if unknown."""
    have = _exact_thousandths(profile.self_host.accelerator_memory_gb)
    if need is None or have is None:
        return None
    return _small(need - have * (NIBBLES_PER_GB // 1000))


def _shortfall_nibbles(model: ModelCard, task: Task, profile: Profile) -> int | None:
    return _short_of_capacity(_memory_nibbles(model, task, profile), profile)


def _weights_shortfall(model: ModelCard, option: Option, profile: Profile) -> float | None:
    """What the weights alone lack: a lower bound of the shortfall, known even when the KV
    cache is not."""
    if option.deployment != "self-host":
        return None
    return _gb(_short_of_capacity(_weights_nibbles(model, profile), profile))


def _memory_shortfall(model: ModelCard, option: Option, task: Task,
                      profile: Profile) -> float | None:
    """Subtracted exactly, in whole nibbles: binary floating point would make 744 - 1280.1
    read -536.0999999999999 here and -536.1 on OPA (decimal arithmetic), so the engines would
    disagree on a message and on a comparison at -536.1. A figure outside the exact domain
    makes the shortfall unknown, never approximately known."""
    if option.deployment != "self-host":
        return None
    return _gb(_shortfall_nibbles(model, task, profile))


def _devices(option: Option, profile: Profile, short: int | None) -> int | None:
    """How many more devices of the profile's accelerator cover ``short`` nibbles."""
    accelerator = profile.self_host.accelerator
    if option.deployment != "self-host" or accelerator is None:
        return None
    device = _exact_thousandths(accelerator.memory_gb)
    if short is None or device is None:
        return None
    device_nibbles = device * (NIBBLES_PER_GB // 1000)
    return -(-short // device_nibbles) if short > 0 else 0


def _unit(bytes_each: float) -> str:
    return "byte" if bytes_each == 1 else "bytes"


def _weights_text(model: ModelCard, profile: Profile) -> str:
    counts = parameter_counts(model)
    precision = profile.self_host.precision
    missing = ([] if counts else ["model.parameters.total_billion"]) + (
        [] if precision is not None else ["profile.self_host.precision"])
    if missing:
        return f"weights unknown: {', '.join(missing)} unknown"
    weights = _weights_nibbles(model, profile)
    if weights is None or precision is None:
        return "weights unknown: the parameter count is not exact to a million or too large"
    disputed = (f" (the largest of the disputed {', '.join(render_number(c) for c in counts)})"
                if len(counts) > 1 else "")
    each = NIBBLES_PER_VALUE[precision] / 2
    return (f"{render_number(counts[-1])} billion parameters{disputed} x {render_number(each)} "
            f"{_unit(each)} ({precision}) = {render_number(_gb(weights))} GB of weights")


def _kv_text(model: ModelCard, task: Task, profile: Profile) -> str:
    geometry = model.kv_cache
    missing = ([] if geometry is not None else ["model.kv_cache"]) + (
        [] if task.context_tokens is not None else ["task.context_tokens"])
    if missing:
        return f"KV cache unknown: {', '.join(missing)} unknown"
    kv = _kv_nibbles(model, task, profile)
    if kv is None or geometry is None:
        return "KV cache unknown: too large to compute exactly"
    precision = _kv_precision(profile)
    each = NIBBLES_PER_VALUE[precision] / 2
    if geometry.values_per_token is not None:
        per_token = f"{geometry.values_per_token} values per token"
    else:
        per_token = (f"2 x {geometry.layers} layers x {geometry.kv_heads} KV heads x "
                     f"{geometry.head_dim} head dim")
    return (f"KV cache {per_token} x {task.context_tokens} tokens x {render_number(each)} "
            f"{_unit(each)} ({precision}) = {render_number(_gb(kv))} GB")


def _memory_basis(model: ModelCard, option: Option, task: Task, profile: Profile) -> str | None:
    if option.deployment != "self-host":
        return None
    parts = [_weights_text(model, profile), _kv_text(model, task, profile)]
    total = _memory_nibbles(model, task, profile)
    if total is not None:
        parts.append(f"{render_number(_gb(total))} GB in all")
    return "; ".join(parts)


def finite_or_unknown(value: float) -> float | None:
    """A derived number that is not finite is no fact at all: unknown, never a comparison
    that silently comes out false (NaN) or true for everything (infinity)."""
    return value if math.isfinite(value) else None


DERIVERS: dict[str, Callable[[ModelCard, Option, Task, Profile], Any]] = {
    "derived.data_classes_barred_at_host": lambda m, o, t, p: _barred_at_host(o, t, p),
    "derived.data_classes_outside_residency": lambda m, o, t, p: _outside_residency(o, t, p),
    "derived.cost_per_task_usd": lambda m, o, t, p: _cost_per_task(m, o, t),
    "derived.cost_per_task_basis": lambda m, o, t, p: _cost_basis(m, o, t),
    "derived.self_host_weights_gb":
        lambda m, o, t, p: _self_host_only(o, _weights_nibbles(m, p)),
    "derived.self_host_kv_cache_gb": lambda m, o, t, p: _self_host_only(o, _kv_nibbles(m, t, p)),
    "derived.self_host_memory_gb": lambda m, o, t, p: _self_host_only(o, _memory_nibbles(m, t, p)),
    "derived.self_host_memory_basis": lambda m, o, t, p: _memory_basis(m, o, t, p),
    "derived.memory_shortfall_gb": lambda m, o, t, p: _memory_shortfall(m, o, t, p),
    "derived.memory_shortfall_devices":
        lambda m, o, t, p: _devices(o, p, _shortfall_nibbles(m, t, p)),
    "derived.weights_shortfall_gb": lambda m, o, t, p: _weights_shortfall(m, o, p),
    "derived.weights_shortfall_devices":
        lambda m, o, t, p: _devices(o, p, _short_of_capacity(_weights_nibbles(m, p), p)),
    "derived.disputed_facts": lambda m, o, t, p: [d.fact for d in m.disputes],
    "derived.lineage_licenses": lambda m, o, t, p: lineage_licenses(lineage_of(m)),
    "derived.license_approved": lambda m, o, t, p: license_approved(lineage_of(m),
                                                                    p.approved_licenses),
    "derived.missing_base_models": lambda m, o, t, p: lineage_of(m).missing_bases,
}
assert DERIVERS.keys() == DERIVED.keys()

_COST_READS = ("option.pricing.input_usd_per_mtok", "option.pricing.output_usd_per_mtok",
               "model.tokens_per_task.output", "model.tokens_per_task.measured_by",
               "model.tokens_per_task.source", "task.tokens_per_task.input",
               "task.tokens_per_task.output")
_WEIGHTS_READS = ("model.parameters.total_billion", "model.disputes",
                  "profile.self_host.precision")
_KV_READS = ("model.kv_cache.layers", "model.kv_cache.kv_heads", "model.kv_cache.head_dim",
             "model.kv_cache.values_per_token", "task.context_tokens",
             "profile.self_host.kv_cache_precision")
_CAPACITY_READS = ("profile.self_host.accelerator_memory_gb",
                   "profile.self_host.accelerator.memory_gb")
EACH_DATA_CLASS = "*"
"""In a path of DERIVED_READS: each of the task's data classes (the profile's rules are
per class)."""

DERIVED_READS: dict[str, tuple[str, ...]] = {
    "derived.data_classes_barred_at_host": (
        "option.host_jurisdiction", "task.data_classes",
        "profile.data_classes.*.host_jurisdictions"),
    "derived.data_classes_outside_residency": (
        "option.regions", "task.data_classes", "profile.data_classes.*.residency_regions",
        "profile.data_classes.*.host_jurisdictions"),
    "derived.cost_per_task_usd": _COST_READS,
    "derived.cost_per_task_basis": _COST_READS,
    "derived.self_host_weights_gb": _WEIGHTS_READS,
    "derived.self_host_kv_cache_gb": _KV_READS,
    "derived.self_host_memory_gb": _WEIGHTS_READS + _KV_READS,
    "derived.self_host_memory_basis": _WEIGHTS_READS + _KV_READS,
    "derived.memory_shortfall_gb": _WEIGHTS_READS + _KV_READS + _CAPACITY_READS,
    "derived.memory_shortfall_devices": _WEIGHTS_READS + _KV_READS + _CAPACITY_READS,
    "derived.weights_shortfall_gb": _WEIGHTS_READS + _CAPACITY_READS,
    "derived.weights_shortfall_devices": _WEIGHTS_READS + _CAPACITY_READS,
    "derived.disputed_facts": ("model.disputes",),
    # The bases' licences are other cards' facts, reached through model.base_model.
    "derived.lineage_licenses": ("model.license", "model.base_model"),
    "derived.license_approved": ("model.license", "model.base_model",
                                 "profile.approved_licenses"),
    "derived.missing_base_models": ("model.base_model",),
}
"""The record facts each derived fact is computed from (besides the option's deployment,
which every derived fact reads): the one declaration the matrix (what to memoize on),
govern explain (which record fields can change it) and citations (whose sources a finding
cites) read. A test holds every path to a fact (or a field of the profile's per-class rules)
and the matrix's equality tests would miss a read left out (cells computed from stale values)."""
assert DERIVED_READS.keys() == DERIVED.keys(), "declare what every derived fact reads"


def record_facts(prefix: str, record: BaseModel) -> dict[str, Any]:
    """The values of one record's fact paths under ``prefix`` (``model``, ``option``, ``task``,
    ``profile``): every path of FACTS in that namespace, ``None`` marking unknown."""
    raw: dict[str, Any] = {}
    _flatten(prefix, record_data(record, json_mode=False), raw)  # = model_dump(by_alias=True)
    return {path: raw.get(path) for path in _PATHS_IN[prefix]}


def read_facts(model: ModelCard, option: Option, task: Task, profile: Profile) -> dict[str, Any]:
    """Every fact of FACTS for one (model, option, task, profile); ``None`` marks unknown."""
    facts: dict[str, Any] = {}
    for prefix, record in (("model", model), ("option", option), ("task", task),
                           ("profile", profile)):
        facts.update(record_facts(prefix, record))
    for path, derive in DERIVERS.items():
        facts[path] = derive(model, option, task, profile)
    return facts
