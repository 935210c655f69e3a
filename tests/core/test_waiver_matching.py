"""Which findings a waiver sets aside, decided by the core itself (no CLI, no OPA).

A waiver applies to a deny finding of its own rule on every option its scope matches: each
scope key (model, task, deployment, provider) must match, and an absent key matches anything.
It applies up to and including its expiry day; from the next day it is reported as expired and
the denial stands.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from govern.core import Decision, decide
from tests.support import AS_OF, model_card, policy_set, profile, rule, task, waiver_record

RULE = "test.deny"
CARD = model_card({"Alpha": "US", "Beta": "US"})
TASK = task("public_text")
PROFILE = profile({"public_text": ["EU", "US"]})
ONE_DENY = policy_set(rule(RULE))
ALPHA, BETA, SELF_HOST = "api via Alpha", "api via Beta", "self-host"
EVERY_OPTION = {ALPHA, BETA, SELF_HOST}
NEXT_YEAR = AS_OF + dt.timedelta(days=365)


def decide_with(*waivers: Any, as_of: dt.date = AS_OF, policies: Any = ONE_DENY) -> Decision:
    decision = decide(CARD, TASK, PROFILE, policies, as_of, waivers)
    assert {o.label for o in decision.options} == EVERY_OPTION
    return decision


@pytest.mark.parametrize(("scope", "waived"), [
    pytest.param({}, EVERY_OPTION, id="no-scope-matches-everything"),
    pytest.param({"model": "m"}, EVERY_OPTION, id="model-matches"),
    pytest.param({"model": "other"}, set(), id="model-differs"),
    pytest.param({"task": "t"}, EVERY_OPTION, id="task-matches"),
    pytest.param({"task": "other"}, set(), id="task-differs"),
    pytest.param({"deployment": "api"}, {ALPHA, BETA}, id="deployment-api"),
    pytest.param({"deployment": "self-host"}, {SELF_HOST}, id="deployment-self-host"),
    pytest.param({"provider": "Alpha"}, {ALPHA}, id="provider-alpha"),
    pytest.param({"provider": "Beta"}, {BETA}, id="provider-beta"),
    pytest.param({"provider": "Gamma"}, set(), id="provider-differs"),
    pytest.param({"model": "m", "task": "t", "deployment": "api", "provider": "Beta"}, {BETA},
                 id="every-key-matches"),
    pytest.param({"model": "m", "task": "t", "deployment": "self-host", "provider": "Beta"},
                 set(), id="one-key-differs"),
    pytest.param({"model": "other", "provider": "Alpha"}, set(),
                 id="model-differs-provider-matches"),
])
def test_a_waiver_sets_aside_the_denial_on_exactly_the_options_its_scope_matches(
        scope: dict[str, str], waived: set[str]) -> None:
    decision = decide_with(waiver_record("w", RULE, NEXT_YEAR, **scope))

    for option in decision.options:
        (finding,) = option.findings
        expected = option.label in waived
        assert (finding.waiver.id if finding.waiver else None) == ("w" if expected else None), \
            option.label
        assert option.verdict == ("allowed" if expected else "denied"), option.label
        assert option.waived is expected, option.label
    # a waiver that matched no finding is not part of the decision at all
    assert [(u.id, u.status) for u in decision.waivers] == ([("w", "applied")] if waived else [])


@pytest.mark.parametrize(("rules", "waived_rule", "reported"), [
    # the waiver sets aside its own rule's denial (and is reported applied), never test.deny's
    pytest.param([rule(RULE), rule("test.other")], "test.other", True,
                 id="waiver-for-the-other-of-two-denials"),
    pytest.param([rule(RULE)], "test.not-a-rule", False, id="waiver-for-a-rule-that-is-not-there"),
    # only deny findings can be waived: a waiver naming a warn rule matches nothing
    pytest.param([rule(RULE), rule("test.warn", effect="warn")], "test.warn", False,
                 id="waiver-for-a-warn-rule"),
])
def test_a_waiver_for_another_rule_never_applies(rules: list[dict[str, Any]], waived_rule: str,
                                                 reported: bool) -> None:
    decision = decide_with(waiver_record("w", waived_rule, NEXT_YEAR),
                           policies=policy_set(*rules))

    for option in decision.options:
        standing = [f.rule for f in option.findings if f.effect == "deny" and f.waiver is None]
        assert standing == [RULE], option.label
        assert option.verdict == "denied" and option.waived is False, option.label
        assert all(f.waiver is None for f in option.findings if f.rule != waived_rule)
    assert [(u.id, u.status) for u in decision.waivers] == ([("w", "applied")] if reported else [])


EXPIRES = dt.date(2026, 11, 23)


@pytest.mark.parametrize(("as_of", "status"), [
    pytest.param(EXPIRES - dt.timedelta(days=1), "applied", id="the-day-before"),
    pytest.param(EXPIRES, "applied", id="the-expiry-day-itself"),
    pytest.param(EXPIRES + dt.timedelta(days=1), "expired", id="the-day-after"),
    pytest.param(EXPIRES + dt.timedelta(days=3650), "expired", id="years-after"),
])
def test_a_waiver_applies_through_its_expiry_day_and_is_reported_expired_after(
        as_of: dt.date, status: str) -> None:
    decision = decide_with(waiver_record("w", RULE, EXPIRES, provider="Alpha"), as_of=as_of)

    assert [(u.id, u.status, u.expires) for u in decision.waivers] == [
        ("w", status, EXPIRES)]
    alpha = next(o for o in decision.options if o.label == ALPHA)
    (finding,) = alpha.findings
    if status == "applied":
        assert finding.waiver is not None and finding.waiver.expires == EXPIRES
        assert (alpha.verdict, alpha.waived) == ("allowed", True)
    else:
        assert finding.waiver is None and finding.effect == "deny"
        assert (alpha.verdict, alpha.waived) == ("denied", False)
        assert decision.recommendation == "disallow"


def test_an_expired_waiver_beside_a_live_one_is_reported_expired_and_the_live_one_applies() -> None:
    decision = decide_with(waiver_record("a-old", RULE, AS_OF - dt.timedelta(days=1)),
                           waiver_record("b-new", RULE, AS_OF))

    assert [(u.id, u.status) for u in decision.waivers] == [("a-old", "expired"),
                                                            ("b-new", "applied")]
    for option in decision.options:
        (finding,) = option.findings
        assert finding.waiver is not None and finding.waiver.id == "b-new"
        assert option.verdict == "allowed"
