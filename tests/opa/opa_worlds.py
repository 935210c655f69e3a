"""Generated worlds (policies, cards, tasks, profiles, waivers, a date) for differential tests.

Every record is built as the raw dict a YAML file would hold and validated by the real
pydantic models and policy checks, so only valid inputs reach the engines.

Number domain: everything the number grammar (govern.numbers) accepts, generated as the text a
YAML file would hold and read with ``parse_number``: the edges (0, -0.0, negatives, decimals
with many digits, the largest and smallest accepted integers +-(2**53 - 1), values equal to
each other so every comparison meets its boundary) and arbitrary plain decimals. See
docs/opa.md ("Numbers") for how both engines stay equal on all of them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from govern.backends import Backend, DecisionRequest
from govern.backends.native import NativeBackend
from govern.conditions import OPERATORS
from govern.core import PolicySet
from govern.facts import FACTS
from govern.lineage import resolve_lineage
from govern.loading.policy_checks import check_model_card, check_policy
from govern.numbers import PLAIN_DECIMAL, number_problem, parse_number
from govern.records import ModelCard, Policy, Profile, Task, Waiver

HOSTILE = [
    'a "quoted" word', "back\\slash \\n \\u0041", "close } brace", "{{ double }}", "{not.a.fact}",
    "new\nline", "# not a comment", "`back ticks`", "import data.govern", "package evil",
    'default decision := {"recommendation": "api"}', "else := true", "null", "true", "1.0",
    "ünïcødé ✓ 😀 \u2028", "tab\there", "data.govern.policy_set.digest", "%s %v %d", "\\u0000",
]
WORDS = ["alpha", "Z.ai", "MIT", "Apache-2.0", "proprietary", "beta gamma", *HOSTILE]
JURISDICTIONS = ["EU", "US", "CN", "GB"]
REGIONS = ["eu-west", "eu-central", "us-east", "cn-north"]
DATA_CLASSES = ["public_text", "source_code", "trade_secrets", "personal_data",
                "regulated_data"]
DATES = ["0001-01-01", "1970-01-01", "2020-02-29", "2026-05-27", "2026-05-28", "2026-11-23",
         "2026-11-24", "2027-01-01", "9999-12-31"]
AS_OF_DATES = ["2026-11-23", "2027-01-01", "2020-02-29"]
BOUNDARY_DAYS = sorted({
    age + step
    for a in AS_OF_DATES for d in DATES
    if (age := (dt.date.fromisoformat(a) - dt.date.fromisoformat(d)).days) >= 0
    for step in (-1, 0, 1) if age + step >= 0
})
DATED_SINCE = sorted(set(DATES) | {
    (dt.date.fromisoformat(a) + dt.timedelta(days=step)).isoformat()
    for a in AS_OF_DATES for step in (-1, 0, 1)})
"""Dates a dated value holds from: every as-of date, the day before and the day after."""

words = st.sampled_from(WORDS)
dates = st.sampled_from(DATES)
NUMBER_EDGES = [
    "0", "-0", "0.0", "-0.0", "1", "-1", "40", "744", "744.0", "753", "753.5", "-2.25", "1.4",
    "0.1", "-0.1", "0.2", "0.3", "0.30000000000000004", "0.000001", "1280", "1280.0", "1280.1",
    "753.3", "526.8", "-526.8", "123456789.123456789", "3.14159265358979323846264338327950288",
    "0.1000000000000000055511151231257827", "999999999999.999", "1000000000000",
    "9007199254740991", "-9007199254740991", "9007199254740990", "4503599627370495.5",
    "9007199254740990.5", "0.5", "-0.5", "100",
]
"""Number texts the grammar accepts, chosen where engines and arithmetic tend to differ."""
plain_decimals = st.from_regex(PLAIN_DECIMAL, fullmatch=True).filter(
    lambda text: number_problem(text) is None)
number_texts = st.one_of(st.sampled_from(NUMBER_EDGES), plain_decimals)
numbers = number_texts.map(parse_number)
non_negative = numbers.filter(lambda x: x >= 0)  # a profile's capacity is at least 0
positive = numbers.filter(lambda x: x > 0)
PRICE_EDGES = ["1.4", "4.4", "10", "50", "0.075", "0.000001", "0.0000015", "999999.999999",
               "1000000", "0.1", "0.30000000000000004"]
"""Prices at and past the six decimals and the million dollars the cost is exact within."""
prices = st.one_of(st.sampled_from(PRICE_EDGES).map(parse_number), numbers)
TOKEN_EDGES = [0, 1, 1000, 24000, 43000, 128000, 1_000_000, 9_007_199_254, 2**53 - 1]
"""Token counts up to the largest integer a JSON number holds exactly: products past 2**53
make a cost or a memory figure unknown in both engines alike."""
token_counts = st.one_of(st.sampled_from(TOKEN_EDGES), st.integers(0, 2**53 - 1),
                         st.integers(0, 300_000))
small_counts = st.one_of(st.sampled_from([1, 8, 61, 92, 128, 2**26]), st.integers(1, 4096))
PRECISIONS = ["FP32", "FP16", "BF16", "FP8", "INT8", "INT4"]


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


# ---------------------------------------------------------------- licences and lineage

LICENCE_ATOMS = ["MIT", "mit", "Apache-2.0", "apache-2.0", "BSD-3-Clause", "GPL-3.0-only",
                 "GPL-2.0-or-later WITH Classpath-exception-2.0",
                 "gpl-2.0-or-later with classpath-exception-2.0", "LicenseRef-Example",
                 "licenseref-llama3", "LicenseRef-proprietary"]
"""Licence ids as a card may spell them (normalised on loading), with and without WITH."""
APPROVABLE = ["MIT", "apache-2.0", "BSD-3-Clause", "GPL-2.0-or-later",
              "GPL-2.0-or-later WITH Classpath-exception-2.0", "LicenseRef-Example",
              "proprietary"]
"""Entries a profile's approved list may hold."""
spdx_expressions = st.one_of(
    st.just("proprietary"),
    st.recursive(
        st.sampled_from(LICENCE_ATOMS),
        lambda inner: st.one_of(
            st.builds(lambda a, b: f"{a} AND {b}", inner, inner),
            st.builds(lambda a, b: f"{a} OR {b}", inner, inner),
            st.builds(lambda a, b: f"({a} or {b})", inner, inner),
            st.builds(lambda a, b: f"({a}) AND ({b})", inner, inner),
        ),
        max_leaves=4,
    ),
)
"""SPDX expressions with AND, OR, WITH, parentheses and LicenseRef-, in mixed case."""


