"""The recommendation: the first allowed option in the profile's preference order.

Decided by the core with rules built in the test, so each row states which options are denied.
Exactly one option carries ``recommended`` (none when the answer is ``disallow``); among several
allowed API offerings the first on the card is recommended.
"""

from __future__ import annotations

from typing import Any

import pytest

from govern.core import decide
from tests.support import AS_OF, model_card, policy_set, profile, rule, task

ALPHA, BETA, SELF_HOST = "api via Alpha", "api via Beta", "self-host"
EVERY_OPTION = {ALPHA, BETA, SELF_HOST}
API_FIRST, SELF_HOST_FIRST = ("api", "self-host"), ("self-host", "api")
CARD = model_card({"Alpha": "US", "Beta": "US"})
TASK = task("public_text")


def denying(labels: set[str]) -> list[dict[str, Any]]:
    """Deny rules for exactly the options named, plus a warn rule so the policy is never empty."""
    rules = [rule("test.note", effect="warn")]
    for provider in ("Alpha", "Beta"):
        if f"api via {provider}" in labels:
            rules.append(rule(f"test.deny-{provider.lower()}", deployments=["api"],
                              when={"fact": "option.provider", "equals": provider}))
    if SELF_HOST in labels:
        rules.append(rule("test.deny-self-host", deployments=["self-host"]))
    return rules


@pytest.mark.parametrize(("preference", "denied", "recommendation", "recommended"), [
    pytest.param(API_FIRST, set(), "api", ALPHA, id="api-first-both-allowed"),
    pytest.param(SELF_HOST_FIRST, set(), "self-host", SELF_HOST,
                 id="self-host-first-both-allowed"),
    pytest.param(API_FIRST, {SELF_HOST}, "api", ALPHA, id="api-first-only-api-allowed"),
    pytest.param(SELF_HOST_FIRST, {SELF_HOST}, "api", ALPHA, id="self-host-first-only-api-allowed"),
    pytest.param(API_FIRST, {ALPHA, BETA}, "self-host", SELF_HOST,
                 id="api-first-only-self-host-allowed"),
    pytest.param(SELF_HOST_FIRST, {ALPHA, BETA}, "self-host", SELF_HOST,
                 id="self-host-first-only-self-host-allowed"),
    pytest.param(API_FIRST, {ALPHA}, "api", BETA, id="api-first-first-provider-denied"),
    pytest.param(SELF_HOST_FIRST, {ALPHA, SELF_HOST}, "api", BETA,
                 id="self-host-first-only-second-provider-allowed"),
    pytest.param(API_FIRST, EVERY_OPTION, "disallow", None, id="api-first-none-allowed"),
    pytest.param(SELF_HOST_FIRST, EVERY_OPTION, "disallow", None,
                 id="self-host-first-none-allowed"),
    # a deployment the profile does not list in its preference is never recommended
    pytest.param(("api",), {ALPHA, BETA}, "disallow", None, id="api-only-profile-api-denied"),
    pytest.param(("self-host",), {SELF_HOST}, "disallow", None,
                 id="self-host-only-profile-self-host-denied"),
])
def test_the_first_allowed_option_in_preference_order_is_recommended(
        preference: tuple[str, ...], denied: set[str], recommendation: str,
        recommended: str | None) -> None:
    the_profile = profile({"public_text": ["EU", "US"]}, preference=preference)
    decision = decide(CARD, TASK, the_profile, policy_set(*denying(denied)), AS_OF)

    assert {o.label for o in decision.options if o.verdict == "denied"} == denied
    assert {o.label for o in decision.options} == EVERY_OPTION
    assert decision.recommendation == recommendation
    assert [o.label for o in decision.options if o.recommended] == (
        [recommended] if recommended else [])
