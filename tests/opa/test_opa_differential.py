"""Native and OPA give the same decisions: on the bundled catalog, and on generated worlds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from govern.backends import DecisionRequest
from govern.backends.native import NativeBackend
from govern.backends.opa import OpaBackend
from govern.loading.catalog import Catalog
from govern.numbers import number_problem, parse_number
from tests.opa.opa_binary import OpaServer
from tests.opa.opa_worlds import NUMBER_EDGES, World, assert_engines_agree, make_world, worlds
from tests.support import AS_OF

EXAMPLES = 200
"""Worlds per run; each decides 3 models x 2 tasks x 2 profiles = 12 cases (2,400 in all),
in one policy upload and one batched query per world."""
decided: list[int] = []


def test_bundled_matrix_agrees(catalog: Catalog, opa_backend: OpaBackend) -> None:
    requests = [DecisionRequest(m, t, p) for m in catalog.models.values()
                for t in catalog.tasks.values() for p in catalog.profiles.values()]
    waivers = list(catalog.waivers.values())
    # either side of the Fable 5 and Mythos 5 suspension (12 June 2026), and later
    for as_of in (dt.date(2026, 6, 11), dt.date(2026, 6, 12), AS_OF, dt.date(2027, 6, 1)):
        native = NativeBackend().decide(requests, catalog.policy_set, as_of, waivers)
        assert opa_backend.decide(requests, catalog.policy_set, as_of, waivers) == native
    assert len(requests) == len(catalog.models) * len(catalog.tasks) * len(catalog.profiles)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(world=worlds())
def test_generated_worlds_agree(world: World, opa_backend: OpaBackend) -> None:
    decided.append(assert_engines_agree(world, opa_backend))


def test_enough_generated_cases() -> None:
    # runs after the property test in file order: the issue asks for at least 1,000 cases
    if decided:
        assert sum(decided) >= 1000, sum(decided)


# Every operator at its boundaries, on known, unknown and equal values: the cases a random
# search reaches too rarely to rely on.
OPERATOR_GRID: list[tuple[str, str, list[object]]] = [
    ("equals", "model.license", ["MIT", 'a "quoted" word', {"fact": "model.name"}]),
    ("equals", "model.open_weights", [True, False]),
    ("equals", "model.parameters.total_billion", [744, 744.0, 753.5]),
    ("not_equals", "model.license", ["MIT", {"fact": "model.name"}]),
    ("not_equals", "model.open_weights", [True]),
    ("in", "model.license", [["MIT", "Apache-2.0"], [], {"fact": "model.safeguards.certifications"}]),
    ("in", "model.parameters.total_billion", [[744, 1.4], [753.5]]),
    ("not_in", "model.license", [["MIT"], []]),
    ("contains", "model.safeguards.certifications", ["ISO", {"fact": "model.license"}]),
    ("intersects", "model.safeguards.certifications", [["ISO", "x"], [],
                                                       {"fact": "task.data_classes"}]),
    ("subset_of", "model.safeguards.certifications", [["ISO", "MIT"], [],
                                                      {"fact": "profile.self_host.regions"}]),
    ("gt", "derived.memory_shortfall_gb", [0, -0.25, 0.25]),
    ("gte", "derived.memory_shortfall_gb", [0, 0.25]),
    ("lt", "model.parameters.total_billion", [744, {"fact": "model.parameters.active_billion"}]),
    ("lte", "model.parameters.total_billion", [744.0, 753]),
    ("exists", "model.license", [True, False]),
    ("exists", "model.safeguards.audits", [True, False]),
    ("empty", "model.safeguards.audits", [True, False]),
    ("empty", "model.safeguards.certifications", [True, False]),
    ("before", "model.as_of", ["2026-05-28", {"fact": "model.revocation.since"}]),
    ("after", "model.as_of", ["2026-05-27", {"fact": "model.revocation.since"}]),
    ("older_than_days", "model.as_of", [0, 179, 180, 181]),
]


def _grid_world() -> World:
    rules: list[dict[str, object]] = []
    for op, fact, operands in OPERATOR_GRID:
        for operand in operands:
            n = len(rules)
            rules.append({
                "id": f"g{n}", "description": f"{op} {n}", "effect": ["deny", "warn"][n % 2],
                "severity": "low", "when_unknown": ["fire", "warn"][n // 2 % 2],
                "when": {"fact": fact, op: operand},
                "message": f"{op}: {{{fact}}} {{model.parameters.total_billion}}",
                "rationale": {"text": "t", "source": "s"}})
    cards = []
    # At INT4 the weights are half the parameters in GB; the KV cache (values per token x 1000
    # tokens x 2 bytes) brings the memory to 1280, 1280.25 and 1279.75 GB against 1280 GB:
    # shortfalls of 0, 0.25 and -0.25, and unknown where the parameter count is.
    columns = zip(["MIT", None, "Apache-2.0 OR MIT", "LicenseRef-ISO"], [True, None, False, True],
                  [744.0, None, 753.5, 1.4], [454_000_000, 1, 451_750_000, 639_525_000],
                  ["2026-05-27", "2026-05-28", "2026-11-23", "2026-11-24"],
                  [[], None, [{"auditor": "a", "scope": "s", "source": "s"}], []],
                  [["ISO"], None, [], ["ISO", "iso", "eu-west", "LicenseRef-ISO"]],
                  ["2026-05-27", None, "2026-11-24", "2026-05-28"], strict=True)
    for i, (lic, open_w, total, kv_values, as_of, audits, certs, since) in enumerate(columns):
        cards.append({"id": f"m{i}", "name": "MIT" if i == 0 else f"model {i}",
                      "license": lic, "open_weights": open_w, "vendor": {},
                      "parameters": {"total_billion": total, "active_billion": 744},
                      "kv_cache": {"values_per_token": kv_values, "source": "s"},
                      "safeguards": {"audits": audits, "certifications": certs},
                      "revocation": {"since": since}, "as_of": as_of,
                      "sources": [{"publication": "p"}]})
    task = {"id": "t0", "name": "t", "description": "d", "risk_tier": "high",
            "data_classes": ["source_code"], "business_critical": True, "context_tokens": 1000}
    profile = {"id": "p0", "name": "p", "description": "d", "home_jurisdiction": "EU",
               "data_classes": {}, "trusted_vendor_jurisdictions": [],
               "self_host": {"jurisdiction": "EU", "regions": ["iso", "eu-west"],
                             "accelerator_memory_gb": 1280.0, "precision": "INT4"},
               "preference": ["self-host", "api"]}
    return make_world({"as_of": "2026-11-23", "models": cards, "tasks": [task],
                       "profiles": [profile], "waivers": [],
                       "policies": [{"id": "grid", "title": "t", "description": "d",
                                     "rules": rules}]})


def test_operator_boundaries_agree(opa_backend: OpaBackend) -> None:
    world = _grid_world()
    assert assert_engines_agree(world, opa_backend) == 4
    fired = {f.rule for d in NativeBackend().decide(world.requests, world.policies, world.as_of)
             for o in d.options for f in o.findings}
    assert len(fired) > len(world.policies.rules) // 2  # the grid exercises, not just passes


# Every number edge the grammar accepts, as a fact and as an operand, through every comparison
# at its boundary, through the one computed fact (the memory shortfall) and message rendering.
COMPARISONS = ["gt", "gte", "lt", "lte", "equals"]
MEMORY_FIGURES = ["0", "-0.0", "744", "753.3", "1280.1", "0.1", "0.30000000000000004",
                  "123456789.123456789", "99999999999.999", "9007199254740991"]
CAPACITIES = ["0", "1280.1", "753.3"]


def _shortfall_operands() -> list[str]:
    """Each exact difference, and what binary floating point would make of it instead."""
    texts = {"0", "-0.0", "0.1", "-0.1"}
    for memory in MEMORY_FIGURES:
        for capacity in CAPACITIES:
            texts.add(str(Decimal(memory) - Decimal(capacity)))
            texts.add(repr(parse_number(memory) - parse_number(capacity)))
    return sorted(t for t in texts if number_problem(t) is None)


def _number_edges_world(fact: str, figures: list[str], operands: list[str],
                        capacities: list[str]) -> World:
    rules = [{"id": f"n{i}", "description": f"{fact} {op} {text}", "effect": "warn",
              "severity": "low", "when": {"fact": fact, op: parse_number(text)},
              "message": f"{{{fact}}} {op} {text}", "rationale": {"text": "t", "source": "s"}}
             for i, (op, text) in enumerate((op, t) for op in COMPARISONS for t in operands)]
    cards = [{"id": f"m{i}", "name": f"model {i}", "vendor": {}, "open_weights": True,
              # at FP8 with an empty KV cache the memory needed is the parameter count in GB
              "parameters": {"total_billion": parse_number(text)},
              "kv_cache": {"values_per_token": 1, "source": "s"},
              "as_of": "2026-11-23", "sources": [{"publication": "p"}]}
             for i, text in enumerate(figures)]
    profiles = [{"id": f"p{i}", "name": "p", "description": "d", "home_jurisdiction": "EU",
                 "data_classes": {}, "trusted_vendor_jurisdictions": [],
                 "self_host": {"jurisdiction": "EU", "regions": ["eu-west"],
                               "accelerator_memory_gb": parse_number(text),
                               "precision": "FP8"},
                 "preference": ["self-host", "api"]} for i, text in enumerate(capacities)]
    task = {"id": "t0", "name": "t", "description": "d", "risk_tier": "lower",
            "data_classes": ["source_code"], "business_critical": False, "context_tokens": 0}
    return make_world({"as_of": "2026-11-23", "models": cards, "tasks": [task],
                       "profiles": profiles, "waivers": [],
                       "policies": [{"id": "numbers", "title": "t", "description": "d",
                                     "rules": rules}]})


@pytest.mark.parametrize(("fact", "figures", "operands", "capacities"), [
    ("model.parameters.total_billion", NUMBER_EDGES, NUMBER_EDGES, ["1280"]),
    ("derived.memory_shortfall_gb", MEMORY_FIGURES, _shortfall_operands(), CAPACITIES),
])
def test_number_edges_agree(opa_server: OpaServer, fact: str, figures: list[str],
                            operands: list[str], capacities: list[str]) -> None:
    world = _number_edges_world(fact, figures, operands, capacities)
    backend = OpaBackend(opa_server.url, timeout=60)  # thousands of rule checks in one request
    assert assert_engines_agree(world, backend) == len(figures) * len(capacities)
    fired = {f.rule for d in NativeBackend().decide(world.requests, world.policies, world.as_of)
             for o in d.options for f in o.findings}
    assert len(fired) > len(world.policies.rules) // 2  # the boundaries are met, not missed


# Lineage chains and SPDX expressions at the cases approval turns on: OR needing one, AND
# needing all, WITH following its licence or listed itself, LicenseRef, proprietary, an unknown
# licence along the chain, a base no card describes, and a profile that approves nothing.
LINEAGE_CARDS: list[tuple[str | None, list[str]]] = [
    ("MIT", []),
    ("apache-2.0", ["m0"]),
    ("GPL-3.0-only OR MIT", ["m1"]),
    ("GPL-2.0-or-later WITH Classpath-exception-2.0 AND LicenseRef-Example", ["m0"]),
    (None, ["m0"]),
    ("MIT", ["ghost-base"]),
    ("(mit or gpl-3.0-only) AND (Apache-2.0 OR licenseref-x)", ["m3", "m2"]),
    ("proprietary", []),
    ("GPL-3.0-only", ["ghost-base"]),
]
LINEAGE_PROFILES: list[list[str] | None] = [
    ["MIT", "Apache-2.0"], ["GPL-2.0-or-later", "LicenseRef-Example", "MIT"], None,
    ["GPL-2.0-or-later WITH Classpath-exception-2.0", "MIT", "proprietary", "apache-2.0"],
]


def _lineage_world() -> World:
    cards = [{"id": f"m{i}", "name": f"model {i}", "vendor": {}, "open_weights": True,
              "license": lic, "base_model": bases, "as_of": "2026-11-23",
              "sources": [{"publication": "p"}]} for i, (lic, bases) in enumerate(LINEAGE_CARDS)]
    profiles = [{"id": f"p{i}", "name": "p", "description": "d", "home_jurisdiction": "EU",
                 "data_classes": {}, "trusted_vendor_jurisdictions": [],
                 "self_host": {"jurisdiction": "EU", "regions": ["eu-west"],
                               "accelerator_memory_gb": 100},
                 "preference": ["self-host", "api"],
                 **({"approved_licenses": approved} if approved is not None else {})}
                for i, approved in enumerate(LINEAGE_PROFILES)]
    conditions = [{"fact": "derived.license_approved", "equals": True},
                  {"fact": "derived.license_approved", "equals": False},
                  {"fact": "derived.missing_base_models", "empty": False},
                  {"fact": "derived.lineage_licenses", "contains": "MIT"}]
    rules = [{"id": f"l{i}", "description": f"lineage {i}", "effect": ["deny", "warn"][i % 2],
              "severity": "low", "when_unknown": ["fire", "warn"][i // 2], "when": when,
              "message": "{model.license} | {derived.lineage_licenses} | "
                         "{derived.missing_base_models} | {derived.license_approved} | "
                         "{profile.approved_licenses}",
              "rationale": {"text": "t", "source": "s"}} for i, when in enumerate(conditions)]
    task = {"id": "t0", "name": "t", "description": "d", "risk_tier": "lower",
            "data_classes": ["source_code"], "business_critical": False}
    return make_world({"as_of": "2026-11-23", "models": cards, "tasks": [task],
                       "profiles": profiles, "waivers": [],
                       "policies": [{"id": "lineage", "title": "t", "description": "d",
                                     "rules": rules}]})


def test_licence_lineage_cases_agree(opa_backend: OpaBackend) -> None:
    world = _lineage_world()
    assert assert_engines_agree(world, opa_backend) == len(LINEAGE_CARDS) * len(LINEAGE_PROFILES)
    fired = {(d.model, d.profile, f.rule) for d in NativeBackend().decide(
        world.requests, world.policies, world.as_of) for o in d.options for f in o.findings}
    approved = {(m, p) for m, p, rule in fired if rule == "l0"}
    refused = {(m, p) for m, p, rule in fired if rule == "l1"}
    # approval comes out true, false and unknown (both rules fire on unknown) in this world
    assert approved - refused and refused - approved and approved & refused