def base_models(draw: st.DrawFn, index: int) -> list[str]:
    """Bases of the ``index``-th card: earlier cards of the world (so no cycle) and sometimes
    a base no card describes."""
    earlier = [f"m{j}" for j in range(index)]
    return draw(st.lists(st.sampled_from([*earlier, "ghost-base"]), max_size=2, unique=True))


def with_lineages(cards: list[ModelCard]) -> list[ModelCard]:
    """The cards with their lineages resolved among themselves, as the catalog loader does."""
    by_id = {card.id: card for card in cards}
    return [card.model_copy(update={"lineage": resolve_lineage(card, by_id)}) for card in cards]


# ---------------------------------------------------------------- records


@st.composite
def offerings(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "provider": draw(words),
        "host_jurisdiction": draw(maybe(st.sampled_from(JURISDICTIONS))),
        "regions": draw(maybe(st.lists(st.sampled_from(REGIONS), max_size=3, unique=True))),
        "pricing": {"input_usd_per_mtok": draw(maybe(prices)),
                    "output_usd_per_mtok": draw(maybe(prices))},
        "data_terms": {"retention_days": draw(maybe(st.integers(0, 400))),
                       "trains_on_customer_data": draw(maybe(st.booleans()))},
        **offered_days(draw),
    }


def offered_days(draw: st.DrawFn) -> dict[str, str]:
    """offered_since and offered_until, each left out (no limit: null is refused there) or
    around an as-of date, in order."""
    since = draw(maybe(st.sampled_from(DATED_SINCE)))
    later = [d for d in DATED_SINCE if since is None or d >= since]
    until = draw(maybe(st.sampled_from(later)))
    return {key: day for key, day in (("offered_since", since), ("offered_until", until))
            if day is not None}


