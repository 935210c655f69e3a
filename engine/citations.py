"""Every finding cites its facts: the card's sources of the facts its rule read, and the rule's
rationale with its source.

A fact names its sources by key (``Source.key``): a dated value or a revocation event through
its own ``sources``, any other fact through the card's ``fact_sources`` (a path covers the
facts under it: ``revocation`` covers ``revocation.government_can_revoke``). What a rule read
is the fact paths of its condition and of its message; an option's facts are its offering's
(``api_offerings[P]...``), a derived fact stands for the facts it is computed from.

Citations depend only on the rule, the card as of the decision date and the option, never on
how the decision was reached, so the native engine, the matrix and the OPA backend attach them
with this one function after deciding (``cite_decision``), and agree by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from govern.dated import FactKey, values_in_force
from govern.facts import DERIVED_READS
from govern.records import DatedValue, ModelCard

if TYPE_CHECKING:  # govern.core imports this module to cite what it decides
    from govern.core import CompiledRule, Decision, Finding, PolicySet


class CitedSource(BaseModel):
    """A source a finding rests on: one of the card's ``sources``, and the facts the rule read
    that it gives."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    key: str
    publication: str
    title: str | None
    author: str | None
    date: dt.date | None
    facts: list[str]
    """The fact paths the rule read that this source gives, as the rule names them."""


class RuleRationale(BaseModel):
    """Why the rule that fired exists, and the source it rests on."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    text: str
    source: str

def rule_reads(compiled: CompiledRule) -> list[str]:
    """The fact paths a rule reads, condition first then message, each once."""
    message = [text for kind, text in compiled.message if kind == "fact"]
    return list(dict.fromkeys([*compiled.facts_read, *message]))


def card_paths(fact: str, provider: str | None) -> list[tuple[str | None, str]]:
    """Where a fact path read by a rule lives in the card: (offering provider, path inside
    the card or the offering); empty for the task's and the profile's facts."""
    if fact in DERIVED_READS:  # stands for the facts it is computed from
        return [p for read in DERIVED_READS[fact] for p in card_paths(read, provider)]
    namespace, _, rest = fact.partition(".")
    if namespace == "model":
        return [(None, rest)]
    if namespace == "option" and provider is not None:
        return [(provider, rest)]
    return []


def _prefixes(path: str) -> Iterator[str]:
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        yield ".".join(parts[:end])


def source_keys(card: ModelCard, in_force: dict[FactKey, DatedValue], offering: str | None,
                path: str) -> list[str]:
    """The keys of the sources of one fact of the card: the dated value in force (``in_force``,
    from ``govern.dated.values_in_force``), else the nearest ``fact_sources`` entry at or above
    the path."""
    dated = in_force.get((offering, path))
    if dated is not None:
        return list(dated.sources)
    base = "" if offering is None else f"api_offerings[{offering}]"
    for prefix in _prefixes(path):
        cited = card.fact_sources.get(f"{base}.{prefix}" if base else prefix)
        if cited is not None:
            return list(cited)
    return list(card.fact_sources.get(base, [])) if base else []


def finding_sources(compiled: CompiledRule, card: ModelCard, as_of: dt.date,
                    provider: str | None, unknown: list[str],
                    in_force: dict[FactKey, DatedValue] | None = None) -> list[CitedSource]:
    """The card's sources of the facts a rule read, each with those facts, in reading order.
    A fact the finding names as unknown has no source to cite."""
    if not card.fact_sources and not card.dated_values and not card.revocation.events:
        return []  # nothing to cite: the common case of a card that names no sources by key
    if in_force is None:
        in_force = values_in_force(card, as_of)
    cited: dict[str, list[str]] = {}
    for fact in (f for f in rule_reads(compiled) if f not in unknown):
        for offering, path in card_paths(fact, provider):
            for key in source_keys(card, in_force, offering, path):
                facts = cited.setdefault(key, [])
                if fact not in facts:
                    facts.append(fact)
    by_key = {s.key: s for s in card.sources if s.key is not None}
    return [CitedSource.model_construct(key=key, publication=by_key[key].publication,
                                        title=by_key[key].title, author=by_key[key].author,
                                        date=by_key[key].date, facts=facts)
            for key, facts in cited.items() if key in by_key]


def cite_decision(decision: Decision, card: ModelCard, as_of: dt.date,
                  policies: PolicySet) -> Decision:
    """The decision with every finding citing its sources and its rule's rationale. ``card``
    is the card the decision was made on (as of ``as_of``: ``govern.dated.card_as_of``)."""
    rules = policies.rule_by_id
    in_force = values_in_force(card, as_of)
    options = [option.model_copy(update={"findings": [
        _cited(finding, rules[finding.rule], card, as_of, option.provider, in_force)
        for finding in option.findings]}) for option in decision.options]
    return decision.model_copy(update={"options": options})


def _cited(finding: Finding, compiled: CompiledRule, card: ModelCard, as_of: dt.date,
           provider: str | None, in_force: dict[FactKey, DatedValue]) -> Finding:
    rationale = compiled.rule.rationale
    return finding.model_copy(update={
        "rationale": RuleRationale.model_construct(text=rationale.text, source=rationale.source),
        "sources": finding_sources(compiled, card, as_of, provider, finding.unknown_facts,
                                   in_force)})
