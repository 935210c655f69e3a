"""Policies over a symbolic space: conditions three-valued, rules with ``applies_to`` and
``when_unknown``, waivers with their scope and expiry, and an option's verdict, exactly as
govern.core decides them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import z3

from govern.conditions import OPERATORS, AllOf, AnyOf, FactRef, NotOf, test_operator
from govern.core import PolicySet
from govern.prove.symbolic import Space, Sym, SymScalar, SymSet, shares, subset
from govern.records import Rule, Waiver

Truth = tuple[Any, Any]
"""(holds, fails) of a three-valued condition: neither means unknown."""


class Encoder:
    """Conditions of one space; a test it cannot encode exactly is a free three-valued
    variable shared by every rule that has the same test (see ``approximated_tests``)."""

    def __init__(self, space: Space) -> None:
        self.space = space
        self.free: dict[str, Truth] = {}

    @property
    def approximated_tests(self) -> list[str]:
        return sorted(self.free)

    def condition(self, condition: Any) -> Truth:
        if isinstance(condition, AllOf):
            parts = [self.condition(c) for c in condition.all]
            return z3.And([t for t, _ in parts]), z3.Or([f for _, f in parts])
        if isinstance(condition, AnyOf):
            parts = [self.condition(c) for c in condition.any]
            return z3.Or([t for t, _ in parts]), z3.And([f for _, f in parts])
        if isinstance(condition, NotOf):
            holds, fails = self.condition(condition.not_)
            return fails, holds
        return self.test(condition)

    def test(self, test: Any) -> Truth:
        name, operand = test_operator(test)
        fact = self.space.facts[test.fact]
        if OPERATORS[name].handles_unknown:  # exists: about knowing, never unknown
            holds = fact.known == z3.BoolVal(bool(operand))
            return holds, z3.Not(holds)
        other = self.space.facts[operand.fact] if isinstance(operand, FactRef) else None
        check = self._check(name, fact, other, operand)
        if check is None:
            key = json.dumps(test.model_dump(mode="json", by_alias=True, exclude_none=True),
                             sort_keys=True)
            if key not in self.free:
                holds, fails = z3.Bools(f"{self.space.deployment}|free|{key}|holds "
                                        f"{self.space.deployment}|free|{key}|fails")
                self.space.constraints.append(z3.Not(z3.And(holds, fails)))
                self.free[key] = (holds, fails)
            return self.free[key]
        known = fact.known if other is None else z3.And(fact.known, other.known)
        return z3.And(known, check), z3.And(known, z3.Not(check))

    def _check(self, name: str, fact: Sym, other: Sym | None, operand: Any) -> Any | None:
        """The test on known values, or None when it has no exact encoding here."""
        space = self.space
        if name == "empty":
            return z3.Not(fact.nonempty()) == z3.BoolVal(bool(operand))  # type: ignore[union-attr]
        if isinstance(fact, SymScalar):
            if name == "older_than_days":
                return space.as_of - fact.value > int(operand)
            right = other.value if isinstance(other, SymScalar) else None
            if other is None:
                right = self._literal(fact.type, operand) if not isinstance(operand, list) \
                    else None
            if name in ("in", "not_in"):
                if isinstance(other, SymSet) and fact.type == "string":
                    member = other.has(fact.value)
                elif other is None:
                    member = z3.Or([fact.value == self._literal(fact.type, v) for v in operand])
                else:
                    return None
                return member if name == "in" else z3.Not(member)
            if right is None:
                return None
            comparisons = {
                "equals": lambda a, b: a == b, "not_equals": lambda a, b: a != b,
                "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
                "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b,
                "before": lambda a, b: a < b, "after": lambda a, b: a > b,
            }
            compare = comparisons.get(name)
            return None if compare is None else compare(fact.value, right)
        if isinstance(fact, SymSet):
            return self._set_check(name, fact, other, operand)
        return None

    def _set_check(self, name: str, fact: SymSet, other: Sym | None, operand: Any) -> Any | None:
        codes = self.space.strings
        if other is None:
            items = operand if isinstance(operand, list) else [operand]
            if not all(isinstance(i, str) for i in items):
                return None
            wanted = [codes.code(i) for i in items]
            if name == "contains":
                return fact.has_constant(wanted[0])
            if name == "intersects":
                return z3.Or([fact.has_constant(c) for c in wanted])
            if name == "subset_of":
                return z3.And([z3.Not(bit) for c, bit in fact.bits.items() if c not in wanted]
                              + [z3.Not(present) for present, _ in fact.slots])
            return None
        if name == "contains" and isinstance(other, SymScalar) and other.type == "string":
            return fact.has(other.value)
        if isinstance(other, SymSet):
            if name == "intersects":
                return shares(fact, other)
            if name == "subset_of":
                return subset(fact, other)
        return None

    def _literal(self, kind: str, value: Any) -> Any:
        if kind == "string":
            return z3.IntVal(self.space.strings.code(value))
        if kind == "boolean":
            return z3.BoolVal(bool(value))
        if kind == "date":
            assert isinstance(value, dt.date)
            return z3.IntVal(value.toordinal())
        return z3.IntVal(self.space.grid.of(value))


@dataclass(frozen=True)
class RuleTerms:
    rule: Rule
    applies: Any
    holds: Any
    fails: Any

    @property
    def unknown(self) -> Any:
        return z3.And(z3.Not(self.holds), z3.Not(self.fails))

    @property
    def finding(self) -> Any:
        """The rule gives a finding (of any effect)."""
        return z3.And(self.applies, z3.Not(self.fails))

    @property
    def own_effect(self) -> Any:
        """The rule gives a finding with its own effect (deny, require or warn)."""
        if self.rule.when_unknown == "fire" or self.rule.effect == "warn":
            return self.finding
        return z3.And(self.applies, self.holds)


@dataclass(frozen=True)
class VersionTerms:
    rules: list[RuleTerms]
    denied: Any


def rule_terms(encoder: Encoder, rule: Rule) -> RuleTerms:
    space = encoder.space
    scope = rule.applies_to
    task_tier = space.facts["task.risk_tier"]
    critical = space.facts["task.business_critical"]
    assert isinstance(task_tier, SymScalar) and isinstance(critical, SymScalar)
    applies = [z3.BoolVal(scope.deployments is None or space.deployment in scope.deployments)]
    if scope.risk_tiers is not None:
        applies.append(z3.Or([task_tier.value == space.strings.code(t)
                              for t in scope.risk_tiers]))
    if scope.business_critical is not None:
        applies.append(critical.value == z3.BoolVal(scope.business_critical))
    holds, fails = (z3.BoolVal(True), z3.BoolVal(False)) if rule.when is None \
        else encoder.condition(rule.when)
    return RuleTerms(rule, z3.And(applies), holds, fails)


def waived(space: Space, rule_id: str, waivers: Sequence[Waiver]) -> Any:
    """Some live waiver covers a deny finding of the rule (core.waiver_matches, waiver_is_live)."""
    ids = {p: space.facts[p] for p in ("model.id", "task.id", "option.provider")}
    covering = []
    for waiver in waivers:
        if waiver.rule != rule_id:
            continue
        scope = waiver.scope
        terms = [space.as_of <= waiver.expires.toordinal()]
        if scope.deployment is not None:
            terms.append(z3.BoolVal(scope.deployment == space.deployment))
        for value, path in ((scope.model, "model.id"), (scope.task, "task.id"),
                            (scope.provider, "option.provider")):
            if value is not None:
                fact = ids[path]
                assert isinstance(fact, SymScalar)
                terms.append(z3.And(fact.known, fact.value == space.strings.code(value)))
        covering.append(z3.And(terms))
    return z3.Or(covering)


def version_terms(encoder: Encoder, policies: PolicySet, waivers: Sequence[Waiver]
                  ) -> VersionTerms:
    rules = [rule_terms(encoder, compiled.rule) for compiled in policies.rules]
    standing = [z3.And(terms.own_effect, z3.Not(waived(encoder.space, terms.rule.id, waivers)))
                for terms in rules if terms.rule.effect == "deny"]
    return VersionTerms(rules, z3.Or(standing))

