"""What would it take: for each denied option of a decision, the minimal sets of changes that
would make it allowed, grouped by who can make them.

- ``levers``  which record fields stand behind each fact, and the values they are tried with;
- ``changes`` one change (a record edit or a waiver) and applying changes to record copies;
- ``search``  the exhaustive search for minimal sets of changes;
- here        the explanation of a whole decision, its JSON document, and its wording.

**Closest option.** When the recommendation is ``disallow``, the option *closest to allowed*
is the denied option whose smallest suggestion has the fewest changes; a suggestion that needs
no waiver beats one that does at the same size; remaining ties go to the profile's preference
order, then to the order of the options.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from govern.core import (
    Decision,
    OptionDecision,
    PolicySet,
    build_options,
    deployment_label,
    render_value,
)
from govern.dated import card_fixed_as_of
from govern.explain.changes import Change
from govern.explain.levers import ValuePools, build_pools
from govern.explain.search import (
    MAX_CHANGES,
    OptionKey,
    OptionProbe,
    minimal_changes,
    option_key_at,
)
from govern.records import ModelCard, Policy, Profile, Task, Waiver

Group = Literal["card", "task", "profile", "waiver", "unknown", "combined"]
GROUPS: tuple[Group, ...] = ("card", "task", "profile", "waiver", "unknown", "combined")
GROUP_TITLES: dict[Group, str] = {
    "card": "by the model card (a fact of the model or its offering)",
    "task": "by the task",
    "profile": "by the profile (the organisation's policy)",
    "waiver": "by a waiver",
    "unknown": "by learning unknown facts",
    "combined": "by changes of several kinds together",
}
METHOD = ("every minimal set of up to max_changes changes, found by exhaustive search over "
          "the values the catalog and the policies name (plus one value named nowhere, and "
          "numbers ±1), each re-decided; plus the set of waivers of every deny rule that "
          "stands, whatever its size")


def group_of(changes: frozenset[Change]) -> Group:
    """Who can make a suggestion: one kind of owner, unknown facts to learn, or several."""
    kinds: set[Group] = {"unknown" if c.learns_unknown else c.who for c in changes}
    return next(iter(kinds)) if len(kinds) == 1 else "combined"


@dataclass(frozen=True)
class Suggestion:
    changes: tuple[Change, ...]
    group: Group
    wording: tuple[str, ...]

    def document(self) -> dict[str, Any]:
        return {"by": self.group,
                "changes": [change_document(c, w) for c, w in zip(self.changes, self.wording,
                                                                    strict=True)]}


@dataclass(frozen=True)
class OptionExplanation:
    """What it would take for one denied option to be allowed."""

    option: OptionDecision
    key: OptionKey
    blocked_by: tuple[str, ...]
    """The ids of the deny rules that stand against it now."""
    suggestions: tuple[Suggestion, ...]
    complete: bool

    @property
    def fewest_changes(self) -> int | None:
        return min((len(s.changes) for s in self.suggestions), default=None)

    def document(self) -> dict[str, Any]:
        return {"deployment": self.option.deployment, "provider": self.option.provider,
                "label": self.option.label, "blocked_by": list(self.blocked_by),
                "complete": self.complete, "fewest_changes": self.fewest_changes,
                "suggestions": [s.document() for s in self.suggestions]}


@dataclass(frozen=True)
class Explanation:
    decision: Decision
    options: tuple[OptionExplanation, ...]
    closest: OptionExplanation | None
    """For ``disallow``: the option closest to allowed (see the module docstring)."""
    max_changes: int

    def document(self) -> dict[str, Any]:
        closest = None
        if self.closest is not None:
            closest = {"deployment": self.closest.option.deployment,
                       "provider": self.closest.option.provider,
                       "label": self.closest.option.label,
                       "fewest_changes": self.closest.fewest_changes}
        return {"method": METHOD, "max_changes": self.max_changes, "closest": closest,
                "options": [o.document() for o in self.options]}


# ---------------------------------------------------------------- wording


def field_name(change: Change, model: ModelCard) -> str:
    """The field as a person finds it in the record: ``api_offerings[Z.ai].host_jurisdiction``."""
    parts: list[str] = []
    for index, key in enumerate(change.keys):
        if isinstance(key, int):
            previous = change.keys[index - 1] if index else ""
            name = (model.api_offerings[key].provider if previous == "api_offerings"
                    and key < len(model.api_offerings) else str(key))
            parts[-1] += f"[{name}]"
        else:
            parts.append(str(key))
    return ".".join(parts)


def _value(value: Any) -> str:
    if hasattr(value, "data"):
        return "one recorded (" + ", ".join(f"{k}: …" for k in value.data()) + ")"
    if isinstance(value, tuple):
        return render_value(list(value))
    return render_value(value)


def describe(change: Change, model: ModelCard, task: Task, profile: Profile) -> str:
    """One change in words: 'card glm-5.2: api_offerings[Z.ai].host_jurisdiction were EU
    (now CN)'; read after 'if'."""
    if change.op == "waive":
        scope = dict(change.value)
        option = deployment_label(scope["deployment"], scope.get("provider"))
        return (f"a waiver of {change.rule} were approved for model {scope['model']}, "
                f"task {scope['task']}, {option}")
    owner = {"card": f"card {model.id}", "task": f"task {task.id}",
             "profile": f"profile {profile.id}"}[change.who]
    name = f"{owner}: {field_name(change, model)}"
    state = "unknown" if change.before is None else _value(change.before)
    if change.op == "set":
        if change.value is None:
            return f"{name} were left out (now {state})"
        if change.learns_unknown:
            return f"{name} were known to be {_value(change.value)} (now unknown)"
        return f"{name} were {_value(change.value)} (now {state})"
    verb = "included" if change.op == "add" else "did not include"
    return f"{name} {verb} {_value(change.value)} (now {state})"


