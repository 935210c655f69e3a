"""The decisions the bundled catalog must produce (issue 2), through the real CLI and the core."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from govern.core import Decision, OptionDecision, decide
from govern.loading.catalog import Catalog, bundled_root, load_catalog
from tests.support import AS_OF, REPO, RunLine


def evaluate_json(run_line: RunLine, *args: str) -> tuple[int, dict]:
    result = run_line(["evaluate", "--as-of", AS_OF.isoformat(), "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout)


def option(decision: dict, deployment: str, provider: str | None = None) -> dict:
    (found,) = [o for o in decision["options"]
                if o["deployment"] == deployment and (provider is None or o["provider"] == provider)]
    return found


def rules_of(opt: dict) -> dict[str, dict]:
    return {f["rule"]: f for f in opt["findings"]}


def test_glm_refactoring_default_profile_self_hosts_because_the_zai_api_is_in_china(
        run_line: RunLine) -> None:
    code, decision = evaluate_json(run_line, "--model", "glm-5.2", "--task", "refactoring")

    assert code == 0
    assert decision["profile"] == "eu-regulated-enterprise"
    assert decision["recommendation"] == "self-host"
    api = option(decision, "api", "Z.ai")
    assert api["verdict"] == "denied"
    barred = rules_of(api)["jurisdiction.data-class-not-permitted-at-host"]
    assert barred["effect"] == "deny"
    assert "CN" in barred["message"] and "source_code" in barred["message"]
    self_host = option(decision, "self-host")
    assert self_host["verdict"] == "allowed" and self_host["recommended"] is True
    # 753 GB of weights (753B at FP8), 1280 GB available: the weights rule does not fire; the
    # KV cache is unpublished, so the total is a 'cannot check' warning naming it.
    assert "capacity.self-host-weights-exceed-memory" not in rules_of(self_host)
    kv = rules_of(self_host)["capacity.self-host-memory-shortfall"]
    assert kv["effect"] == "warn" and "derived.self_host_kv_cache_gb" in kv["unknown_facts"]
    assert [o["obligation"] for o in self_host["obligations"]] == ["model-security-assessment"]


def test_glm_self_host_is_denied_naming_the_shortfall_when_capacity_is_too_small(
        run_line: RunLine) -> None:
    code, decision = evaluate_json(run_line, "--model", "glm-5.2", "--task", "refactoring",
                                   "--profile", "us-enterprise")

    assert code == 1 and decision["recommendation"] == "disallow"
    shortfall = rules_of(option(decision, "self-host"))["capacity.self-host-weights-exceed-memory"]
    assert shortfall["effect"] == "deny"
    assert "753 GB" in shortfall["message"] and "640 GB" in shortfall["message"]
    assert "largest of the disputed 744, 753" in shortfall["message"]
    assert "short by at least 113 GB: 2 more 80 GB GPU" in shortfall["message"]


def test_startup_that_may_send_code_to_china_gets_the_cheap_api(run_line: RunLine) -> None:
    code, decision = evaluate_json(run_line, "--model", "glm-5.2", "--task", "refactoring",
                                   "--profile", "cost-sensitive-startup")
    assert code == 0 and decision["recommendation"] == "api"
    assert option(decision, "api", "Z.ai")["recommended"] is True


@pytest.mark.parametrize("model", ["claude-fable-5", "claude-mythos-5"])
def test_suspended_models_are_disallowed_for_every_task_citing_the_june_suspension(
        catalog: Catalog, model: str) -> None:
    card = catalog.models[model]
    for task in catalog.tasks.values():
        for profile in catalog.profiles.values():
            decision = decide(card, task, profile, catalog.policy_set, AS_OF)
            assert decision.recommendation == "disallow", (task.id, profile.id)
            (api,) = decision.options  # closed weights: no self-host option at all
            (suspended,) = [f for f in api.findings if f.rule == "revocation.access-suspended"]
            assert suspended.effect == "deny" and suspended.severity == "critical"
            # the directive suspended access for foreign nationals; Anthropic then withdrew it
            # for every customer, the same day: the later event holds
            assert "withdrawn since 2026-06-12" in suspended.message
            assert "export-control" in suspended.message and "all customers" in suspended.message
            before = decide(card, task, profile, catalog.policy_set, dt.date(2026, 6, 11))
            assert "revocation.access-suspended" not in [
                f.rule for o in before.options for f in o.findings]


def test_high_risk_task_is_not_allowed_for_a_model_without_recorded_audits(
        catalog: Catalog) -> None:
    task = catalog.tasks["advanced-cybersecurity"]
    assert task.risk_tier == "high"
    for card in catalog.models.values():
        assert not card.safeguards.audits  # no article records an audit of any model
        for profile in catalog.profiles.values():
            decision = decide(card, task, profile, catalog.policy_set, AS_OF)
            assert decision.recommendation == "disallow"
            for opt in decision.options:
                audit = next(f for f in opt.findings
                             if f.rule == "risk.high-risk-needs-audited-safeguards")
                assert audit.effect == "deny" and opt.verdict == "denied"


def _team_catalog_with_audited_model(tmp_path: Path) -> Path:
    """A team catalog holding a hypothetical audited, self-hostable model."""
    card = (REPO / "model_cards" / "glm-5.2.yaml").read_text()
    card = card.replace("id: glm-5.2", "id: audited-model").replace(
        "revocation:\n", "safeguards:\n  audits:\n    - auditor: Example Audit Ltd\n"
        "      scope: red-team and safeguard review\n      source: audit report 2026-09\n"
        "revocation:\n", 1)
    (tmp_path / "model_cards").mkdir()
    (tmp_path / "model_cards" / "audited-model.yaml").write_text(card)
    return tmp_path


def test_human_oversight_attaches_wherever_a_high_risk_task_is_allowed(
        tmp_path: Path, run_line: RunLine) -> None:
    team = _team_catalog_with_audited_model(tmp_path)
    catalog = load_catalog([bundled_root(), team])
    high_risk = [t for t in catalog.tasks.values() if t.risk_tier == "high"]
    allowed: list[OptionDecision] = []
    for task in high_risk:
        for profile in catalog.profiles.values():
            decision = decide(catalog.models["audited-model"], task, profile,
                              catalog.policy_set, AS_OF)
            allowed += [o for o in decision.options if o.verdict == "allowed"]
    assert allowed, "the audited model should be allowed somewhere for high-risk work"
    for opt in allowed:
        assert "human-oversight" in [o.obligation for o in opt.obligations]

    code, decision = evaluate_json(run_line, "--catalog", str(team), "--model", "audited-model",
                                   "--task", "sensitive-research")
    assert code == 0 and decision["recommendation"] == "self-host"
    assert "human-oversight" in [o["obligation"] for o in option(decision, "self-host")
                                 ["obligations"]]


def test_business_critical_work_on_a_government_revocable_api_only_model_needs_a_fallback(
        run_line: RunLine) -> None:
    code, decision = evaluate_json(run_line, "--model", "claude-opus-4.8",
                                   "--task", "software-development")
    assert code == 0 and decision["recommendation"] == "api"
    api = option(decision, "api", "Anthropic")
    fallback = rules_of(api)["revocation.business-critical-needs-fallback"]
    assert fallback["effect"] == "require"
    assert "tested-fallback" in [o["obligation"] for o in api["obligations"]]
    assert "Software development" in fallback["message"]


def test_revocation_finding_does_not_appear_for_work_that_is_not_business_critical(
        run_line: RunLine) -> None:
    _, decision = evaluate_json(run_line, "--model", "claude-opus-4.8", "--task", "knowledge-work")
    assert "revocation.business-critical-needs-fallback" not in rules_of(option(decision, "api"))


def test_unknown_revocability_is_a_warning_not_a_silent_pass(run_line: RunLine,
                                                            tmp_path: Path) -> None:
    # A card that does not say whether a government can cut off its API: that rule warns.
    card = (REPO / "model_cards" / "gpt-5.5.yaml").read_text()
    card = card.replace("  government_can_revoke: true # inferred: see below\n", "")
    card = card[:card.index("inferred:")] + card[card.index("fact_sources:"):]
    (tmp_path / "model_cards").mkdir()
    (tmp_path / "model_cards" / "gpt-5.5.yaml").write_text(card)
    _, decision = evaluate_json(run_line, "--catalog", str(tmp_path), "--model", "gpt-5.5",
                                "--task", "software-development")
    finding = rules_of(option(decision, "api"))["revocation.business-critical-needs-fallback"]
    assert finding["effect"] == "warn"
    # every fact the rule read that is unknown is named (a closed model's weights_can_be_blocked
    # is unknown too), the one that decided it first
    assert finding["unknown_facts"][0] == "model.revocation.government_can_revoke"
    assert finding["message"].startswith("cannot check: model.revocation.government_can_revoke")


def test_hosted_models_in_the_same_position_are_judged_alike(run_line: RunLine) -> None:
    # Claude Opus 4.8 and GPT-5.5: US vendors' hosted-only models; the card infers for both
    # that a government can cut them off, with the same basis, so both need a fallback.
    for model in ("claude-opus-4.8", "gpt-5.5"):
        _, decision = evaluate_json(run_line, "--model", model, "--task",
                                    "software-development")
        finding = rules_of(option(decision, "api"))["revocation.business-critical-needs-fallback"]
        assert finding["effect"] == "require", model
    # GLM-5.2's hosted API can be cut off too, but its downloadable weights cannot be blocked
    _, decision = evaluate_json(run_line, "--model", "glm-5.2", "--task", "software-development",
                                "--profile", "us-enterprise")
    assert "revocation.business-critical-needs-fallback" not in rules_of(option(decision, "api"))


def test_an_unknown_fact_a_deny_rule_depends_on_denies_with_a_finding_naming_it(
        run_line: RunLine) -> None:
    # No source gives DeepSeek V4 Pro's licence: self-hosting is denied for insufficient evidence
    # (the licence rule reads the approval of the licences along the lineage).
    _code, decision = evaluate_json(run_line, "--model", "deepseek-v4-pro",
                                   "--task", "document-analysis")
    self_host = option(decision, "self-host")
    assert self_host["verdict"] == "denied"
    licence = rules_of(self_host)["licence.self-host-licence-not-approved"]
    assert licence["effect"] == "deny"
    assert licence["unknown_facts"] == ["derived.license_approved"]
    assert licence["message"].startswith("insufficient evidence: derived.license_approved unknown")


def test_a_card_with_no_facts_is_disallowed_everywhere_never_allowed_by_default(
        catalog: Catalog) -> None:
    # glm-5.1: the sources give only a token count. Nothing is assumed.
    card = catalog.models["glm-5.1"]
    assert card.open_weights is None and card.license is None
    for task in catalog.tasks.values():
        decision = decide(card, task, catalog.profiles["cost-sensitive-startup"],
                          catalog.policy_set, AS_OF)
        assert decision.recommendation == "disallow"
        (self_host,) = decision.options  # unknown openness is judged, not dropped
        assert self_host.deployment == "self-host" and self_host.verdict == "denied"


def test_disputed_facts_are_recorded_and_surface_as_a_warning(catalog: Catalog) -> None:
    card = catalog.models["glm-5.2"]
    disputes = {d.fact: [c.value for c in d.claims] for d in card.disputes}
    assert disputes == {"parameters.total_billion": [753, 744], "open_weights": [True, False],
                        # the announcement brief's claim, true when written, since overtaken
                        "context_window_tokens": [1000000, "not yet published"]}
    decision = decide(card, catalog.tasks["refactoring"],
                      catalog.profiles["eu-regulated-enterprise"], catalog.policy_set, AS_OF)
    for opt in decision.options:
        assert "licence.disputed-facts" in {f.rule for f in opt.findings}


def test_a_stale_card_gets_a_review_warning_judged_against_the_as_of_date(
        catalog: Catalog) -> None:
    import datetime as dt

    card = catalog.models["glm-5.2"]
    task, profile = catalog.tasks["refactoring"], catalog.profiles["eu-regulated-enterprise"]
    fresh = decide(card, task, profile, catalog.policy_set, AS_OF)
    later = decide(card, task, profile, catalog.policy_set, AS_OF + dt.timedelta(days=181))
    assert "licence.card-review-overdue" not in {f.rule for o in fresh.options for f in o.findings}
    assert "licence.card-review-overdue" in {f.rule for o in later.options for f in o.findings}


def test_every_decision_of_the_bundled_matrix_is_consistent(catalog: Catalog) -> None:
    """Invariants the design promises, over every (model, task, profile)."""
    for card in catalog.models.values():
        for task in catalog.tasks.values():
            for profile in catalog.profiles.values():
                d: Decision = decide(card, task, profile, catalog.policy_set, AS_OF)
                allowed = [o for o in d.options if o.verdict == "allowed"]
                recommended = [o for o in d.options if o.recommended]
                if d.recommendation == "disallow":
                    assert not allowed and not recommended
                else:
                    (rec,) = recommended
                    assert rec.deployment == d.recommendation and rec.verdict == "allowed"
                    first = next(p for p in profile.preference
                                 if any(o.deployment == p for o in allowed))
                    assert first == d.recommendation
                for o in d.options:
                    denies = [f for f in o.findings if f.effect == "deny" and f.waiver is None]
                    assert (o.verdict == "denied") == bool(denies)


def test_team_catalog_copy_decides_the_same(tmp_path: Path, catalog: Catalog) -> None:
    """Paths do not enter decisions or digests: a copied catalog gives identical output."""
    for kind in ("model_cards", "tasks", "profiles", "policies"):
        shutil.copytree(REPO / kind, tmp_path / kind)
    copy = load_catalog([tmp_path])
    assert copy.policy_set.digest == catalog.policy_set.digest
    card, task, profile = (catalog.models["glm-5.2"], catalog.tasks["refactoring"],
                           catalog.profiles["eu-regulated-enterprise"])
    assert decide(card, task, profile, catalog.policy_set, AS_OF) == decide(
        copy.models["glm-5.2"], copy.tasks["refactoring"],
        copy.profiles["eu-regulated-enterprise"], copy.policy_set, AS_OF)
