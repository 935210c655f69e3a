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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

import z3

from govern.facts import DERIVED, FACTS
from govern.prove.shapes import Scalars
from govern.prove.symbolic import (
    Space,
    SymRecords,
    SymScalar,
    SymSet,
    free_fact,
    subset,
)
from govern.records import DataClass

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


def encode_derived(space: Space) -> None:
    for path in DERIVED:
        encode = DERIVED_ENCODINGS.get(path)
        space.facts[path] = encode(space) if encode else free_fact(space, path)

