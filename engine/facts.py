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
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from govern.fieldtypes import ComputedByLoader
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


def _unwrap_optional(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _strip_annotated(annotation: Any) -> Any:
    while get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _scalar_type(annotation: Any) -> FactType | None:
    annotation = _strip_annotated(annotation)
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
        annotation = _strip_annotated(_unwrap_optional(field.annotation))
        doc = field.description or ""
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            specs.extend(_record_paths(path, annotation))
        elif get_origin(annotation) is list:
            (item,) = get_args(annotation)
            item = _strip_annotated(item)
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
        FactSpec("derived.memory_shortfall_gb", "number",
                 "option.accelerator_memory_gb minus profile.self_host.accelerator_memory_gb "
                 "(self-host only; negative means headroom), computed exactly in thousandths "
                 "of a GB. Unknown when either is unknown, has more than three decimals or is "
                 "10^11 GB or more."),
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


def _exact_thousandths(gb: float) -> int | None:
    """``gb`` in thousandths of a GB when it has at most three decimals (and is below
    SHORTFALL_MAX_GB); else None. The Rego engine's ``thousandths`` is the same test."""
    if not math.isfinite(gb) or abs(gb) >= SHORTFALL_MAX_GB:
        return None
    scaled = round(gb * 1000)
    return scaled if scaled / 1000 == gb else None


def _memory_shortfall(option: Option, profile: Profile) -> float | None:
    """Subtracted exactly, in whole thousandths: binary floating point would make 744 - 1280.1
    read -536.0999999999999 here and -536.1 on OPA (decimal arithmetic), so the engines would
    disagree on a message and on a comparison at -536.1. A figure outside the exact domain
    makes the shortfall unknown, never approximately known."""
    if option.deployment != "self-host" or option.accelerator_memory_gb is None:
        return None
    need = _exact_thousandths(option.accelerator_memory_gb)
    have = _exact_thousandths(profile.self_host.accelerator_memory_gb)
    if need is None or have is None:
        return None
    return finite_or_unknown((need - have) / 1000)


def finite_or_unknown(value: float) -> float | None:
    """A derived number that is not finite is no fact at all: unknown, never a comparison
    that silently comes out false (NaN) or true for everything (infinity)."""
    return value if math.isfinite(value) else None


DERIVERS: dict[str, Callable[[ModelCard, Option, Task, Profile], Any]] = {
    "derived.data_classes_barred_at_host": lambda m, o, t, p: _barred_at_host(o, t, p),
    "derived.data_classes_outside_residency": lambda m, o, t, p: _outside_residency(o, t, p),
    "derived.memory_shortfall_gb": lambda m, o, t, p: _memory_shortfall(o, p),
    "derived.disputed_facts": lambda m, o, t, p: [d.fact for d in m.disputes],
    "derived.lineage_licenses": lambda m, o, t, p: lineage_licenses(lineage_of(m)),
    "derived.license_approved": lambda m, o, t, p: license_approved(lineage_of(m),
                                                                    p.approved_licenses),
    "derived.missing_base_models": lambda m, o, t, p: lineage_of(m).missing_bases,
}
assert DERIVERS.keys() == DERIVED.keys()


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