def change_document(change: Change, wording: str) -> dict[str, Any]:
    if change.op == "waive":
        return {"who": "waiver", "op": "waive", "rule": change.rule,
                "scope": dict(change.value), "text": wording}
    return {"who": change.who, "op": change.op, "field": ".".join(map(str, change.keys)),
            "value": _json(change.value), "now": _json(change.before),
            "unknown_now": change.learns_unknown, "text": wording}


def _json(value: Any) -> Any:
    if hasattr(value, "data"):
        return value.data()
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------- explaining a decision


def explain_decision(decision: Decision, model: ModelCard, task: Task, profile: Profile,
                     policies: PolicySet, as_of: dt.date, waivers: Sequence[Waiver],
                     pools: ValuePools, max_changes: int = MAX_CHANGES) -> Explanation:
    """What it would take for each denied option of ``decision`` to be allowed. The card is
    taken as it stands on ``as_of`` (``card_fixed_as_of``): suggestions are changes to the
    facts in force that day."""
    model = card_fixed_as_of(model, as_of)
    options = build_options(model, profile)
    explained = []
    for index, option in enumerate(decision.options):
        if option.verdict != "denied":
            continue
        key = option_key_at(options, index)
        probe = OptionProbe((model, task, profile), key, policies, as_of, waivers, pools)
        result = minimal_changes(probe, max_changes)
        suggestions = tuple(
            Suggestion(tuple(sorted(s)), group_of(s),
                       tuple(describe(c, model, task, profile) for c in sorted(s)))
            for s in _readable(result.suggestions))
        blocked = tuple(f.rule for f in option.findings
                        if f.effect == "deny" and f.waiver is None)
        explained.append(OptionExplanation(option, key, blocked, _grouped(suggestions),
                                           result.complete))
    closest = None
    if decision.recommendation == "disallow":
        closest = _closest(explained, profile)
    return Explanation(decision, tuple(explained), closest, max_changes)


def _readable(found: list[frozenset[Change]]) -> list[frozenset[Change]]:
    """Of suggestions that differ only in the number a field is set to, one (every one of them
    is minimal; listing each threshold helps nobody): the one that moves a known number
    least, and for a number now unknown the largest value that works (the weakest claim on a
    figure such as a memory estimate)."""
    best: dict[Any, frozenset[Change]] = {}
    for changes in found:
        shape = frozenset((c.who, c.keys, c.op, c.value if not _is_number(c) else "#")
                          for c in changes)
        kept = best.get(shape)
        if kept is None or _rank(changes) < _rank(kept):
            best[shape] = changes
    return [s for s in found if s in best.values()]


def _rank(changes: frozenset[Change]) -> float:
    return float(sum(abs(c.value - c.before) if c.before is not None else -c.value
                     for c in changes if _is_number(c)))


def _is_number(change: Change) -> bool:
    return (change.op == "set" and isinstance(change.value, int | float)
            and not isinstance(change.value, bool))


def _grouped(suggestions: tuple[Suggestion, ...]) -> tuple[Suggestion, ...]:
    return tuple(sorted(suggestions, key=lambda s: (GROUPS.index(s.group), len(s.changes),
                                                    s.wording)))


def _closest(explained: list[OptionExplanation], profile: Profile
             ) -> OptionExplanation | None:
    def rank(item: tuple[int, OptionExplanation]) -> tuple[int, int, int, int]:
        position, option = item
        sizes = [(len(s.changes), s.group == "waiver" or any(c.op == "waive" for c in s.changes))
                 for s in option.suggestions]
        fewest, waived = min(sizes) if sizes else (10**6, True)
        preferred = (profile.preference.index(option.option.deployment)
                     if option.option.deployment in profile.preference else 9)
        return fewest, int(waived), preferred, position

    reachable = [(i, o) for i, o in enumerate(explained) if o.suggestions]
    return min(reachable, key=rank)[1] if reachable else None


def catalog_pools(models: Sequence[ModelCard], tasks: Sequence[Task],
                  profiles: Sequence[Profile], policies: Sequence[Policy]) -> ValuePools:
    """The value pools of a catalog (see ``govern.explain.levers``)."""
    records: list[BaseModel] = [*models, *tasks, *profiles]
    return build_pools(records, list(policies))


__all__ = ["GROUPS", "GROUP_TITLES", "Explanation", "OptionExplanation", "Suggestion",
           "catalog_pools", "explain_decision"]
