"""How each derived fact of govern.facts.DERIVED is computed, symbolically: the one table
``govern prove`` needs a row in for every derived fact it reasons about exactly.

A row encodes the fact from the space's other facts (mirroring its DERIVERS function in
govern.facts) and may declare hidden inputs (the profile's per-data-class rules, which no rule
reads directly) with a hook that writes them into a counterexample's records.

A derived fact without a row is a free variable of its type: any value, unknown included. That
over-approximates it (every real value is among those considered), so an answer that reads it is
reported as *bounded*, and a difference found through it is reported only once re-deciding the
counterexample with the real engine confirms it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, get_args

import z3

from govern.facts import (
    COST_SCALE,
    DERIVED,
    EXACT_LIMIT,
    FACTS,
    KV_CACHE_DEFAULT_PRECISION,
    NIBBLES_PER_GB,
    NIBBLES_PER_VALUE,
    PRICE_LIMIT,
    PRICE_SCALE,
    SHORTFALL_MAX_GB,
)
from govern.licences import NormalForm, approved_entry, atom_text, normal_form, normalise
from govern.prove.shapes import Scalars
from govern.prove.symbolic import (
    Space,
    SymRecords,
    SymScalar,
    SymSet,
    free_fact,
    subset,
)
from govern.records import DataClass, ModelCard

DATA_CLASSES: tuple[str, ...] = get_args(DataClass)
MODEL_FACT_NAMES: tuple[str, ...] = tuple(
    sorted(p.removeprefix("model.") for p in FACTS if p.startswith("model.")))
"""What a card's dispute may name (``check_model_card`` refuses any other ``fact``)."""
JURISDICTION = Scalars(pattern=r"^[A-Z]{2}$")
REGION = Scalars(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$")


@dataclass(frozen=True)
class DataClassRules:
    """The profile's ``data_classes`` map, symbolically: per class whether it is listed, the
    jurisdictions its data may go to, and its residency regions (``res.known``: it has one)."""

    listed: dict[str, Any]
    hosts: dict[str, SymSet]
    residency: dict[str, SymSet]


def profile_data_classes(space: Space) -> DataClassRules:
    if "data_classes" in space.cache:
        rules: DataClassRules = space.cache["data_classes"]
        return rules
    name = f"{space.deployment}|profile.data_classes"
    rules = DataClassRules(
        listed={d: z3.Bool(f"{name}|{d}|listed") for d in DATA_CLASSES},
        hosts={d: space.new_set(f"{name}|{d}|hosts", JURISDICTION, z3.BoolVal(True))
               for d in DATA_CLASSES},
        residency={d: space.new_set(f"{name}|{d}|residency", REGION,
                                    z3.Bool(f"{name}|{d}|has_residency"))
                   for d in DATA_CLASSES},
    )
    space.cache["data_classes"] = rules

    def realize(model: Any, records: dict[str, dict[str, Any]]) -> None:
        listed: dict[str, Any] = {}
        for d in DATA_CLASSES:
            if z3.is_true(model.eval(rules.listed[d], model_completion=True)):
                entry: dict[str, Any] = {
                    "host_jurisdictions": space.cache["set_value"](model, rules.hosts[d], JURISDICTION)}
                if z3.is_true(model.eval(rules.residency[d].known, model_completion=True)):
                    entry["residency_regions"] = space.cache["set_value"](
                        model, rules.residency[d], REGION)
                listed[d] = entry
        records["profile"]["data_classes"] = listed

    space.realizers.append(realize)
    return rules


def _task_classes(space: Space) -> SymSet:
    classes = space.facts["task.data_classes"]
    assert isinstance(classes, SymSet)
    return classes


def barred_at_host(space: Space) -> SymSet:
    """facts._barred_at_host: the task's classes not listed, or not allowed at the host."""
    host = space.facts["option.host_jurisdiction"]
    assert isinstance(host, SymScalar)
    rules = profile_data_classes(space)
    task = _task_classes(space)
    bits = {space.strings.code(d): z3.And(task.has_constant(space.strings.code(d)),
                                          z3.Or(z3.Not(rules.listed[d]),
                                                z3.Not(rules.hosts[d].has(host.value))))
            for d in DATA_CLASSES}
    return SymSet(host.known, bits, [])


def outside_residency(space: Space) -> SymSet:
    """facts._outside_residency: classes with residency whose regions the option leaves;
    unknown when some residency applies and the option's regions are unknown."""
    regions = space.facts["option.regions"]
    assert isinstance(regions, SymSet)
    rules = profile_data_classes(space)
    task = _task_classes(space)
    bound = {d: z3.And(task.has_constant(space.strings.code(d)), rules.listed[d],
                       rules.residency[d].known) for d in DATA_CLASSES}
    known = z3.Or(z3.Not(z3.Or(list(bound.values()))), regions.known)
    bits = {space.strings.code(d): z3.And(bound[d], z3.Not(subset(regions, rules.residency[d])))
            for d in DATA_CLASSES}
    return SymSet(known, bits, [])


def disputed_facts(space: Space) -> SymSet:
    """facts: the ``fact`` of each of the card's disputes; a dispute may only name a model
    fact, so the values are those names. The hook writes one dispute per name."""
    made = space.new_set(f"{space.deployment}|derived.disputed_facts",
                         Scalars(choices=MODEL_FACT_NAMES), z3.BoolVal(True))
    disputes = space.facts["model.disputes"]
    assert isinstance(disputes, SymRecords)
    space.constraints.append(disputes.nonempty() == made.nonempty())

    def realize(model: Any, records: dict[str, dict[str, Any]]) -> None:
        names = space.cache["set_value"](model, made)
        claim = {"value": "x", "source": "x"}
        records["model_card"]["disputes"] = [
            {"fact": name, "claims": [claim, claim], "recorded": "x"} for name in names]
        if not names:
            records["model_card"].pop("disputes", None)

    space.realizers.append(realize)
    return made


DERIVED_ENCODINGS: dict[str, Callable[[Space], SymScalar | SymSet]] = {
    "derived.data_classes_barred_at_host": barred_at_host,
    "derived.data_classes_outside_residency": outside_residency,
    "derived.disputed_facts": disputed_facts,
}
"""Derived fact -> its exact symbolic encoding. A derived fact missing here is approximated."""

EXTRA_CONSTANTS: tuple[str, ...] = (*DATA_CLASSES, *MODEL_FACT_NAMES)
"""Strings the encodings above compare against, added to every space's constants."""





# ---------------------------------------------------------------- self-host memory
#
# govern.facts counts memory in whole nibbles (half-bytes) and makes a figure unknown from
# EXACT_LIMIT on; the encodings below do the same integer arithmetic on the grid's integers,
# and read a figure in GB as the exact rational nibbles / NIBBLES_PER_GB in grid units (a
# z3 real: a policy number compares with it as with the double facts.py divides out, since
# both are exact at these magnitudes).


@dataclass(frozen=True)
class Figure:
    """An integer count (of nibbles, tokens or 10^-12 dollars), and whether it is known
    (exact, under the limit)."""

    known: Any
    count: Any


def _number(space: Space, path: str) -> SymScalar:
    fact = space.facts[path]
    assert isinstance(fact, SymScalar)
    return fact


def _whole(space: Space, path: str) -> Figure:
    """A whole-number record fact as an integer (grid units divided out)."""
    fact = _number(space, path)
    return Figure(fact.known, fact.value / space.grid.unit)


def _thousandths(space: Space, value: Any, known: Any) -> Figure:
    """facts.exact_scaled(value, 1000, SHORTFALL_MAX_GB) on a grid number."""
    unit = space.grid.unit
    step = unit // 1000  # the grid is finer than thousandths (choose_grid)
    exact = z3.And(known, value % step == 0, z3.Abs(value) < SHORTFALL_MAX_GB * unit)
    return Figure(exact, value / step)


def _small_figure(known: Any, nibbles: Any) -> Figure:
    return Figure(z3.And(known, z3.Abs(nibbles) < EXACT_LIMIT), nibbles)


def _per_value(code: Any, space: Space, default: str | None = None) -> Any:
    """Nibbles per value at a precision (a string code of the closed choices)."""
    table = sorted(NIBBLES_PER_VALUE.items())
    result: Any = z3.IntVal(NIBBLES_PER_VALUE[default or table[0][0]])
    for name, nibbles in table:
        result = z3.If(code == space.strings.code(name), nibbles, result)
    return result


def largest_parameter_count(space: Space) -> SymScalar:
    """facts.parameter_counts' largest: the recorded total or, larger, a numeric claim of a
    dispute about it (a hidden input: the hook writes the dispute's claims)."""
    if "parameter_count" in space.cache:
        count: SymScalar = space.cache["parameter_count"]
        return count
    total = _number(space, "model.parameters.total_billion")
    name = f"{space.deployment}|disputed parameter count"
    claim = SymScalar("number", z3.Bool(name + "|known"),
                      space.number(name + "|value", whole=False, minimum=None))
    disputed = space.facts["derived.disputed_facts"]
    assert isinstance(disputed, SymSet)
    code = space.strings.code(DISPUTED_COUNT)
    space.constraints.append(z3.Implies(claim.known, disputed.has_constant(code)))
    largest = z3.If(z3.And(claim.known, z3.Or(z3.Not(total.known), claim.value > total.value)),
                    claim.value, total.value)
    count = SymScalar("number", z3.Or(total.known, claim.known), largest)
    space.cache["parameter_count"] = count

    def realize(model: Any, records: dict[str, dict[str, Any]]) -> None:
        if not z3.is_true(model.eval(claim.known, model_completion=True)):
            return
        from govern.prove.witness import PlainNumber, decimal_text

        units = model.eval(claim.value, model_completion=True).as_long()
        text = PlainNumber(decimal_text(Fraction(units, space.grid.unit)))
        for dispute in records["model_card"].get("disputes", []):
            if dispute["fact"] == DISPUTED_COUNT:
                dispute["claims"] = [{"value": text, "source": "x"} for _ in range(2)]

    space.realizers.append(realize)
    return count


DISPUTED_COUNT = "parameters.total_billion"


def weights_nibbles(space: Space) -> Figure:
    count = largest_parameter_count(space)
    precision = _number(space, "profile.self_host.precision")
    billions = _thousandths(space, count.value, count.known)
    return _small_figure(z3.And(billions.known, precision.known),
                         billions.count * 10**6 * _per_value(precision.value, space))


def kv_nibbles(space: Space) -> Figure:
    """facts._kv_nibbles. A card's kv_cache gives values_per_token or all three of layers,
    kv_heads and head_dim (KvCacheGeometry), and its source whenever it is there."""
    geometry = {part: _whole(space, f"model.kv_cache.{part}")
                for part in ("values_per_token", "layers", "kv_heads", "head_dim")}
    heads = [geometry[h] for h in ("layers", "kv_heads", "head_dim")]
    present = _number(space, "model.kv_cache.source").known
    if "kv_cache_forms" not in space.cache:
        space.cache["kv_cache_forms"] = True
        direct = geometry["values_per_token"].known
        space.constraints += [z3.Implies(g.known, present) for g in geometry.values()]
        space.constraints.append(z3.Implies(present, z3.If(
            direct, z3.Not(z3.Or([h.known for h in heads])), z3.And([h.known for h in heads]))))
    product = 2 * heads[0].count * heads[1].count * heads[2].count
    values = Figure(z3.And(present, z3.Or(geometry["values_per_token"].known,
                                          product < EXACT_LIMIT)),
                    z3.If(geometry["values_per_token"].known,
                          geometry["values_per_token"].count, product))
    context = _whole(space, "task.context_tokens")
    precision = _number(space, "profile.self_host.kv_cache_precision")
    each = z3.If(precision.known, _per_value(precision.value, space),
                 NIBBLES_PER_VALUE[KV_CACHE_DEFAULT_PRECISION])
    return _small_figure(z3.And(values.known, context.known),
                         values.count * context.count * each)


def _short(space: Space, need: Figure) -> Figure:
    have = _number(space, "profile.self_host.accelerator_memory_gb")
    have_th = _thousandths(space, have.value, have.known)
    return _small_figure(z3.And(need.known, have_th.known),
                         need.count - have_th.count * (NIBBLES_PER_GB // 1000))


def _gb_fact(space: Space, figure: Callable[[Space], Figure]) -> SymScalar:
    """A figure in GB as a number fact, known only for the self-host option."""
    if space.deployment != "self-host":
        return SymScalar("number", z3.BoolVal(False), z3.RealVal(0))
    made = figure(space)
    return SymScalar("number", made.known,
                     z3.ToReal(made.count) * space.grid.unit / NIBBLES_PER_GB)


def _memory(space: Space) -> Figure:
    weights, kv = weights_nibbles(space), kv_nibbles(space)
    return _small_figure(z3.And(weights.known, kv.known), weights.count + kv.count)


MEMORY_ENCODINGS: dict[str, Callable[[Space], SymScalar | SymSet]] = {
    "derived.self_host_weights_gb": lambda s: _gb_fact(s, weights_nibbles),
    "derived.self_host_kv_cache_gb": lambda s: _gb_fact(s, kv_nibbles),
    "derived.self_host_memory_gb": lambda s: _gb_fact(s, _memory),
    "derived.memory_shortfall_gb": lambda s: _gb_fact(s, lambda t: _short(t, _memory(t))),
    "derived.weights_shortfall_gb": lambda s: _gb_fact(s, lambda t: _short(t, weights_nibbles(t))),
}
"""The derived memory figures, exactly (the device counts, a ceiling of a division by a
symbolic device size, stay over-approximated)."""
DERIVED_ENCODINGS.update(MEMORY_ENCODINGS)


# ---------------------------------------------------------------- cost per task
#
# govern.facts computes the cost in whole 10^-12 dollars: tokens x price in millionths of a
# dollar per million tokens, each product and the sum under EXACT_LIMIT, a price exact only to
# six decimals and under PRICE_LIMIT. The encoding does the same integer arithmetic and reads
# the cost as the exact rational units / COST_SCALE in grid units.


def _scaled(space: Space, path: str, scale: int, limit: int) -> Figure:
    """facts.exact_scaled(value, scale, limit) on a grid number: value x scale when whole."""
    fact = _number(space, path)
    unit = space.grid.unit
    times = fact.value * scale
    exact = z3.And(fact.known, times % unit == 0, z3.Abs(fact.value) < limit * unit)
    return Figure(exact, times / unit)


def output_tokens(space: Space) -> Figure:
    """facts.output_tokens_per_task: the task's estimate, else the card's measurement."""
    task, measured = (_whole(space, "task.tokens_per_task.output"),
                      _whole(space, "model.tokens_per_task.output"))
    return Figure(z3.Or(task.known, measured.known),
                  z3.If(task.known, task.count, measured.count))


def cost_units(space: Space) -> Figure:
    tokens_in, tokens_out = _whole(space, "task.tokens_per_task.input"), output_tokens(space)
    price_in = _scaled(space, "option.pricing.input_usd_per_mtok", PRICE_SCALE, PRICE_LIMIT)
    price_out = _scaled(space, "option.pricing.output_usd_per_mtok", PRICE_SCALE, PRICE_LIMIT)
    part_in = _small_figure(z3.And(tokens_in.known, price_in.known),
                            tokens_in.count * price_in.count)
    part_out = _small_figure(z3.And(tokens_out.known, price_out.known),
                             tokens_out.count * price_out.count)
    return _small_figure(z3.And(part_in.known, part_out.known),
                         part_in.count + part_out.count)


def cost_per_task_fact(space: Space) -> SymScalar:
    """The cost in dollars, known only for the API option."""
    if space.deployment != "api":
        return SymScalar("number", z3.BoolVal(False), z3.RealVal(0))
    made = cost_units(space)
    return SymScalar("number", made.known,
                     z3.ToReal(made.count) * space.grid.unit / COST_SCALE)


DERIVED_ENCODINGS["derived.cost_per_task_usd"] = cost_per_task_fact

ENCODED_FIRST = ("derived.disputed_facts",)
"""Encoded before the rest: the memory encodings read them (and extend their hooks)."""


def encode_derived(space: Space) -> None:
    for path in sorted(DERIVED, key=lambda p: p not in ENCODED_FIRST):
        encode = DERIVED_ENCODINGS.get(path)
        space.facts[path] = encode(space) if encode else free_fact(space, path)


# ---------------------------------------------------------------- licences and lineage
#
# A licence is a string code like any other: a word the policies name (a valid licence only
# when it is already in normal spelling, as a loaded card holds it; its normal form, computed
# here, says when it is approved), or any other licence, which a counterexample writes as
# ``LicenseRef-<name>``: one licence, approved exactly when the profile lists it. A compound
# expression no policy names adds no behaviour (policies only compare licences for equality;
# its approval is one boolean over the listed licences, which a single other licence in or out
# of the list shows as well). The bases are: the set of their known licences, whether one base
# has no licence on the date, and the missing bases' ids; the hook writes the base cards.

LICENCE_PATHS = ("model.license", "profile.approved_licenses")


def licence_constants(strings: set[str]) -> set[str]:
    """The licences and atoms the normal forms of these strings (those that are licences)
    name: approval compares them with the profile's list, so they must be constants."""
    found: set[str] = set()
    for text in strings:
        form = _form(text)
        for term in form or []:
            for atom in term:
                found.add(str(atom["license"]))
                found.add(atom_text(atom))
    return found


def _form(text: str) -> NormalForm | None:
    """The normal form of a licence as a loaded card holds it; None if ``text`` is none."""
    try:
        return normal_form(text) if normalise(text) == text else None
    except ValueError:
        return None


def _is_approved_entry(text: str) -> bool:
    try:
        return approved_entry(text) == text
    except ValueError:
        return False


@dataclass(frozen=True)
class LineageSymbols:
    licence: SymScalar
    approved: SymSet
    bases: SymSet
    """The known licences of the bases that have cards."""
    base_unknown: Any
    """Some base has a card with no licence on the date (a dated licence reads as the one in
    force: a known licence among ``bases``, or none before its first date)."""
    missing: SymSet


def _approves(space: Space, approved: SymSet, code: Any) -> Any:
    """Whether the profile's list approves the licence with this code (form_approved)."""
    cases = []
    for text in space.strings.constants:
        form = _form(text)
        if form is None:
            continue
        terms = [z3.And([z3.Or(approved.has_constant(space.strings.code(str(a["license"]))),
                               approved.has_constant(space.strings.code(atom_text(a))))
                         for a in term]) for term in form]
        cases.append(z3.And(code == space.strings.code(text), z3.Or(terms)))
    cases.append(z3.And(code >= space.strings.others_from, approved.has(code)))
    return z3.Or(cases)


def _a_licence(space: Space, code: Any) -> Any:
    valid = [space.strings.code(t) for t in space.strings.constants if _form(t) is not None]
    return z3.Or([code >= space.strings.others_from, *(code == c for c in valid)])


def lineage_symbols(space: Space) -> LineageSymbols:
    if "lineage" in space.cache:
        made: LineageSymbols = space.cache["lineage"]
        return made
    licence = space.facts["model.license"]
    approved = space.facts["profile.approved_licenses"]
    named = space.facts["model.base_model"]
    model_id = space.facts["model.id"]
    assert isinstance(licence, SymScalar) and isinstance(approved, SymSet)
    assert isinstance(named, SymSet) and isinstance(model_id, SymScalar)
    name = f"{space.deployment}|lineage"
    bases = space.new_set(f"{name}|base licences", space.shapes["model.license"].strings,
                          z3.BoolVal(True))
    missing = space.new_set(f"{name}|missing", space.shapes["model.base_model"].strings,
                            z3.BoolVal(True))
    base_unknown = z3.Bool(f"{name}|base unknown")
    made = LineageSymbols(licence, approved, bases, base_unknown, missing)
    with_cards = z3.Not(subset(named, missing))  # a base the model names has a card
    space.constraints += [
        z3.Implies(licence.known, _a_licence(space, licence.value)),
        *(z3.Implies(bit, _a_licence(space, z3.IntVal(c))) for c, bit in bases.bits.items()),
        *(z3.Not(bit) for c, bit in approved.bits.items()
          if not _is_approved_entry(space.strings.constants[c])),
        with_cards == z3.Or(bases.nonempty(), base_unknown),
        z3.Implies(z3.Not(subset(missing, named)), with_cards),
        z3.Not(missing.has(model_id.value)), z3.Not(named.has(model_id.value)),
    ]
    space.cache["lineage"] = made
    space.realizers.append(lambda model, records: _realize_lineage(space, made, model, records))
    return made


def _licence_text(space: Space, text: str) -> str:
    """An other string as the licence a counterexample writes for it."""
    if text in space.strings.constants:
        return text
    return "LicenseRef-" + re.sub(r"[^A-Za-z0-9.-]", ".", text)


def _realize_lineage(space: Space, made: LineageSymbols, model: Any,
                     records: dict[str, dict[str, Any]]) -> None:
    from govern.prove.witness import complete

    card, profile = records["model_card"], records["profile"]
    if "license" in card:
        card["license"] = _licence_text(space, card["license"])
    profile["approved_licenses"] = sorted(
        _licence_text(space, t) for t in profile.get("approved_licenses", []))
    value = space.cache["set_value"]
    named: list[str] = list(card.get("base_model", []))
    missing = value(model, made.missing)
    licences: list[str | None] = [_licence_text(space, t) for t in value(model, made.bases)]
    if z3.is_true(model.eval(made.base_unknown, model_completion=True)):
        licences.append(None)
    present = [b for b in named if b not in missing]
    taken = {card["id"], *named, *missing}
    extra = [f"base-{n}" for n in range(1, 3 * len(licences) + len(taken) + 2)
             if f"base-{n}" not in taken][:max(0, len(licences) - len(present))]
    bases: dict[str, dict[str, Any]] = {}
    for index, base_id in enumerate(present + extra):
        base: dict[str, Any] = {"id": base_id}
        licence = licences[index % len(licences)] if licences else None
        if licence is not None:
            base["license"] = licence
        bases[base_id] = complete(base, ModelCard)  # with the minimal item's other fields
    if present:
        deeper = [b for b in missing if b not in named] + extra
        if deeper:
            bases[present[0]]["base_model"] = deeper
    records["base_cards"] = bases


def _approved_along(space: Space) -> tuple[Any, Any]:
    """(some known licence on the lineage is not approved, every licence is known)."""
    made = lineage_symbols(space)
    rejected = [z3.And(made.licence.known, z3.Not(_approves(space, made.approved,
                                                            made.licence.value)))]
    rejected += [z3.And(bit, z3.Not(_approves(space, made.approved, z3.IntVal(c))))
                 for c, bit in made.bases.bits.items()]
    rejected += [z3.And(present, z3.Not(made.approved.has(code)))
                 for present, code in made.bases.slots]
    complete_ = z3.And(made.licence.known, z3.Not(made.base_unknown),
                       z3.Not(made.missing.nonempty()))
    return z3.Or(rejected), complete_


def license_approved_fact(space: Space) -> SymScalar:
    rejected, complete_ = _approved_along(space)
    return SymScalar("boolean", z3.Or(rejected, complete_), z3.Not(rejected))


def missing_base_models_fact(space: Space) -> SymSet:
    return lineage_symbols(space).missing


def lineage_licenses_fact(space: Space) -> SymSet:
    """The model's licence and its bases' known ones; unknown unless every one is known."""
    made = lineage_symbols(space)
    _, complete_ = _approved_along(space)
    code = made.licence.value
    bits = {c: z3.Or(code == c, made.bases.has_constant(c))
            for c in range(space.strings.others_from)}
    slots = [(code >= space.strings.others_from, code), *made.bases.slots]
    return SymSet(complete_, bits, slots)


DERIVED_ENCODINGS.update({
    "derived.license_approved": license_approved_fact,
    "derived.missing_base_models": missing_base_models_fact,
    "derived.lineage_licenses": lineage_licenses_fact,
})
