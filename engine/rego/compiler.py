"""Compile a ``PolicySet`` to Rego v1: one function per YAML rule, plus the data it reads.

The split is the safety argument. The generated module (``govern.rules``) holds only names
the compiler makes up (``rule_0007``), indices, and calls to the hand-written library
(``conditions.rego``, ``govern.rego``); every string and literal that comes from a policy's
YAML (ids, descriptions, messages, operands) goes into ``data.govern.policy_set`` as JSON.
So no quote, brace, newline or ``import data`` in a policy can change what the Rego means.

Each rule's function returns its condition's three-valued outcome (true, false, or null for
unknown); ``govern.rego`` turns outcomes into findings exactly as ``govern.core`` does.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from pydantic import BaseModel

from govern.conditions import OPERATORS, AllOf, AnyOf, FactRef, NotOf, test_operator
from govern.core import CompiledRule, PolicySet
from govern.fieldtypes import RULE_ID_PATTERN

PACKAGE_RULES = "govern.rules"

_SAFE_NAME = re.compile(r"^[a-z_]+$")
_SAFE_RULE_ID = re.compile(RULE_ID_PATTERN)


@dataclass(frozen=True)
class CompiledPolicySet:
    """The Rego modules (path in a bundle -> source) and the policy data they read."""

    modules: dict[str, str]
    """Path in a bundle -> Rego source, in dependency order (a module after those it uses)."""
    policy_data: dict[str, Any]
    """``data.govern.policy_set``: digest, rules (strings and scopes) and tests (operands)."""
    digest: str


def static_module(name: str) -> str:
    return resources.files("govern.rego").joinpath(name).read_text(encoding="utf-8")


def compile_policy_set(policies: PolicySet) -> CompiledPolicySet:
    tests: list[dict[str, Any]] = []
    functions = [_rule_function(index, compiled, tests)
                 for index, compiled in enumerate(policies.rules)]
    rules_data = [_rule_data(compiled, policies) for compiled in policies.rules]
    # dependency order, which is also the order a server compiles uploads in
    modules = {
        "govern/conditions.rego": static_module("conditions.rego"),
        "govern/rules.rego": _rules_module(policies.digest, functions, uses_tests=bool(tests)),
        "govern/govern.rego": static_module("govern.rego"),
    }
    return CompiledPolicySet(
        modules=modules,
        policy_data={"digest": policies.digest, "rules": rules_data, "tests": tests},
        digest=policies.digest,
    )


# ---------------------------------------------------------------- the data


def _rule_data(compiled: CompiledRule, policies: PolicySet) -> dict[str, Any]:
    rule = compiled.rule
    return {
        "id": rule.id,
        "policy": compiled.policy,
        "effect": rule.effect,
        "severity": rule.severity,
        "description": rule.description,
        "when_unknown": rule.when_unknown,
        # the core looks the obligation up by rule id, so a duplicated id reads the same here
        "obligation": policies.obligation_of.get(rule.id),
        "applies_to": rule.applies_to.model_dump(mode="json"),
        "message": [[kind, text] for kind, text in compiled.message],
        "facts_read": list(compiled.facts_read),
    }


def _literal(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_literal(v) for v in value]
    return value


def _test_data(test: BaseModel) -> dict[str, Any]:
    _, operand = test_operator(test)
    if isinstance(operand, FactRef):
        return {"fact": test.fact, "value": None, "ref": operand.fact}  # type: ignore[attr-defined]
    return {"fact": test.fact, "value": _literal(operand), "ref": None}  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the Rego source


def _condition(condition: Any, tests: list[dict[str, Any]], indent: int) -> str:
    """A condition as a Rego term; tests are appended to ``tests`` and read by index."""
    if isinstance(condition, (AllOf, AnyOf)):
        combine = "kleene_all" if isinstance(condition, AllOf) else "kleene_any"
        parts = condition.all if isinstance(condition, AllOf) else condition.any
        inner = "\t" * (indent + 1)
        items = "".join(f"{inner}{_condition(c, tests, indent + 1)},\n" for c in parts)
        return f"conditions.{combine}([\n{items}{chr(9) * indent}])"
    if isinstance(condition, NotOf):
        return f"conditions.kleene_not({_condition(condition.not_, tests, indent)})"
    name, _ = test_operator(condition)
    # operator names come from the OPERATORS table, never from YAML; checked all the same
    if name not in OPERATORS or not _SAFE_NAME.match(name):  # pragma: no cover
        raise ValueError(f"operator {name!r} has no Rego function")
    tests.append(_test_data(condition))
    return f"conditions.op_{name}(ctx, tests[{len(tests) - 1}])"


def _rule_function(index: int, compiled: CompiledRule, tests: list[dict[str, Any]]) -> str:
    rule_id = compiled.rule.id
    # the id is validated by its pattern; a comment is still only written when it matches
    comment = f"# {rule_id}\n" if _SAFE_RULE_ID.match(rule_id) else ""
    name = rule_name(index)
    if compiled.rule.when is None:
        return f"{comment}{name}(_) := true\n"
    return f"{comment}{name}(ctx) := {_condition(compiled.rule.when, tests, 0)}\n"


def rule_name(index: int) -> str:
    return f"rule_{index:04d}"


def _rules_module(digest: str, functions: list[str], uses_tests: bool) -> str:
    if functions:
        calls = "".join(f"\t{rule_name(i)}(ctx),\n" for i in range(len(functions)))
        outcomes = f"outcomes(ctx) := [\n{calls}]\n"
    else:
        outcomes = "outcomes(_) := []\n"
    header = (
        f"# Generated by govern from policy set {digest}; do not edit.\n"
        "# One function per YAML rule, in policy-set order: its condition's outcome, true, false\n"
        "# or null (unknown). The rules' strings and operands are in data.govern.policy_set.\n"
        f"package {PACKAGE_RULES}\n\n"
    )
    if uses_tests:  # strict mode refuses an unused import
        header += "import data.govern.conditions\n\ntests := data.govern.policy_set.tests\n\n"
    return header + outcomes + "".join("\n" + f for f in functions)