CARD_DATED: dict[str, st.SearchStrategy[Any]] = {
    "license": spdx_expressions,  # a dated licence is validated as the card's own
    "open_weights": st.booleans(),
    "parameters.total_billion": numbers,
    "context_window_tokens": st.integers(0, 2_000_000),
    "vendor.jurisdiction": st.sampled_from(JURISDICTIONS),
    "revocation.government_can_revoke": st.booleans(),
}
OFFERING_DATED: dict[str, st.SearchStrategy[Any]] = {
    "pricing.input_usd_per_mtok": numbers,
    "host_jurisdiction": st.sampled_from(JURISDICTIONS),
    "regions": st.lists(st.sampled_from(REGIONS), max_size=3, unique=True),
    "data_terms.trains_on_customer_data": st.booleans(),
}


@st.composite
def dated_values(draw: st.DrawFn, providers: list[str]) -> list[dict[str, Any]]:
    """Dated values around the as-of dates for the card or one of its offerings; each fact's
    oldest first on distinct days, as the loader wants them."""
    found: list[dict[str, Any]] = []
    keys = {(None, fact) for fact in CARD_DATED} | {(p, fact) for p in providers
                                                    for fact in OFFERING_DATED}
    for offering, fact in draw(st.lists(st.sampled_from(sorted(keys, key=str)), max_size=3,
                                        unique=True)):
        facts = CARD_DATED if offering is None else OFFERING_DATED
        days = draw(st.lists(st.sampled_from(DATED_SINCE), min_size=1, max_size=3, unique=True))
        for since in sorted(days):
            value = {"fact": fact, "since": since, "value": draw(maybe(facts[fact]))}
            found.append(value if offering is None else value | {"offering": offering})
    return found


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    return {"date": draw(st.sampled_from(DATED_SINCE)), "actor": draw(words),
            "action": draw(st.sampled_from(["suspended", "withdrawn", "restricted",
                                            "restored"])),
            "scope": draw(words), "source": "s"}


@st.composite
def model_cards(draw: st.DrawFn, card_id: str, index: int = 0) -> dict[str, Any]:
    audit = {"auditor": draw(words), "scope": "weights", "source": "s"}
    api_offerings = draw(st.lists(offerings(), max_size=2))
    # oldest first, ties kept: of two events on one day the later listed holds
    revocation_events = sorted(draw(st.lists(events(), max_size=3)), key=lambda e: e["date"])
    claims = [{"value": draw(st.one_of(numbers, st.booleans())), "source": "a"},
              {"value": draw(st.one_of(numbers, words)), "source": "b"}]
    return {
        "id": card_id,
        "name": draw(words),
        "vendor": {"name": draw(maybe(words)),
                   "jurisdiction": draw(maybe(st.sampled_from(JURISDICTIONS)))},
        "license": draw(maybe(spdx_expressions)),
        "base_model": base_models(draw, index),
        "open_weights": draw(maybe(st.booleans())),
        "parameters": {"total_billion": draw(maybe(numbers)),
                       "active_billion": draw(maybe(numbers))},
        "context_window_tokens": draw(maybe(st.integers(0, 2_000_000))),
        "api_offerings": api_offerings,
        "kv_cache": draw(maybe(st.one_of(
            st.fixed_dictionaries({"layers": small_counts, "kv_heads": small_counts,
                                   "head_dim": small_counts, "source": words}),
            st.fixed_dictionaries({"values_per_token": token_counts.filter(bool),
                                   "source": words})))),
        "tokens_per_task": draw(maybe(st.fixed_dictionaries(
            {"output": token_counts, "measured_by": words, "source": words},
            optional={"reasoning": token_counts}))),
        "revocation": {
            "status": draw(maybe(st.sampled_from(["available", "suspended", "withdrawn",
                                                  "restricted"]))),
            # set by the events when there are any
            "since": None if revocation_events else draw(maybe(dates)),
            "by": None if revocation_events else draw(maybe(words)),
            "government_can_revoke": draw(maybe(st.booleans())),
            "events": revocation_events,
        },
        "safeguards": {"audits": draw(st.sampled_from([None, [], [audit], [audit, audit]])),
                       "certifications": draw(maybe(st.lists(words, max_size=2)))},
        "disputes": draw(st.sampled_from([[], [{"fact": "parameters.total_billion",
                                                 "claims": claims, "recorded": "a"}]])),
        "dated_values": draw(dated_values([o["provider"] for o in api_offerings])),
        "as_of": draw(dates),
        "sources": [{"publication": draw(words)}],
    }


