"""Stage three of validation: what a schema cannot express about a policy.

Fact paths must exist, operators must suit the fact's type, operands must be of the
matching type, and message placeholders must name facts. Pure: works on the record and its
parsed data, returns (path, message) pairs for the loader to locate in the file.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from govern.conditions import OPERATORS, FactRef, iter_tests, test_operator
from govern.core import template_parts
from govern.dated import dated_value_problems
from govern.errors import did_you_mean
from govern.facts import FACTS
from govern.loading.yaml_source import YamlPath
from govern.records import ModelCard, Policy, Rule

# What a fact operand's type must be, per operator kind, given the tested fact's type.
_OPERAND_FACT_TYPE = {"list": "list", "number": "number", "date": "date"}


def _unknown_fact(path: str) -> str:
    return f"unknown fact '{path}'{did_you_mean(path, FACTS)}; 'govern list facts' shows them all"


def _literal_fits(fact_type: str, value: Any) -> bool:
    if fact_type == "string":
        return isinstance(value, str)
    if fact_type == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if fact_type == "boolean":
        return isinstance(value, bool)
    return True


def _check_test(test: Any) -> list[tuple[tuple[str, ...], str]]:
    """Problems of one test, as (sub-path inside the test, message)."""
    fact = FACTS.get(test.fact)
    if fact is None:
        return [(("fact",), _unknown_fact(test.fact))]
    name, operand = test_operator(test)
    op = OPERATORS[name]
    if fact.type not in op.fact_types:
        kinds = ", ".join(sorted(op.fact_types))
        return [((name,), (f"operator '{name}' does not apply to {test.fact}, a {fact.type} "
                          f"fact (it takes: {kinds})"))]
    if isinstance(operand, FactRef):
        other = FACTS.get(operand.fact)
        if other is None:
            return [((name, "fact"), _unknown_fact(operand.fact))]
        wanted = fact.type if op.operand_kind == "scalar" and name != "contains" else (
            "string" if name == "contains" else _OPERAND_FACT_TYPE.get(op.operand_kind, fact.type))
        if other.type != wanted:
            return [((name, "fact"), (f"{operand.fact} is a {other.type} fact; '{name}' on "
                                     f"{test.fact} needs a {wanted} fact"))]
        return []
    items = operand if isinstance(operand, list) else [operand]
    item_type = "string" if fact.type == "list" else fact.type
    if op.operand_kind in ("scalar", "list") and not all(_literal_fits(item_type, v) for v in items):
        return [((name,), f"'{name}' on {test.fact} needs {item_type} values")]
    return []


def _raw_tests(raw: Any, path: YamlPath) -> list[YamlPath]:
    """Paths of the tests in a parsed condition, in the order ``iter_tests`` yields them."""
    if isinstance(raw, dict):
        for key in ("all", "any"):
            if key in raw:
                return [p for i, c in enumerate(raw[key]) for p in _raw_tests(c, path + (key, i))]
        if "not" in raw:
            return _raw_tests(raw["not"], path + ("not",))
    return [path]


def check_policy(policy: Policy, raw: dict[str, Any]) -> list[tuple[YamlPath, str]]:
    problems: list[tuple[YamlPath, str]] = []
    seen: dict[str, int] = {}
    for index, rule in enumerate(policy.rules):
        base: YamlPath = ("rules", index)
        if rule.id in seen:
            problems.append((base + ("id",), (f"rule id '{rule.id}' is already used by "
                                             f"rules[{seen[rule.id]}]")))
        seen.setdefault(rule.id, index)
        problems.extend(check_rule(rule, raw["rules"][index], base))
    return problems


def check_rule(rule: Rule, raw_rule: dict[str, Any], base: YamlPath) -> list[tuple[YamlPath, str]]:
    """Fact paths, operator/type fit and message placeholders of one schema-valid rule."""
    problems: list[tuple[YamlPath, str]] = []
    if rule.when is not None:
        paths = _raw_tests(raw_rule["when"], base + ("when",))
        for test, path in zip(iter_tests(rule.when), paths, strict=True):
            problems.extend((path + sub, msg) for sub, msg in _check_test(test))
    for kind, value in template_parts(rule.message):
        if kind == "fact" and value not in FACTS:
            problems.append((base + ("message",),
                             f"placeholder {{{value}}}: {_unknown_fact(value)}"))
    return problems


def check_rules_of_invalid_policy(raw: Any) -> list[tuple[YamlPath, str]]:
    """When a policy fails its schema, still check each rule that is valid on its own, so
    one run reports every problem (a bad operand in one rule and a bad fact in another)."""
    rules = raw.get("rules") if isinstance(raw, dict) else None
    if not isinstance(rules, list):
        return []
    problems: list[tuple[YamlPath, str]] = []
    for index, raw_rule in enumerate(rules):
        try:
            rule = Rule.model_validate(raw_rule)
        except ValidationError:
            continue  # its schema problems are already reported
        problems.extend(check_rule(rule, raw_rule, ("rules", index)))
    return problems


def check_model_card(card: ModelCard, raw: dict[str, Any]) -> list[tuple[YamlPath, str]]:
    return [
        (("disputes", i, "fact"), _unknown_fact("model." + d.fact))
        for i, d in enumerate(card.disputes)
        if "model." + d.fact not in FACTS
    ] + dated_value_problems(card)


