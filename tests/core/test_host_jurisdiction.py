"""Where a task's data may go, decided by the core with the bundled jurisdiction policy.

A profile lists, per data class, the host jurisdictions that may receive it. A class it does not
list may go nowhere (default deny): an option is denied for it whatever its host, even our own
infrastructure; a listed class is denied at a host its list does not name.
"""

from __future__ import annotations

import pytest

from govern.core import Decision, PolicySet, build_options, decide
from govern.facts import read_facts
from govern.loading.catalog import Catalog
from govern.records import ModelCard, Task
from tests.support import AS_OF, model_card, profile, task

RULE = "jurisdiction.data-class-not-permitted-at-host"
BARRED = "derived.data_classes_barred_at_host"
# source_code may go to EU and US hosts, trade_secrets only to EU ones; nothing else is listed.
PROFILE = profile({"source_code": ["EU", "US"], "trade_secrets": ["EU"]})


@pytest.fixture(scope="module")
def jurisdiction(catalog: Catalog) -> PolicySet:
    """The bundled api-host-jurisdiction policy alone, so no other rule decides the verdict."""
    return PolicySet([catalog.policies["api-host-jurisdiction"]])


def decide_one(card: ModelCard, the_task: Task, policies: PolicySet) -> Decision:
    """The decision on a card with exactly one option."""
    decision = decide(card, the_task, PROFILE, policies, AS_OF)
    assert len(decision.options) == 1
    return decision


def barred_classes(card: ModelCard, the_task: Task) -> object:
    """The derived fact the rule reads, for the card's one option."""
    (option,) = build_options(card, PROFILE)
    return read_facts(card, option, the_task, PROFILE)[BARRED]


@pytest.mark.parametrize(("data_classes", "host", "barred"), [
    pytest.param(["source_code"], "US", [], id="listed-and-that-host"),
    pytest.param(["source_code"], "EU", [], id="listed-and-that-host-eu"),
    pytest.param(["trade_secrets"], "US", ["trade_secrets"], id="listed-but-not-that-host"),
    pytest.param(["source_code"], "CN", ["source_code"], id="listed-but-not-that-host-cn"),
    pytest.param(["personal_data"], "US", ["personal_data"], id="unlisted"),
    pytest.param(["personal_data"], "EU", ["personal_data"], id="unlisted-even-at-home"),
    pytest.param(["source_code", "personal_data"], "US", ["personal_data"],
                 id="listed-and-unlisted"),
    pytest.param(["source_code", "trade_secrets", "regulated_data"], "US",
                 ["trade_secrets", "regulated_data"], id="each-barred-class-named"),
])
def test_an_api_option_is_denied_for_every_class_its_host_may_not_receive(
        jurisdiction: PolicySet, data_classes: list[str], host: str, barred: list[str]) -> None:
    card, the_task = model_card({"Alpha": host}, open_weights=False), task(*data_classes)
    decision = decide_one(card, the_task, jurisdiction)
    (api,) = decision.options

    assert barred_classes(card, the_task) == barred
    denials = [f for f in api.findings if f.rule == RULE]
    if barred:
        (denial,) = denials
        assert denial.effect == "deny" and denial.unknown_facts == []
        assert denial.message.endswith(f"does not let {', '.join(barred)} go to {host}")
        assert (api.verdict, decision.recommendation) == ("denied", "disallow")
    else:
        assert denials == []
        assert (api.verdict, decision.recommendation) == ("allowed", "api")



@pytest.mark.parametrize(("data_classes", "barred"), [
    pytest.param(["trade_secrets"], [], id="listed-for-our-own-jurisdiction"),
    pytest.param(["personal_data"], ["personal_data"], id="unlisted"),
])
def test_an_unlisted_class_may_not_even_stay_on_our_own_infrastructure(
        jurisdiction: PolicySet, data_classes: list[str], barred: list[str]) -> None:
    card, the_task = model_card({}), task(*data_classes)  # open weights, no API: self-host only
    decision = decide_one(card, the_task, jurisdiction)
    (self_host,) = decision.options

    assert self_host.deployment == "self-host"
    assert barred_classes(card, the_task) == barred
    assert [f.rule for f in self_host.findings if f.effect == "deny"] == ([RULE] if barred else [])
    assert self_host.verdict == ("denied" if barred else "allowed")


def test_an_unknown_host_jurisdiction_denies_for_insufficient_evidence(
        jurisdiction: PolicySet) -> None:
    card, the_task = model_card({"Alpha": None}, open_weights=False), task("source_code")
    (api,) = decide_one(card, the_task, jurisdiction).options

    assert barred_classes(card, the_task) is None
    (denial,) = [f for f in api.findings if f.rule == RULE]
    assert denial.effect == "deny" and denial.unknown_facts == [BARRED]
    assert denial.message.startswith(f"insufficient evidence: {BARRED} unknown")
    assert api.verdict == "denied"
