"""A model's lineage: the cards it is fine-tuned or merged from (``base_model``), transitively,
and the licences along it.

A fine-tune or a merge is bound by its bases' licences as well as its own, so the licence rules
judge the whole chain. The loader resolves each card's chain against the catalog once
(``resolve_lineages``) and sets it on the card (``ModelCard.lineage``); a card built outside a
catalog has its own licence only, and bases not looked up (unknown). A cycle is refused by the
loader (``base_model_cycles``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from govern.licences import NormalForm, form_approved, normal_form

if TYPE_CHECKING:
    from govern.records import ModelCard


class DatedLicence(BaseModel):
    """A licence a base's card gives from a date on (its ``dated_values``)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    since: dt.date
    license: str | None
    """The normalised SPDX expression from ``since`` on; None: unknown from that day."""
    normal_form: NormalForm | None


class LineageLicence(BaseModel):
    """One model along the lineage and its licence."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    model: str
    """The card id."""
    license: str | None
    """Its normalised SPDX expression; None when unknown."""
    normal_form: NormalForm | None
    """The expression as alternatives of terms of licences (``govern.licences``): the form the
    Rego engine approves on, since it cannot parse SPDX; None when the licence is unknown."""
    dated: list[DatedLicence] = []
    """A base's dated licences, oldest first: on a decision date the latest on or before it
    replaces ``license`` (``lineage_as_of``), as the base's own card would read that day."""


class Lineage(BaseModel):
    """A card's lineage as the loader resolved it against the catalog."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    licenses: list[LineageLicence]
    """The model first, then every base it derives from, breadth first, each once."""
    missing_bases: list[str] | None
    """Bases named along the lineage that have no card in the catalog; None when the bases
    were not looked up (a card decided outside a catalog)."""


# The loader builds lineages from cards it has validated, so the parts are constructed, not
# validated again: validating would build pydantic's validators for these models on every run
# (about 40 ms of a one-shot `govern evaluate`, more than deciding takes).

def _entry(card: ModelCard) -> LineageLicence:
    license = card.license
    return LineageLicence.model_construct(
        model=card.id, license=license,
        normal_form=normal_form(license) if license is not None else None)


def lineage_of(card: ModelCard) -> Lineage:
    """The card's resolved lineage; for a card not loaded through a catalog, its own licence,
    and its bases (if any) unknown."""
    if card.lineage is not None:
        return card.lineage
    return Lineage.model_construct(licenses=[_entry(card)],
                                   missing_bases=None if card.base_model else [])


def resolve_lineage(card: ModelCard, cards: Mapping[str, ModelCard]) -> Lineage:
    """The card's lineage in ``cards`` (which must hold no base_model cycle)."""
    order: list[ModelCard] = [card]
    missing: list[str] = []
    seen = {card.id}
    index = 0
    while index < len(order):
        for base in order[index].base_model:
            if base in seen:
                continue
            seen.add(base)
            if base in cards:
                order.append(cards[base])
            else:
                missing.append(base)
        index += 1
    return Lineage.model_construct(licenses=[_entry(card), *(_base_entry(c) for c in order[1:])],
                                   missing_bases=missing)


def _base_entry(base: ModelCard) -> LineageLicence:
    """A base's licence along a lineage, with its dated licences: the lineage is resolved once
    per catalog, and read as of each decision date (``lineage_as_of``)."""
    # a dated licence was validated as the licence field is: a normalised expression or None
    licences = [(v.since, None if v.value is None else str(v.value)) for v in base.dated_values
                if v.fact == "license" and v.offering is None]
    dated = [DatedLicence.model_construct(since=since, license=licence,
                                          normal_form=None if licence is None
                                          else normal_form(licence))
             for since, licence in licences]
    return _entry(base).model_copy(update={"dated": dated}) if dated else _entry(base)


def lineage_as_of(lineage: Lineage, as_of: dt.date) -> Lineage:
    """The lineage with each base's licence in force on ``as_of``: its latest dated licence on
    or before it, else its undated licence (unknown when the card gives none)."""
    if not any(entry.dated for entry in lineage.licenses):
        return lineage
    return lineage.model_copy(update={"licenses": [_entry_as_of(e, as_of)
                                                   for e in lineage.licenses]})


def _entry_as_of(entry: LineageLicence, as_of: dt.date) -> LineageLicence:
    in_force = [d for d in entry.dated if d.since <= as_of]
    if not in_force:
        return entry
    latest = in_force[-1]  # oldest first, no two on one day (the loader refuses them)
    return entry.model_copy(update={"license": latest.license,
                                    "normal_form": latest.normal_form})


def base_model_cycles(cards: Mapping[str, ModelCard]) -> list[list[str]]:
    """Every base_model cycle, each as the ids around it (first id repeated at the end),
    starting from its smallest id, each cycle once. Iterative: a long chain is no recursion."""
    cycles: dict[tuple[str, ...], list[str]] = {}
    done: set[str] = set()
    for root in sorted(cards):
        if root in done:
            continue
        path: list[str] = [root]
        stack = [iter(cards[root].base_model)]
        while stack:
            base = next(stack[-1], None)
            if base is None:
                done.add(path.pop())
                stack.pop()
            elif base in path:
                ring = path[path.index(base):]
                start = ring.index(min(ring))
                ring = ring[start:] + ring[:start]
                cycles.setdefault(tuple(ring), ring + [ring[0]])
            elif base in cards and base not in done:
                path.append(base)
                stack.append(iter(cards[base].base_model))
    return [cycles[key] for key in sorted(cycles)]


# ---------------------------------------------------------------- the derived facts


def lineage_licenses(lineage: Lineage) -> list[str] | None:
    """Every licence along the lineage; unknown when one is unknown or a base is missing."""
    if lineage.missing_bases is None or lineage.missing_bases:
        return None
    licenses = [entry.license for entry in lineage.licenses]
    return None if any(lic is None for lic in licenses) else [str(lic) for lic in licenses]


def license_approved(lineage: Lineage, approved: Sequence[str]) -> bool | None:
    """Whether every licence along the lineage is approved; unknown when one is unknown or a
    base is missing, unless one known licence is already not approved (then false)."""
    known = [entry.normal_form for entry in lineage.licenses if entry.normal_form is not None]
    if not all(form_approved(form, approved) for form in known):
        return False
    complete = lineage_licenses(lineage) is not None
    return True if complete else None


def revalidated_card(data: dict[str, Any], original: ModelCard) -> ModelCard:
    """A card's data, edited (explain's changes, what-if's events), validated again like a
    file's content. The lineage is the loader's and no file may write it, so it is left out
    of the validation and carried over: the card's own licence as edited, its bases' as the
    catalog resolved them; when the edit changes ``base_model`` the bases are not looked up
    again, so a card still naming bases reads them as unknown (fails closed)."""
    edited = type(original).model_validate({k: v for k, v in data.items() if k != "lineage"})
    if original.lineage is None:
        return edited
    if edited.base_model != original.base_model:
        lineage = Lineage(licenses=[_entry(edited)],
                          missing_bases=None if edited.base_model else [])
    else:
        lineage = Lineage(licenses=[_entry(edited), *original.lineage.licenses[1:]],
                          missing_bases=original.lineage.missing_bases)
    return edited.model_copy(update={"lineage": lineage})
