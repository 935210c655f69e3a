"""Counterexamples: a solver's model written as the YAML records a user would write (a card,
a task, a profile and a decision date), then checked the way a user would check them: loaded
by the same code as ``govern validate`` and decided by govern.core under both versions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml
import z3
from pydantic import BaseModel

from govern.core import Decision, PolicySet, decide
from govern.lineage import base_model_cycles, resolve_lineage
from govern.loading.catalog import load_record_file
from govern.prove.shapes import Scalars, Shape, minimal_item
from govern.prove.symbolic import Space, SymRecords, SymScalar, SymSet, fits_scalars
from govern.records import ApiOffering, ModelCard, Profile, Task, Waiver

RECORD_KINDS: dict[str, tuple[str, type[BaseModel]]] = {
    "model_card": ("model_cards", ModelCard), "task": ("tasks", Task),
    "profile": ("profiles", Profile)}
"""Record key -> (catalog folder, model)."""
NAMESPACE_RECORD = {"model": "model_card", "task": "task", "profile": "profile"}


# ---------------------------------------------------------------- YAML with plain numbers


class PlainNumber(str):
    """A number as the decimal text govern's number grammar reads (never 1e-05 or .inf)."""


class _Dumper(yaml.SafeDumper):
    pass


def _number(dumper: yaml.SafeDumper, value: PlainNumber) -> yaml.ScalarNode:
    tag = "tag:yaml.org,2002:float" if "." in value else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, str(value))


def _float(dumper: yaml.SafeDumper, value: float) -> yaml.ScalarNode:
    return _number(dumper, PlainNumber(decimal_text(Fraction(repr(value)))))


_Dumper.add_representer(PlainNumber, _number)
_Dumper.add_representer(float, _float)


def to_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def decimal_text(value: Fraction) -> str:
    """A fraction whose denominator divides a power of ten, as plain decimal text."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole, rest = divmod(value.numerator, value.denominator)
    if rest == 0:
        return f"{sign}{whole}"
    digits = ""
    while rest and len(digits) < 40:
        rest *= 10
        digit, rest = divmod(rest, value.denominator)
        digits += str(digit)
    return f"{sign}{whole}.{digits}"


# ---------------------------------------------------------------- model -> records


class Realizer:
    """Reads one solver model of a space back into values."""

    def __init__(self, space: Space, model: Any) -> None:
        self.space = space
        self.model = model
        self.names: dict[int, str] = {}

    def eval(self, term: Any) -> Any:
        return self.model.eval(term, model_completion=True)

    def truth(self, term: Any) -> bool:
        return bool(z3.is_true(self.eval(term)))

    def text(self, code: int, scalars: Scalars, hint: str = "") -> str:
        constants = self.space.strings.constants
        if code < len(constants):
            return constants[code]
        if code not in self.names:
            taken = set(constants) | set(self.names.values())
            kind = self.space.strings.kind_of(code)
            self.names[code] = next(c for c in _other_strings(kind, hint)
                                    if c not in taken and fits_scalars(c, scalars))
        return self.names[code]

    def set_value(self, model: Any, made: SymSet, scalars: Scalars | None = None) -> list[str]:
        del model
        wanted = scalars or Scalars()
        values = {self.space.strings.constants[c] for c, bit in made.bits.items()
                  if self.truth(bit)}
        values |= {self.text(self.eval(code).as_long(), wanted)
                   for present, code in made.slots if self.truth(present)}
        return sorted(values)

    def value(self, shape: Shape, fact: Any) -> Any:
        if isinstance(fact, SymSet):
            return self.set_value(self.model, fact, shape.strings)
        if isinstance(fact, SymRecords):
            return [minimal_item(shape.item_model)] if self.truth(fact.nonempty()) and \
                shape.item_model is not None else []
        assert isinstance(fact, SymScalar)
        raw = self.eval(fact.value)
        if fact.type == "boolean":
            return bool(z3.is_true(raw))
        if fact.type == "date":
            return dt.date.fromordinal(raw.as_long()).isoformat()
        if fact.type == "number":
            number = Fraction(raw.as_long(), self.space.grid.unit)
            return PlainNumber(decimal_text(number))
        return self.text(raw.as_long(), shape.strings, ID_NAMES.get(shape.path, ""))


ID_NAMES = {"model.id": "example-model", "task.id": "example-task",
            "profile.id": "example-profile"}
"""Readable names for the records' ids, when no policy or waiver names a particular one."""


def _other_strings(kind: int, hint: str) -> Iterator[str]:
    """Strings of one kind of symbolic.OTHER_KINDS: two capitals from the end of the alphabet,
    'other-N' (after the hint), or 'Other N'."""
    if kind == 0:
        yield from (a + b for a in "ZYXWVUTSRQ" for b in "ZYXWVUTSRQPONMLKJIHGFEDCBA")
    elif kind == 1:
        if hint:
            yield hint
        yield from (f"other-{n}" for n in itertools.count(1))
    else:
        yield from (f"Other {n}" for n in itertools.count(1))


