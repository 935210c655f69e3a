"""The symbolic input ``govern prove`` reasons over: one card, one of its options, a task, a
profile and a decision date, every fact a solver variable instead of a value.

Semantics, as govern decides (govern.core, govern.conditions):

- every fact may be *unknown* where the schema lets it be (``known`` is a variable of its own),
  and conditions are three-valued (Kleene), so ``when_unknown`` is modelled exactly;
- strings are codes: one per string that occurs in the policies, waivers and the schema's
  closed choices, and codes from ``len(constants)`` up for *any other* string (distinct codes,
  distinct strings), each constrained to what the field's type admits;
- lists are sets: one membership bit per constant plus a few *other* slots; other values are
  only ever compared for equality, so ``OTHER_SLOTS`` more than the facts they meet suffices;
- numbers are decimals on a grid finer than every number in the policies (``Grid``), whole
  where the field is an ``int``, below 2^53 and, for fractions, with at most 15 significant
  digits (so a decimal and its binary double agree);
- dates are day numbers; the decision date is an input like the rest.

The option is fixed per space (``api`` or ``self-host``): ``core.build_options`` says how each
kind's facts come from the card and the profile (``SELF_HOST_FROM``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import z3

from govern.facts import FACTS
from govern.prove.shapes import Scalars, Shape, record_shapes

MAX_EXACT_INTEGER = 2**53
SIGNIFICANT_DIGITS = 15
"""A decimal of at most this many significant digits reads back from its double unchanged,
and two such decimals compare as their doubles do."""
OTHER_SLOTS = 2
"""'Other' values a list may hold beyond those compared with facts (see module docstring)."""
FIRST_DAY, LAST_DAY = dt.date.min.toordinal(), dt.date.max.toordinal()

SELF_HOST_FROM: dict[str, str] = {
    "option.host_jurisdiction": "profile.self_host.jurisdiction",
    "option.regions": "profile.self_host.regions",
}
"""The self-host option's facts that ``core.build_options`` copies from the profile and the
card; every other option fact (provider, pricing, data terms) is unknown for self-host."""
API_ONLY_UNKNOWN: tuple[str, ...] = ()
"""Option facts an API option never has (the rest come from the card's API offering)."""


# ---------------------------------------------------------------- symbolic values


@dataclass
class SymScalar:
    """A string (as a code), number (grid units), boolean or date (day number)."""

    type: str
    known: Any
    value: Any


@dataclass
class SymSet:
    """A list, as a set: a bit per constant code, plus slots holding other codes."""

    known: Any
    bits: dict[int, Any]
    slots: list[tuple[Any, Any]]

    def nonempty(self) -> Any:
        return z3.Or([*self.bits.values(), *(p for p, _ in self.slots)])

    def has(self, code: Any) -> Any:
        """Whether the set holds the value of the (symbolic) string code."""
        in_bits = [z3.And(code == c, bit) for c, bit in self.bits.items()]
        in_slots = [z3.And(present, code == other) for present, other in self.slots]
        return z3.Or([*in_bits, *in_slots])

    def has_constant(self, code: int) -> Any:
        return self.bits.get(code, z3.BoolVal(False))


@dataclass
class SymRecords:
    known: Any
    nonempty_: Any

    def nonempty(self) -> Any:
        return self.nonempty_


Sym = SymScalar | SymSet | SymRecords


def subset(a: SymSet, b: SymSet) -> Any:
    """Every value of ``a`` is in ``b`` (both known)."""
    return z3.And([z3.Implies(bit, b.has_constant(c)) for c, bit in a.bits.items()]
                  + [z3.Implies(present, b.has(code)) for present, code in a.slots])


def shares(a: SymSet, b: SymSet) -> Any:
    return z3.Or([z3.And(bit, b.has_constant(c)) for c, bit in a.bits.items()]
                 + [z3.And(present, b.has(code)) for present, code in a.slots])


# ---------------------------------------------------------------- the universe of values


@dataclass(frozen=True)
class Strings:
    """Every string that occurs in the policies, waivers and closed choices, sorted; code i is
    constants[i], codes from len(constants) on are other strings."""

    constants: tuple[str, ...]

    @property
    def others_from(self) -> int:
        return len(self.constants)

    def code(self, text: str) -> int:
        return self.constants.index(text)

    def allowed(self, scalars: Scalars) -> tuple[list[int], list[int]]:
        """Constant codes a value of this type may take, and the kinds of other strings
        (indexes in OTHER_KINDS) it may take."""
        if scalars.choices is not None:
            return [self.code(c) for c in scalars.choices], []
        fits = [i for i, c in enumerate(self.constants) if fits_scalars(c, scalars)]
        return fits, [k for k, sample in enumerate(OTHER_KINDS) if fits_scalars(sample, scalars)]

    def other(self, code: Any, kinds: list[int]) -> Any:
        """``code`` is an other string of one of these kinds: kind k's codes are the range
        others_from + k * OTHERS_PER_KIND, and the OTHERS_PER_KIND codes after it."""
        return z3.Or([z3.And(code >= self.others_from + k * OTHERS_PER_KIND,
                             code < self.others_from + (k + 1) * OTHERS_PER_KIND)
                      for k in kinds])

    def kind_of(self, code: int) -> int:
        return (code - self.others_from) // OTHERS_PER_KIND


OTHERS_PER_KIND = 1000
"""More distinct other strings of one kind than any space has variables."""
OTHER_KINDS = ("QZ", "other-1", "Other 1")
"""Samples of the kinds of strings that occur in no policy: two capitals (a jurisdiction), a
lowercase word with digits and dashes (an id, a region), and any other text. A field admits
the kinds whose sample its type accepts; two facts whose types share no kind never hold the
same other string, as no real string could fit both."""


def fits_scalars(text: str, scalars: Scalars) -> bool:
    if scalars.choices is not None:
        return text in scalars.choices
    return len(text) >= scalars.min_length and (
        scalars.pattern is None or re.search(scalars.pattern, text) is not None)


@dataclass(frozen=True)
class Grid:
    """Numbers are integers counting 1/10^decimals: finer than every policy number, so between
    any two of them (and their differences) there is room for a value."""

    decimals: int

    @property
    def unit(self) -> int:
        return int(10 ** self.decimals)

    def of(self, number: float) -> int:
        scaled = decimal_fraction(number) * self.unit
        assert scaled.denominator == 1, (number, self.decimals)
        return int(scaled)


def decimal_fraction(number: float) -> Fraction:
    """The decimal a policy or card wrote: a float's shortest repr is that decimal."""
    return Fraction(repr(number)) if isinstance(number, float) else Fraction(number)


# ---------------------------------------------------------------- the space


@dataclass
class Space:
    """One symbolic (card, option of kind ``deployment``, task, profile, as-of date)."""

    deployment: str
    strings: Strings
    grid: Grid
    facts: dict[str, Sym] = field(default_factory=dict)
    constraints: list[Any] = field(default_factory=list)
    shapes: dict[str, Shape] = field(default_factory=dict)
    approximated: set[str] = field(default_factory=set)
    """Facts with no exact encoding: free variables of their type (an over-approximation)."""
    realizers: list[Callable[[Any, dict[str, dict[str, Any]]], None]] = field(
        default_factory=list)
    """Hooks writing hidden inputs (profile.data_classes, card disputes) into the records."""
    cache: dict[str, Any] = field(default_factory=dict)
    as_of: Any = None
    preferences: list[Any] = field(default_factory=list)
    """Soft wishes for a readable counterexample: other strings rather than policy words,
    small sets and numbers, dates on the reference day. Never part of a question."""

    # -- variables

    def _name(self, path: str, part: str) -> str:
        return f"{self.deployment}|{path}|{part}"

    def string_code(self, name: str, scalars: Scalars) -> Any:
        code = z3.Int(name)
        constants, others = self.strings.allowed(scalars)
        options = [code == c for c in constants]
        if others:
            options.append(self.strings.other(code, others))
            self.preferences.append(self.strings.other(code, others[-1:]))
        self.constraints.append(z3.Or(options))
        return code

    def new_set(self, name: str, scalars: Scalars, known: Any) -> SymSet:
        constants, others = self.strings.allowed(scalars)
        bits = {c: z3.Bool(f"{name}|has{c}") for c in constants}
        slots: list[tuple[Any, Any]] = []
        if others:
            for i in range(OTHER_SLOTS + self.cache.get("list_comparisons", 0)):
                code = z3.Int(f"{name}|other{i}")
                self.constraints.append(self.strings.other(code, others))
                slots.append((z3.Bool(f"{name}|present{i}"), code))
        self.preferences += [z3.Not(b) for b in bits.values()]
        self.preferences += [z3.Not(p) for p, _ in slots]
        return SymSet(known, bits, slots)

    def number(self, name: str, whole: bool, minimum: float | None) -> Any:
        value = z3.Int(name)
        unit = self.grid.unit
        if whole:
            self.constraints += [value % unit == 0, z3.Abs(value) < MAX_EXACT_INTEGER * unit]
        else:
            self.constraints.append(z3.Abs(value) < min(10**SIGNIFICANT_DIGITS,
                                                        MAX_EXACT_INTEGER * unit))
        if minimum is not None:
            self.constraints.append(value >= self.grid.of(minimum))
        self.preferences.append(z3.Abs(value) <= 1000 * unit)
        self.preferences.append(value % unit == 0)
        return value

    def fresh(self, shape: Shape, known: Any | None = None) -> Sym:
        """A variable for any value of the shape (unknown too, when it is nullable)."""
        name = self._name(shape.path, "")
        if known is None:
            known = z3.Bool(name + "known") if shape.nullable else z3.BoolVal(True)
        if shape.type == "list":
            made = self.new_set(name, shape.strings, known)
            if shape.min_items:
                self.constraints.append(z3.Implies(known, made.nonempty()))
            if shape.max_items is not None and made.slots == []:
                self.constraints.append(
                    z3.Sum([z3.If(b, 1, 0) for b in made.bits.values()]) <= shape.max_items)
            return made
        if shape.type == "records":
            nonempty = z3.Bool(name + "nonempty")
            if shape.min_items:
                self.constraints.append(nonempty)
            return SymRecords(known, nonempty)
        if shape.type == "string":
            return SymScalar("string", known, self.string_code(name + "value", shape.strings))
        if shape.type == "number":
            return SymScalar("number", known,
                             self.number(name + "value", shape.whole, shape.minimum))
        if shape.type == "boolean":
            return SymScalar("boolean", known, z3.Bool(name + "value"))
        if shape.type == "date":
            day = z3.Int(name + "value")
            self.constraints += [day >= FIRST_DAY, day <= LAST_DAY]
            self.preferences.append(day == self.cache["reference_day"])
            return SymScalar("date", known, day)
        raise ValueError(f"no encoding for a {shape.type} fact")  # pragma: no cover


def unknown(kind: str) -> SymScalar:
    return SymScalar(kind, z3.BoolVal(False), z3.IntVal(0) if kind != "boolean"
                     else z3.BoolVal(False))


def build_space(deployment: str, strings: Strings, grid: Grid, list_comparisons: int,
                reference: dt.date) -> Space:
    """Every fact of FACTS as a variable, linked as core.build_options links them for this
    option kind, plus the derived facts (govern.prove.derived) and the decision date."""
    from govern.prove.derived import encode_derived

    space = Space(deployment, strings, grid)
    space.cache["list_comparisons"] = list_comparisons
    space.cache["reference_day"] = reference.toordinal()
    space.shapes = record_shapes()
    space.approximated |= {p for p, shape in space.shapes.items() if not shape.exact}
    for path, shape in space.shapes.items():
        if not path.startswith("option."):
            space.facts[path] = space.fresh(shape)
    for path, shape in space.shapes.items():
        if path.startswith("option."):
            space.facts[path] = _option_fact(space, path, shape)
    offerings = space.facts["model.api_offerings"]
    open_weights = space.facts["model.open_weights"]
    assert isinstance(offerings, SymRecords) and isinstance(open_weights, SymScalar)
    if deployment == "api":
        space.constraints.append(offerings.nonempty())
    else:  # self-host is an option unless the weights are known to be closed
        space.constraints.append(z3.Or(z3.Not(open_weights.known), open_weights.value))
    space.as_of = z3.Int(f"{deployment}|as_of")
    space.constraints += [space.as_of >= FIRST_DAY, space.as_of <= LAST_DAY]
    space.preferences.append(space.as_of == reference.toordinal())
    space.preferences.append(z3.Distinct([_value(space, f"{n}.id") for n in NAMED]))
    encode_derived(space)
    return space


NAMED = ("model", "task", "profile")


def _value(space: Space, path: str) -> Any:
    fact = space.facts[path]
    assert isinstance(fact, SymScalar)
    return fact.value


def _option_fact(space: Space, path: str, shape: Shape) -> Sym:
    if path == "option.deployment":
        return SymScalar("string", z3.BoolVal(True),
                         z3.IntVal(space.strings.code(space.deployment)))
    if space.deployment == "self-host":
        source = SELF_HOST_FROM.get(path)
        return space.facts[source] if source else _unknown_like(shape)
    if path in API_ONLY_UNKNOWN:
        return _unknown_like(shape)
    known = z3.BoolVal(True) if path == "option.provider" else None
    return space.fresh(shape, known)


def _unknown_like(shape: Shape) -> Sym:
    if shape.type == "list":
        return SymSet(z3.BoolVal(False), {}, [])
    if shape.type == "records":
        return SymRecords(z3.BoolVal(False), z3.BoolVal(False))
    return unknown(shape.type)


def free_fact(space: Space, path: str) -> Sym:
    """A derived fact with no exact encoding: any value of its type, unknown included."""
    space.approximated.add(path)
    spec = FACTS[path]
    shape = Shape(path, spec.type, nullable=True)
    return space.fresh(shape)

