"""What each rule reads, sorted by where the values come from, so that what a rule gives can be
memoized on the values of the facts it reads and shared by every cell that has those values.

Within one (profile, model, option) the facts of the model card, the option and the profile are
fixed; only the task varies along a row of the matrix. So the facts a rule reads split into

- the *option side*: ``model.*``, ``option.*`` and ``profile.*`` facts, and derived facts
  computed without the task, whose values are read once per option; and
- the *task side*: ``task.*`` facts and derived facts computed from the task, whose values
  form one column over the tasks.

A rule with no task side is *static* on an option: one value for every task. Two sets are
planned per rule: what its condition reads (all the outline needs: did it fire, with what
effect) and what its condition and message read (the full finding).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govern.core import CompiledRule
from govern.facts import DERIVED, DERIVED_READS, FACTS
from govern.records import Deployment, RiskTier


def _inputs(derived_path: str) -> tuple[str, ...]:
    reads = DERIVED_READS[derived_path]
    inputs = ["option.deployment", *(p for p in reads if not p.startswith("profile."))]
    if "model.base_model" in reads:
        # The lineage is resolved on the card (its bases are other cards, with no fact path
        # of their own): the card's id stands for it, since a matrix holds one card per id.
        inputs.append("model.id")
    return tuple(inputs)


DERIVED_INPUTS: dict[str, tuple[str, ...]] = {path: _inputs(path) for path in DERIVED}
"""The model, option and task facts each derived fact of ``govern.facts`` is computed from
(``govern.facts.DERIVED_READS``), besides the profile, which is fixed within a matrix row.
Derived values are computed once per distinct inputs (within a profile) and shared."""

ScopeClass = tuple[RiskTier, bool]
"""What ``applies_to`` asks of a task: its risk tier and whether it is business-critical."""


def reads_task(derived_path: str) -> bool:
    return any(i.startswith("task.") for i in DERIVED_INPUTS[derived_path])


def reads_profile(derived_path: str) -> bool:
    return any(read.startswith("profile.") for read in DERIVED_READS[derived_path])


def task_inputs(derived_path: str) -> tuple[str, ...]:
    return tuple(i for i in DERIVED_INPUTS[derived_path] if i.startswith("task."))


def option_inputs(derived_path: str) -> tuple[str, ...]:
    return tuple(i for i in DERIVED_INPUTS[derived_path] if not i.startswith("task."))


@dataclass(frozen=True)
class Reads:
    """A set of fact paths, sorted by side."""

    option_facts: tuple[str, ...]
    """``model.*``, ``option.*`` and ``profile.*`` paths (any other path reads as unknown)."""
    option_derived: tuple[str, ...]
    """Derived facts computed without the task."""
    task_facts: tuple[str, ...]
    """``task.*`` paths."""
    task_derived: tuple[str, ...]
    """Derived facts computed from the task."""

    @property
    def static(self) -> bool:
        return not (self.task_facts or self.task_derived)

    @classmethod
    def of(cls, paths: set[str]) -> Reads:
        ordered = sorted(paths)
        derived = [p for p in ordered if p in DERIVED_INPUTS]
        return cls(
            option_facts=tuple(p for p in ordered if p.startswith(("model.", "option.",
                                                                  "profile."))),
            option_derived=tuple(p for p in derived if not reads_task(p)),
            task_facts=tuple(p for p in ordered if p.startswith("task.") and p in FACTS),
            task_derived=tuple(p for p in derived if reads_task(p)),
        )


@dataclass(frozen=True)
class RulePlan:
    """One compiled rule and what it reads."""

    index: int
    """Position in ``PolicySet.rules``: findings are listed in this order."""
    compiled: CompiledRule
    condition: Reads
    """What the condition reads: enough to know whether the rule fires, and its effect."""
    finding: Reads
    """What the condition and the message read: enough for the whole finding."""

    def deploys_to(self, deployment: Deployment) -> bool:
        deployments = self.compiled.rule.applies_to.deployments
        return deployments is None or deployment in deployments

    def applies_to_tasks_of(self, scope: ScopeClass) -> bool:
        wanted = self.compiled.rule.applies_to
        return ((wanted.risk_tiers is None or scope[0] in wanted.risk_tiers)
                and (wanted.business_critical is None or scope[1] == wanted.business_critical))


def plan_rule(index: int, compiled: CompiledRule) -> RulePlan:
    message_facts = {text for kind, text in compiled.message if kind == "fact"}
    condition = set(compiled.facts_read)
    return RulePlan(index=index, compiled=compiled, condition=Reads.of(condition),
                    finding=Reads.of(condition | message_facts))


_BOOL, _LIST, _DICT = object(), object(), object()


def freeze(value: Any) -> Any:
    """A hashable stand-in for a fact value that equals another's only when the two values
    make every rule behave the same: lists become tuples, and booleans are tagged, because
    ``True == 1`` in Python while a rule prints ``true`` for one and ``1`` for the other.
    (An int and a float that are equal compare and print the same, so they stay equal.)"""
    kind = type(value)
    if kind is bool:
        return (_BOOL, value)
    if kind is list:
        return (_LIST, tuple(freeze(v) for v in value))
    if kind is dict:
        return (_DICT, tuple((k, freeze(v)) for k, v in value.items()))
    return value
