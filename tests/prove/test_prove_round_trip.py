"""``govern prove`` on the bundled policy set with generated edits, run as a user runs it: a
copied catalog edited, compared with ``--base``; every counterexample is validated with
``govern validate`` and decided with ``govern evaluate`` under both versions, and must be
decided differently, the way the proof says."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from govern.loading.catalog import bundled_root
from tests.support import AS_OF, RunLine

Edit = Callable[[dict[str, dict[str, Any]]], None]
"""Changes the copied policies (policy id -> YAML data) in place."""


def _rule(policies: dict[str, dict[str, Any]], rule_id: str) -> dict[str, Any]:
    return next(r for p in policies.values() for r in p["rules"] if r["id"] == rule_id)


def flip_effect(policies: dict[str, dict[str, Any]]) -> None:
    _rule(policies, "licence.weights-not-known-open")["effect"] = "warn"


def _memory_shortfall_test(policies: dict[str, dict[str, Any]]) -> dict[str, Any]:
    tests = _rule(policies, "capacity.self-host-memory-shortfall")["when"]["all"]
    test: dict[str, Any] = next(t for t in tests if t["fact"] == "derived.memory_shortfall_gb")
    return test


def widen_threshold(policies: dict[str, dict[str, Any]]) -> None:
    _memory_shortfall_test(policies)["gt"] = 0.5


def narrow_threshold(policies: dict[str, dict[str, Any]]) -> None:
    _memory_shortfall_test(policies)["gt"] = -12.25


def drop_a_condition(policies: dict[str, dict[str, Any]]) -> None:
    rule = _rule(policies, "residency.provider-trains-on-confidential-data")
    rule["when"] = rule["when"]["all"][1]


def fire_on_unknown(policies: dict[str, dict[str, Any]]) -> None:
    _rule(policies, "residency.provider-trains-on-confidential-data")["when_unknown"] = "fire"


def widen_applies_to(policies: dict[str, dict[str, Any]]) -> None:
    del _rule(policies, "revocation.access-suspended")["applies_to"]


def add_a_rule(policies: dict[str, dict[str, Any]]) -> None:
    policies["licence"]["rules"].append({
        "id": "licence.no-long-retention", "description": "retention over 30 days",
        "effect": "deny", "severity": "high",
        "when": {"fact": "option.data_terms.retention_days", "gt": 30},
        "message": "keeps data {option.data_terms.retention_days} days",
        "rationale": {"text": "test", "source": "test"}})


def trust_cn_for_trade_secrets(policies: dict[str, dict[str, Any]]) -> None:
    rule = _rule(policies, "jurisdiction.data-class-not-permitted-at-host")
    rule["when"] = {"all": [rule["when"], {"not": {"fact": "option.host_jurisdiction",
                                                   "equals": "CN"}}]}


def warn_on_unapproved_licence(policies: dict[str, dict[str, Any]]) -> None:
    _rule(policies, "licence.self-host-licence-not-approved")["effect"] = "warn"


def ignore_missing_bases(policies: dict[str, dict[str, Any]]) -> None:
    _rule(policies, "licence.base-model-missing")["effect"] = "warn"


def tolerate_weights_shortfall(policies: dict[str, dict[str, Any]]) -> None:
    _rule(policies, "capacity.self-host-weights-exceed-memory")["when"]["gt"] = 8


EDITS: dict[str, tuple[Edit, str, str]] = {
    "warn on an unapproved licence": (warn_on_unapproved_licence, "yes", "no"),
    "ignore missing bases": (ignore_missing_bases, "yes", "no"),
    "tolerate a weights shortfall": (tolerate_weights_shortfall, "yes", "no"),
    # edit: (how, more permissive?, more restrictive?)
    "flip an effect": (flip_effect, "yes", "no"),
    "widen a threshold": (widen_threshold, "yes", "no"),
    "narrow a threshold": (narrow_threshold, "no", "yes"),
    "drop a condition": (drop_a_condition, "no", "yes"),
    "fire on unknown": (fire_on_unknown, "no", "yes"),
    "widen applies_to": (widen_applies_to, "no", "yes"),
    "add a rule": (add_a_rule, "no", "yes"),
    "except one jurisdiction": (trust_cn_for_trade_secrets, "yes", "no"),
}


def copy_catalog(target: Path) -> Path:
    for kind in ("model_cards", "tasks", "profiles", "policies"):
        shutil.copytree(bundled_root() / kind, target / kind)
    return target


def edited_copy(tmp_path: Path, edit: Edit) -> tuple[Path, Path]:
    base = copy_catalog(tmp_path / "base")
    current = copy_catalog(tmp_path / "current")
    files = sorted((current / "policies").glob("*.yaml"))
    policies = {f.stem: yaml.safe_load(f.read_text()) for f in files}
    edit(policies)
    for name, data in policies.items():
        (current / "policies" / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return base, current


def prove_json(run_line: RunLine, base: Path, current: Path, witnesses: Path,
               *extra: str) -> tuple[dict[str, Any], int]:
    result = run_line(["prove", "--base", str(base), "--catalog", str(current), "--format",
                       "json", "--as-of", AS_OF.isoformat(), "--witness-dir", str(witnesses),
                       *extra])
    return json.loads(result.stdout), result.exit_code


def assert_round_trip(run_line: RunLine, answer: dict[str, Any]) -> None:
    """The counterexample's records are valid and govern evaluate decides its option as the
    answer says under each version."""
    example = answer["counterexample"]
    for version in ("base", "current"):
        command = example["evaluate"][version].split()
        catalog = Path(command[command.index("--catalog") + 1])
        record_paths = [str(catalog / name) for name in example["records"]]
        validated = run_line(["validate", "--catalog", str(catalog), *record_paths])
        assert validated.exit_code == 0, validated.stdout + validated.stderr
        decided = run_line([*command[1:], "--format", "json"])
        assert decided.exit_code in (0, 1), decided.stderr
        decision = json.loads(decided.stdout)
        labels = [o["deployment"] + (f" via {o['provider']}" if o.get("provider") else "")
                  for o in decision["options"]]
        option = decision["options"][labels.index(example["option"])]
        assert option["verdict"] == example[version]["verdict"]
        assert decision["recommendation"] == example[version]["recommendation"]
    assert example["base"]["verdict"] != example["current"]["verdict"]


@pytest.mark.parametrize("name", sorted(EDITS))
def test_every_counterexample_of_an_edit_is_decided_differently_by_govern_evaluate(
        run_line: RunLine, tmp_path: Path, name: str) -> None:
    edit, permissive, restrictive = EDITS[name]
    base, current = edited_copy(tmp_path, edit)
    report, code = prove_json(run_line, base, current, tmp_path / "witnesses")
    assert code == 0
    replies = {a["question"]: a for a in report["answers"]}
    assert replies["more-permissive"]["answer"] == permissive
    assert replies["more-restrictive"]["answer"] == restrictive
    assert replies["equivalent"]["answer"] == "no"
    for answer in report["answers"]:
        assert answer["status"] == "proof"
        if answer["answer"] in ("yes", "no") and answer["counterexample"] is not None:
            assert_round_trip(run_line, answer)
    directions = {"more-permissive": ("denied", "allowed"),
                  "more-restrictive": ("allowed", "denied")}
    for question, (before, after) in directions.items():
        example = replies[question]["counterexample"]
        if replies[question]["answer"] == "yes":
            assert (example["base"]["verdict"], example["current"]["verdict"]) == (before, after)
        else:
            assert example is None


def test_an_unedited_copy_is_proven_equivalent(run_line: RunLine, tmp_path: Path) -> None:
    base, current = edited_copy(tmp_path, lambda policies: None)
    report, code = prove_json(run_line, base, current, tmp_path / "witnesses",
                              "--fail-on", "change", "--fail-on", "lint")
    assert code == 0
    assert [(a["question"], a["answer"], a["status"]) for a in report["answers"]] == [
        ("equivalent", "yes", "proof"), ("more-permissive", "no", "proof"),
        ("more-restrictive", "no", "proof")]
    assert report["lint"] == {"status": "proof", "findings": []}
    assert not (tmp_path / "witnesses").exists() or not any((tmp_path / "witnesses").iterdir())


@pytest.mark.parametrize(("gate", "code"), [("more-permissive", 1), ("more-restrictive", 0),
                                            ("change", 1), ("lint", 0)])
def test_fail_on_gates_exit_1_only_when_their_question_is_answered_yes(
        run_line: RunLine, tmp_path: Path, gate: str, code: int) -> None:
    base, current = edited_copy(tmp_path, widen_threshold)
    _, exit_code = prove_json(run_line, base, current, tmp_path / "witnesses", "--fail-on", gate)
    assert exit_code == code


def test_lint_names_dead_constant_shadowed_and_contradictory_rules(
        run_line: RunLine, tmp_path: Path) -> None:
    def add_lint_targets(policies: dict[str, dict[str, Any]]) -> None:
        rules = policies["licence"]["rules"]
        common = {"severity": "low", "message": "m", "rationale": {"text": "t", "source": "s"}}
        rules += [
            {"id": "lint.no-data", "description": "d", "effect": "warn",
             "when": {"fact": "task.data_classes", "empty": True}, **common},
            {"id": "lint.every-tier", "description": "d", "effect": "warn",
             "when": {"fact": "task.risk_tier", "in": ["high", "lower"]}, **common},
            {"id": "lint.mit-only", "description": "d", "effect": "deny",
             "applies_to": {"deployments": ["self-host"]},
             "when": {"all": [{"fact": "model.license", "equals": "MIT"},
                              {"fact": "model.open_weights", "equals": False}]}, **common},
            {"id": "lint.both-ways", "description": "d", "effect": "warn",
             "when": {"all": [{"fact": "model.context_window_tokens", "gt": 10},
                              {"fact": "model.context_window_tokens", "lt": 5}]}, **common},
        ]
    base, current = edited_copy(tmp_path, add_lint_targets)
    report, code = prove_json(run_line, base, current, tmp_path / "witnesses",
                              "--fail-on", "lint")
    assert code == 1
    found = {(f["check"], f["rule"]) for f in report["lint"]["findings"]}
    assert found == {
        ("never-fires", "lint.no-data"), ("contradiction", "lint.no-data"),
        ("always-fires", "lint.every-tier"),
        ("shadowed", "lint.mit-only"),
        ("contradiction", "lint.both-ways"),  # it still fires: 'cannot check' when unknown
    }


# ---------------------------------------------------------------- the docs show real output

README_COMMAND = ("govern prove --catalog examples/prove/edited --base examples/prove/base "
                  "--as-of 2026-11-23")


def test_readme_can_it_ever_shows_the_real_output(run_line: RunLine,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support import REPO

    readme = (REPO / "README.md").read_text()
    start = readme.index(f"$ {README_COMMAND}\n") + len(README_COMMAND) + 3
    shown = readme[start:readme.index("```", start)]
    monkeypatch.chdir(REPO)
    result = run_line(README_COMMAND.split()[1:])
    assert result.exit_code == 0
    assert result.stdout == shown


def test_the_guide_explains_every_question_lint_check_and_gate() -> None:
    from govern.cli import PROVE_GATES
    from govern.prove.report import LINT_CHECKS, QUESTIONS
    from tests.support import REPO

    guide = (REPO / "docs" / "can-it-ever.md").read_text()
    for text in [*QUESTIONS.values(), *LINT_CHECKS.values()]:
        assert text.rstrip("?").lower() in guide.lower(), text
    for gate in PROVE_GATES:
        assert f"--fail-on {gate}" in guide


def test_base_ref_reads_the_base_from_git_as_govern_diff_does(run_line: RunLine,
                                                              tmp_path: Path) -> None:
    import subprocess

    repository = copy_catalog(tmp_path / "repo")
    git = ["git", "-C", str(repository), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "catalog"], check=True)
    policy = repository / "policies" / "self-host-capacity.yaml"
    policy.write_text(policy.read_text().replace("      gt: 0\n", "      gt: 0.5\n"))
    result = run_line(["prove", "--base-ref", "HEAD", "--catalog", str(repository),
                       "--format", "json", "--fail-on", "more-restrictive"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["base"] == "HEAD (git)"
    replies = {a["question"]: a["answer"] for a in report["answers"]}
    assert replies == {"equivalent": "no", "more-permissive": "yes", "more-restrictive": "no"}


def test_prove_needs_exactly_one_base(run_line: RunLine) -> None:
    result = run_line(["prove"])
    assert result.exit_code == 2
    assert "exactly one of --base DIR, --base-ref REF" in result.stderr


def test_the_same_policies_give_byte_identical_json_whatever_ran_before(
        run_line: RunLine, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support import REPO

    monkeypatch.chdir(REPO)
    command = [*README_COMMAND.split()[1:], "--format", "json"]
    first = run_line(command).stdout
    swapped = [a.replace("edited", "@").replace("base", "edited").replace("@", "base")
               for a in command]
    assert run_line(swapped).stdout != first  # the solver has now seen other questions
    assert run_line(command).stdout == first
