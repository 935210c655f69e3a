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
from govern.facts import DERIVED, FACTS
from govern.records import Deployment, RiskTier

_COST_INPUTS = ("option.deployment", "option.pricing.input_usd_per_mtok",
                "option.pricing.output_usd_per_mtok", "model.tokens_per_task.output",
                "model.tokens_per_task.measured_by", "model.tokens_per_task.source",
                "task.tokens_per_task.input", "task.tokens_per_task.output")
_WEIGHTS_INPUTS = ("option.deployment", "model.parameters.total_billion", "model.disputes")
_KV_INPUTS = ("option.deployment", "model.kv_cache.layers", "model.kv_cache.kv_heads",
              "model.kv_cache.head_dim", "model.kv_cache.values_per_token",
              "task.context_tokens")

DERIVED_INPUTS: dict[str, tuple[str, ...]] = {
    "derived.data_classes_barred_at_host": ("option.host_jurisdiction", "task.data_classes"),
    "derived.data_classes_outside_residency": ("option.regions", "task.data_classes"),
    "derived.cost_per_task_usd": _COST_INPUTS,
    "derived.cost_per_task_basis": _COST_INPUTS,
    "derived.self_host_weights_gb": _WEIGHTS_INPUTS,
    "derived.self_host_kv_cache_gb": _KV_INPUTS,
    "derived.self_host_memory_gb": _WEIGHTS_INPUTS + _KV_INPUTS,
    "derived.self_host_memory_basis": _WEIGHTS_INPUTS + _KV_INPUTS,
    "derived.memory_shortfall_gb": _WEIGHTS_INPUTS + _KV_INPUTS,
    "derived.memory_shortfall_devices": _WEIGHTS_INPUTS + _KV_INPUTS,
    "derived.weights_shortfall_gb": _WEIGHTS_INPUTS,
    "derived.weights_shortfall_devices": _WEIGHTS_INPUTS,
    "derived.disputed_facts": ("model.disputes",),
    # The lineage is resolved on the card (ModelCard.lineage, no fact path of its own): read
    # as model.id, since a matrix holds one card per id, with its lineage.
    "derived.lineage_licenses": ("model.id",),
    "derived.license_approved": ("model.id", "profile.approved_licenses"),
    "derived.missing_base_models": ("model.id",),
}
"""The model, option and task facts each derived fact of ``govern.facts`` is computed from,
besides the profile. Derived values are computed once per distinct inputs (within a profile)
and shared, so a derived fact added to ``govern.facts`` must be declared here; the assertion
below refuses to import otherwise."""
assert DERIVED_INPUTS.keys() == DERIVED.keys(), "declare the inputs of every derived fact"

ScopeClass = tuple[RiskTier, bool]
"""What ``applies_to`` asks of a task: its risk tier and whether it is business-critical."""


def reads_task(derived_path: str) -> bool:
    return any(i.startswith("task.") for i in DERIVED_INPUTS[derived_path])


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
