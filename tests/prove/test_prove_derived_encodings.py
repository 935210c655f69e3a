"""The exact encodings of derived facts (govern.prove.derived) agree with govern.facts.DERIVERS:
generated records are pinned into a symbolic space, z3 evaluates the encoding, and the value
must be the one the Python deriver computes (unknown included)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import yaml
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govern.core import build_options
from govern.facts import DERIVERS, NIBBLES_PER_VALUE
from govern.lineage import resolve_lineage
from govern.loading.catalog import bundled_root
from govern.prove.derived import licence_constants
from govern.prove.questions import collect_strings
from govern.prove.symbolic import Grid, Space, Strings, SymScalar, SymSet, build_space
from govern.prove.witness import complete
from govern.records import ModelCard, Profile, Task

LICENCES = ("MIT", "Apache-2.0", "GPL-3.0-only", "MIT OR Apache-2.0", "MIT AND GPL-3.0-only",
            "GPL-2.0-only WITH Classpath-exception-2.0", "proprietary")
GRID = Grid(4)
PRECISIONS = sorted(NIBBLES_PER_VALUE)
MEMORY_FACTS = ("derived.self_host_weights_gb", "derived.self_host_kv_cache_gb",
                "derived.self_host_memory_gb", "derived.memory_shortfall_gb",
                "derived.weights_shortfall_gb")


def _strings() -> Strings:
    found = set(collect_strings([]).constants) | set(LICENCES)
    return Strings(tuple(sorted(found | licence_constants(found))))


STRINGS = _strings()


def _space() -> Space:
    return build_space("self-host", STRINGS, GRID, 0, dt.date(2026, 11, 30))


def _pin_number(space: Space, path: str, value: float | None) -> list[Any]:
    fact = space.facts[path]
    assert isinstance(fact, SymScalar)
    if value is None:
        return [z3.Not(fact.known)]
    return [fact.known, fact.value == int(Fraction(str(value)) * GRID.unit)]


def _pin_string(space: Space, path: str, value: str | None) -> list[Any]:
    fact = space.facts[path]
    assert isinstance(fact, SymScalar)
    if value is None:
        return [z3.Not(fact.known)]
    return [fact.known, fact.value == STRINGS.code(value)]


def _pin_set(space: Space, path: str, values: list[str]) -> list[Any]:
    fact = space.facts[path]
    assert isinstance(fact, SymSet)
    return [fact.known, *(bit == (STRINGS.constants[c] in values) for c, bit in fact.bits.items()),
            *(z3.Not(present) for present, _ in fact.slots)]


def _evaluated(space: Space, pins: list[Any], paths: tuple[str, ...]) -> dict[str, Any]:
    solver = z3.Solver()
    solver.add(*space.constraints, *pins)
    assert solver.check() == z3.sat
    model = solver.model()
    values: dict[str, Any] = {}
    for path in paths:
        fact = space.facts[path]
        if not z3.is_true(model.eval(fact.known, model_completion=True)):
            values[path] = None
        elif isinstance(fact, SymSet):
            # An other string (no policy names it, e.g. a missing base's id) is in a slot.
            others = ["(other)" for present, _ in fact.slots
                      if z3.is_true(model.eval(present, model_completion=True))]
            values[path] = sorted(STRINGS.constants[c] for c, bit in fact.bits.items()
                                  if z3.is_true(model.eval(bit, model_completion=True))) + others
        elif fact.type == "boolean":
            values[path] = z3.is_true(model.eval(fact.value, model_completion=True))
        else:
            number = model.eval(fact.value, model_completion=True)
            values[path] = Fraction(number.as_fraction()) / GRID.unit
    return values


def _profile(**fields: Any) -> Profile:
    """A bundled profile with these fields replaced (self_host fields merged)."""
    path = min((bundled_root() / "profiles").glob("*.yaml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["self_host"] = {k: v for k, v in data["self_host"].items()
                         if k in ("jurisdiction", "regions")} | fields.pop("self_host", {})
    return Profile.model_validate(data | fields)


def _self_host(card: ModelCard, profile: Profile) -> Any:
    return next(o for o in build_options(card, profile) if o.deployment == "self-host")


def _exact(value: Any) -> Any:
    return None if value is None else Fraction(repr(value)) if isinstance(value, float) else value


fourths = st.integers(-10**6, 10**13).map(lambda n: Fraction(n, 10**4))
whole = st.one_of(st.none(), st.integers(1, 10**6), st.integers(1, 2**40))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(total=st.one_of(st.none(), fourths), precision=st.one_of(st.none(), st.sampled_from(PRECISIONS)),
       kv_precision=st.one_of(st.none(), st.sampled_from(PRECISIONS)),
       direct=st.booleans(), values=whole, layers=whole, heads=whole, dim=whole,
       context=st.one_of(st.none(), st.integers(0, 10**7), st.integers(0, 2**45)),
       memory=st.integers(0, 10**9).map(lambda n: Fraction(n, 10**4)))
def test_memory_encodings_agree_with_the_deriver(
        total: Fraction | None, precision: str | None, kv_precision: str | None, direct: bool,
        values: int | None, layers: int | None, heads: int | None, dim: int | None,
        context: int | None, memory: Fraction) -> None:
    geometry: dict[str, Any] | None = None
    if direct and values is not None:
        geometry = {"values_per_token": values, "source": "x"}
    elif not direct and None not in (layers, heads, dim):
        geometry = {"layers": layers, "kv_heads": heads, "head_dim": dim, "source": "x"}
    card_data: dict[str, Any] = {"id": "m", "open_weights": True}
    if total is not None:
        card_data["parameters"] = {"total_billion": float(total)}
    if geometry is not None:
        card_data["kv_cache"] = geometry
    self_host: dict[str, Any] = {"accelerator_memory_gb": float(memory)}
    if precision is not None:
        self_host["precision"] = precision
    if kv_precision is not None:
        self_host["kv_cache_precision"] = kv_precision
    card = ModelCard.model_validate(complete(card_data, ModelCard))
    profile = _profile(self_host=self_host)
    task = Task.model_validate(complete({"id": "t", "context_tokens": context}, Task))
    space = _space()
    geometry = geometry or {}
    pins = [
        *_pin_number(space, "model.parameters.total_billion",
                     None if total is None else float(total)),
        z3.Not(space.facts["model.disputes"].nonempty()),
        *_pin_string(space, "profile.self_host.precision", precision),
        *_pin_string(space, "profile.self_host.kv_cache_precision", kv_precision),
        space.facts["model.kv_cache.source"].known == ("source" in geometry),
        *(c for part in ("values_per_token", "layers", "kv_heads", "head_dim")
          for c in _pin_number(space, f"model.kv_cache.{part}", geometry.get(part))),
        *_pin_number(space, "task.context_tokens", context),
        *_pin_number(space, "profile.self_host.accelerator_memory_gb", float(memory)),
    ]
    encoded = _evaluated(space, pins, MEMORY_FACTS)
    option = _self_host(card, profile)
    for path in MEMORY_FACTS:
        assert encoded[path] == _exact(DERIVERS[path](card, option, task, profile)), path


LINEAGE_FACTS = ("derived.license_approved", "derived.missing_base_models",
                 "derived.lineage_licenses")
licence = st.one_of(st.none(), st.sampled_from(LICENCES))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(own=licence, bases=st.lists(licence, max_size=3), missing=st.booleans(),
       approved=st.lists(st.sampled_from([t for t in sorted(STRINGS.constants)
                                          if t in licence_constants(set(LICENCES))
                                          and " AND " not in t and " OR " not in t]),
                         max_size=4, unique=True))
def test_licence_encodings_agree_with_the_deriver(
        own: str | None, bases: list[str | None], missing: bool, approved: list[str]) -> None:
    """Licences the policies name, bases with and without a licence, one base missing: the
    approval, the lineage's licences and whether a base is missing agree."""
    base_ids = [f"base-{i}" for i in range(len(bases))] + (["gone"] if missing else [])
    first: dict[str, Any] = {"id": "m", "base_model": base_ids}
    if own is not None:
        first["license"] = own
    card = ModelCard.model_validate(complete(first, ModelCard))
    cards = {card.id: card}
    for base_id, base_licence in zip(base_ids, bases, strict=False):
        data: dict[str, Any] = {"id": base_id}
        if base_licence is not None:
            data["license"] = base_licence
        cards[base_id] = ModelCard.model_validate(complete(data, ModelCard))
    card = card.model_copy(update={"lineage": resolve_lineage(card, cards)})
    profile = _profile(approved_licenses=approved, self_host={"accelerator_memory_gb": 1})
    task = Task.model_validate(complete({"id": "t"}, Task))
    space = _space()
    known_bases = sorted({b for b in bases if b is not None})
    lineage = space.cache["lineage"]
    pins = [*_pin_string(space, "model.license", own),
            *_pin_set(space, "profile.approved_licenses", approved),
            *(bit == (STRINGS.constants[c] in known_bases) for c, bit in lineage.bases.bits.items()),
            *(z3.Not(present) for present, _ in lineage.bases.slots),
            lineage.base_unknown == (None in bases),
            lineage.missing.nonempty() == missing]
    named = space.facts["model.base_model"]  # ids are other strings: pinned as 'some named'
    assert isinstance(named, SymSet)
    pins.append(named.nonempty() == bool(base_ids))
    encoded = _evaluated(space, pins, LINEAGE_FACTS)
    option = _self_host(card, profile)
    expected = {path: DERIVERS[path](card, option, task, profile) for path in LINEAGE_FACTS}
    assert encoded["derived.license_approved"] == expected["derived.license_approved"]
    assert (encoded["derived.missing_base_models"] != []) == bool(
        expected["derived.missing_base_models"])
    lineage_licences = expected["derived.lineage_licenses"]
    assert encoded["derived.lineage_licenses"] == (
        None if lineage_licences is None else sorted(set(lineage_licences)))