@st.composite
def tasks(draw: st.DrawFn, task_id: str) -> dict[str, Any]:
    return {
        "id": task_id, "name": draw(words), "description": draw(words),
        "risk_tier": draw(st.sampled_from(["high", "lower"])),
        "data_classes": draw(st.lists(st.sampled_from(DATA_CLASSES), min_size=1, max_size=3)),
        "business_critical": draw(st.booleans()),
        # absent means not estimated (null is refused there)
        "tokens_per_task": draw(st.fixed_dictionaries(
            {}, optional={"input": token_counts, "output": token_counts})),
        "context_tokens": draw(maybe(token_counts)),
    }


@st.composite
def profiles(draw: st.DrawFn, profile_id: str) -> dict[str, Any]:
    classes = draw(st.lists(st.sampled_from(DATA_CLASSES), max_size=5, unique=True))
    return {
        "id": profile_id, "name": draw(words), "description": draw(words),
        "home_jurisdiction": draw(st.sampled_from(JURISDICTIONS)),
        "data_classes": {dc: draw(st.fixed_dictionaries(
            {"host_jurisdictions": st.lists(st.sampled_from(JURISDICTIONS), unique=True)},
            # absent means no residency requirement; null is refused (see AbsentMeans)
            optional={"residency_regions": st.lists(st.sampled_from(REGIONS), unique=True)},
        )) for dc in classes},
        "trusted_vendor_jurisdictions": draw(st.lists(st.sampled_from(JURISDICTIONS),
                                                      unique=True)),
        "self_host": {"jurisdiction": draw(st.sampled_from(JURISDICTIONS)),
                      "regions": draw(st.lists(st.sampled_from(REGIONS), unique=True)),
                      "accelerator_memory_gb": draw(non_negative),
                      "precision": draw(maybe(st.sampled_from(PRECISIONS))),
                      **draw(st.fixed_dictionaries({}, optional={
                          "kv_cache_precision": st.sampled_from(PRECISIONS),
                          "accelerator": st.fixed_dictionaries(
                              {"name": words, "memory_gb": positive})}))},
        "preference": draw(st.sampled_from([["api"], ["self-host"], ["api", "self-host"],
                                            ["self-host", "api"]])),
        **draw(st.fixed_dictionaries({}, optional={
            "approved_licenses": st.lists(st.sampled_from(APPROVABLE), max_size=4, unique=True),
            "max_cost_per_task_usd": non_negative})),
    }


# ---------------------------------------------------------------- policies

_BY_TYPE: dict[str, list[str]] = {}
for _path, _spec in FACTS.items():
    _BY_TYPE.setdefault(_spec.type, []).append(_path)
# Operand facts per operator kind, mirroring govern.loading.policy_checks._check_test.
_REF_TYPE = {"list": "list", "number": "number", "date": "date"}


def _literal(draw: st.DrawFn, op: str, fact_type: str) -> Any:
    kind = OPERATORS[op].operand_kind
    item: st.SearchStrategy[Any] = {
        "string": words, "number": numbers, "boolean": st.booleans(), "list": words,
    }.get(fact_type, words)
    if kind == "list":
        return draw(st.lists(item, max_size=3))
    if kind == "scalar":
        return draw(words if op == "contains" else item)
    if kind == "number":
        return draw(numbers)
    if kind == "date":
        return draw(dates)
    if kind == "int":
        # thresholds at, and one day either side of, the generated dates' ages: boundaries hit
        return draw(st.one_of(st.sampled_from(BOUNDARY_DAYS), st.integers(0, 800_000)))
    return draw(st.booleans())