def _put(data: dict[str, Any], names: list[str], value: Any) -> None:
    for name in names[:-1]:
        data = data.setdefault(name, {})
    data[names[-1]] = value


def complete(data: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """Fill every required field the facts did not set with a plain valid value."""
    from govern.prove.shapes import _peel  # the same reading of annotations as shapes

    for key, field in model.model_fields.items():
        name = field.alias or key
        bare, _, _ = _peel(field.annotation)
        if name in data and isinstance(data[name], dict) and isinstance(bare, type) \
                and issubclass(bare, BaseModel):
            complete(data[name], bare)
        elif name not in data and field.is_required():
            data[name] = minimal_item(model)[name]
    return data


def realize(space: Space, model: Any) -> tuple[dict[str, dict[str, Any]], dt.date]:
    """The records and decision date of a solver model of ``space``."""
    realizer = Realizer(space, model)
    space.cache["set_value"] = realizer.set_value
    records: dict[str, dict[str, Any]] = {key: {} for key in RECORD_KINDS}
    offering: dict[str, Any] = {}
    for path, shape in space.shapes.items():
        namespace, *names = path.split(".")
        fact = space.facts[path]
        if not realizer.truth(fact.known):
            continue
        if namespace == "option":
            if space.deployment == "api" and names[0] in ApiOffering.model_fields:
                _put(offering, names, realizer.value(shape, fact))
            continue
        _put(records[NAMESPACE_RECORD[namespace]], names, realizer.value(shape, fact))
    card = records["model_card"]
    if space.deployment == "api":
        card["api_offerings"] = [complete(offering, ApiOffering)]
    for hook in space.realizers:
        hook(model, records)
    for key, (_, record_model) in RECORD_KINDS.items():
        complete(records[key], record_model)
    as_of = dt.date.fromordinal(realizer.eval(space.as_of).as_long())
    return records, as_of


# ---------------------------------------------------------------- checking a counterexample


@dataclass(frozen=True)
class Version:
    """One version of the policy set: what decides, and its waivers."""

    label: str
    policies: PolicySet
    waivers: tuple[Waiver, ...]


@dataclass(frozen=True)
class Checked:
    """A counterexample as govern itself decided it under both versions."""

    yaml: dict[str, str]
    """Record key -> the YAML file's text."""
    ids: dict[str, str]
    as_of: dt.date
    before: Decision
    after: Decision
    bases: dict[str, str] = dataclasses.field(default_factory=dict)
    """Base card id -> its YAML text: the cards the model's lineage needs in the catalog."""


def check(records: dict[str, dict[str, Any]], as_of: dt.date, base: Version,
          current: Version) -> Checked | None:
    """Load the records exactly as ``govern validate`` does and decide them under both
    versions; None when they are not valid records (the model needs another encoding)."""
    texts = {key: to_yaml(records[key]) for key in RECORD_KINDS}
    base_texts = {base_id: to_yaml(data)
                  for base_id, data in sorted(records.get("base_cards", {}).items())}
    loaded: dict[str, Any] = {}
    cards: dict[str, ModelCard] = {}
    with tempfile.TemporaryDirectory(prefix="govern-prove-") as scratch:
        files = [(key, records[key]["id"], texts[key], RECORD_KINDS[key][1])
                 for key in RECORD_KINDS]
        files += [("base", base_id, text, ModelCard) for base_id, text in base_texts.items()]
        for key, name, text, model in files:
            path = Path(scratch) / key / f"{name}.yaml"
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
            record, problems = load_record_file(path, model)
            if record is None or problems:
                return None
            loaded[key] = record
            if isinstance(record, ModelCard):
                cards[record.id] = record
    if base_model_cycles(cards):
        return None
    card = loaded["model_card"]  # its lineage as the catalog loader resolves it
    card = card.model_copy(update={"lineage": resolve_lineage(card, cards)})
    decided = [decide(card, loaded["task"], loaded["profile"], v.policies,
                      as_of, v.waivers) for v in (base, current)]
    return Checked(texts, {k: records[k]["id"] for k in RECORD_KINDS}, as_of, decided[0],
                   decided[1], bases=base_texts)


def flipped_options(checked: Checked, direction: str) -> list[int]:
    """Indexes of the options whose verdict went the given way (``permissive``: denied to
    allowed; ``restrictive``: allowed to denied)."""
    wanted = ("denied", "allowed") if direction == "permissive" else ("allowed", "denied")
    return [i for i, (b, a) in enumerate(zip(checked.before.options, checked.after.options,
                                             strict=True))
            if (b.verdict, a.verdict) == wanted]