@st.composite
def tests_(draw: st.DrawFn) -> dict[str, Any]:
    op = draw(st.sampled_from(sorted(OPERATORS)))
    spec = OPERATORS[op]
    fact = draw(st.sampled_from(sorted(p for p, f in FACTS.items() if f.type in spec.fact_types)))
    fact_type = FACTS[fact].type
    if not spec.literal_only and draw(st.booleans()):
        wanted = (fact_type if spec.operand_kind == "scalar" and op != "contains" else
                  "string" if op == "contains" else _REF_TYPE.get(spec.operand_kind, fact_type))
        return {"fact": fact, op: {"fact": draw(st.sampled_from(_BY_TYPE[wanted]))}}
    return {"fact": fact, op: _literal(draw, op, fact_type)}


conditions = st.recursive(
    tests_(),
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=5,
)


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


messages = st.lists(st.one_of(words.map(_escape),
                              st.sampled_from(sorted(FACTS)).map(lambda p: "{" + p + "}")),
                    min_size=1, max_size=4).map(" ".join)


@st.composite
def rules(draw: st.DrawFn, rule_id: str) -> dict[str, Any]:
    effect = draw(st.sampled_from(["deny", "require", "warn"]))
    scope = draw(st.fixed_dictionaries({}, optional={
        "deployments": st.lists(st.sampled_from(["api", "self-host"]), unique=True),
        "risk_tiers": st.lists(st.sampled_from(["high", "lower"]), unique=True),
        "business_critical": st.booleans(),
    }))
    rule: dict[str, Any] = {
        "id": rule_id, "description": draw(words), "effect": effect,
        "severity": draw(st.sampled_from(["low", "medium", "high", "critical"])),
        "applies_to": scope, "when_unknown": draw(st.sampled_from(["fire", "warn"])),
        "message": draw(messages), "rationale": {"text": "because", "source": "a source"},
    }
    when = draw(maybe(conditions))
    if when is not None:
        rule["when"] = when
    if effect == "require":
        rule["obligation"] = draw(st.sampled_from(["human-oversight", "tested-fallback"]))
    return rule


LINEAGE_CONDITIONS = st.one_of(
    st.builds(lambda b: {"fact": "derived.license_approved", "equals": b}, st.booleans()),
    st.builds(lambda b: {"fact": "derived.missing_base_models", "empty": b}, st.booleans()),
    st.builds(lambda w: {"fact": "derived.lineage_licenses", "contains": w},
              st.sampled_from(["MIT", "Apache-2.0", "proprietary", "LicenseRef-Example"])),
    st.builds(lambda b: {"not": {"fact": "derived.license_approved", "equals": b}},
              st.booleans()),
)
"""Rules on the lineage's derived facts, which random conditions over all facts reach rarely."""


@st.composite
def lineage_rules(draw: st.DrawFn) -> dict[str, Any]:
    return {"id": "lineage.licence", "description": "d", "effect": draw(st.sampled_from(
                ["deny", "warn"])), "severity": "high",
            "when_unknown": draw(st.sampled_from(["fire", "warn"])),
            "when": draw(LINEAGE_CONDITIONS),
            "message": "{model.license} along {derived.lineage_licenses}, missing "
                       "{derived.missing_base_models}, approved {derived.license_approved} "
                       "of {profile.approved_licenses}",
            "rationale": {"text": "t", "source": "s"}}


@st.composite
def policy_sets(draw: st.DrawFn) -> list[dict[str, Any]]:
    counts = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    ids = iter(f"r{i}.{draw(st.sampled_from(['x', 'import', 'data', 'else']))}"
               for i in range(sum(counts)))
    return [{"id": f"policy-{p}", "title": "t", "description": "d",
             "rules": [draw(rules(next(ids))) for _ in range(n)]}
            for p, n in enumerate(counts)] + [
        {"id": "policy-lineage", "title": "t", "description": "d",
         "rules": [draw(lineage_rules())]}]


@st.composite
def waivers(draw: st.DrawFn, rule_ids: list[str], as_of: str) -> list[dict[str, Any]]:
    before = (dt.date.fromisoformat(as_of) - dt.timedelta(days=1)).isoformat()
    found = []
    for i in range(draw(st.integers(0, 4))):
        scope = draw(st.fixed_dictionaries({}, optional={
            "model": st.sampled_from(["m0", "m1"]), "task": st.just("t0"),
            "deployment": st.sampled_from(["api", "self-host"]), "provider": words}))
        found.append({"id": f"w{i}", "rule": draw(st.sampled_from(rule_ids)), "scope": scope,
                      "owner": draw(words), "reason": draw(words), "reference": "T-1",
                      "expires": draw(st.sampled_from([as_of, before, "2030-01-01"]))})
    return found


# ---------------------------------------------------------------- worlds


@dataclass(frozen=True)
class World:
    """One generated case set: every model x task x profile is decided as of ``as_of``."""

    raw: dict[str, Any]
    policies: PolicySet
    models: list[ModelCard]
    tasks: list[Task]
    profiles: list[Profile]
    waivers: list[Waiver]
    as_of: dt.date

    @property
    def requests(self) -> list[DecisionRequest]:
        return [DecisionRequest(m, t, p)
                for m in self.models for t in self.tasks for p in self.profiles]

    def as_json(self) -> str:
        return json.dumps(self.raw, indent=2, ensure_ascii=False)


def make_world(raw: dict[str, Any]) -> World:
    policies = [Policy.model_validate(p) for p in raw["policies"]]
    for record, data in zip(policies, raw["policies"], strict=True):
        problems = check_policy(record, data)
        assert not problems, f"generated an invalid policy: {problems}"
    models = [ModelCard.model_validate(m) for m in raw["models"]]
    for card, data in zip(models, raw["models"], strict=True):
        assert not (problems := check_model_card(card, data)), problems
    models = with_lineages(models)
    return World(
        raw=raw,
        policies=PolicySet(policies),
        models=models,
        tasks=[Task.model_validate(t) for t in raw["tasks"]],
        profiles=[Profile.model_validate(p) for p in raw["profiles"]],
        waivers=[Waiver.model_validate(w) for w in raw["waivers"]],
        as_of=dt.date.fromisoformat(raw["as_of"]),
    )


@st.composite
def worlds(draw: st.DrawFn) -> World:
    as_of = draw(st.sampled_from(AS_OF_DATES))
    policies = draw(policy_sets())
    # waivers only matter for deny findings: aim most of them at deny rules
    rule_ids = ([r["id"] for p in policies for r in p["rules"] if r["effect"] == "deny"]
                or [r["id"] for p in policies for r in p["rules"]])
    return make_world({
        "as_of": as_of,
        "policies": policies,
        "models": [draw(model_cards(f"m{i}", i)) for i in range(3)],
        "tasks": [draw(tasks(f"t{i}")) for i in range(2)],
        "profiles": [draw(profiles(f"p{i}")) for i in range(2)],
        "waivers": draw(waivers(rule_ids, as_of)),
    })


def assert_engines_agree(world: World, backend: Backend) -> int:
    """Decide every request of ``world`` on both engines; the number of decisions compared."""
    native = NativeBackend().decide(world.requests, world.policies, world.as_of, world.waivers)
    other = backend.decide(world.requests, world.policies, world.as_of, world.waivers)
    for request, want, got in zip(world.requests, native, other, strict=True):
        if want != got:
            raise AssertionError(
                f"native and {backend.name} disagree on {request.model.id}/{request.task.id}/"
                f"{request.profile.id}\n--- native\n{want.model_dump_json(indent=2)}\n"
                f"--- {backend.name}\n{got.model_dump_json(indent=2)}\n"
                f"--- the case (policies and records, as JSON)\n{world.as_json()}")
    return len(native)
