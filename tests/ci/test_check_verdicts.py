"""What passes and what fails: intended options, alternatives, obligations, --fail-on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import AS_OF, DENIED_API, PASSING, RunLine, line_of, write


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check_json(run_line: RunLine, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_line(["check", "--as-of", AS_OF.isoformat(), "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout)


def one_use(model: str, task: str, deployment: str, provider: str | None = None) -> str:
    extra = f"\n    provider: {provider}" if provider else ""
    return (f"uses:\n  - model: {model}\n    tasks: [{task}]\n    deployment: {deployment}"
            f"{extra}\n")


def test_allowed_with_obligations_passes(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", PASSING)
    code, report = check_json(run_line)
    assert code == 0
    (entry,) = report["entries"]
    assert (entry["status"], entry["verdict"], entry["option"]) == ("pass", "allowed",
                                                                    "self-host")
    assert [o["obligation"] for o in entry["obligations"]] == ["model-security-assessment"]
    assert report["summary"]["passed"] == 1 and report["summary"]["failed"] == 0


def test_denied_intended_api_names_the_allowed_alternative(project: Path,
                                                           run_line: RunLine) -> None:
    text = write(project / "govern.yaml", DENIED_API).read_text()
    result = run_line(["check", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 1
    assert f"FAIL  govern.yaml:{line_of(text, 'review-bot')}" in result.stdout
    assert "intended api via Z.ai is denied; self-host is allowed" in result.stdout
    _, report = check_json(run_line)
    failed = report["entries"][1]
    assert failed["status"] == "fail" and failed["alternatives"] == ["self-host"]
    assert failed["rule"] == "jurisdiction.data-class-not-permitted-at-host"
    assert [f["rule"] for f in failed["denials"]] == [failed["rule"]]
    assert failed["decision"]["recommendation"] == "self-host"
    assert report["summary"] == {**report["summary"], "checks": 2, "passed": 1, "failed": 1}


def test_disallowed_model_fails_with_no_alternative(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", one_use("deepseek-v4-pro", "refactoring", "self-host"))
    code, report = check_json(run_line)
    assert code == 1
    (entry,) = report["entries"]
    assert entry["decision"]["recommendation"] == "disallow"
    assert entry["reasons"][0] == "intended self-host is denied; no deployment is allowed"
    assert {f["rule"] for f in entry["denials"]} >= {"licence.self-host-licence-not-approved"}


@pytest.mark.parametrize(("model", "deployment", "provider", "reason"), [
    ("gpt-5.5", "self-host", None, "gpt-5.5 has no open weights to self-host"),
    ("glm-5.2", "api", "OpenAI", "glm-5.2 is offered by Z.ai, not OpenAI"),
    ("kimi-k2.6", "api", None, "kimi-k2.6 has no API offering"),
])
def test_unavailable_deployment_fails_clearly(project: Path, run_line: RunLine, model: str,
                                              deployment: str, provider: str | None,
                                              reason: str) -> None:
    write(project / "govern.yaml", one_use(model, "refactoring", deployment, provider))
    # Even the most lenient threshold cannot make an unobtainable model usable.
    code, report = check_json(run_line, "--fail-on", "critical")
    assert code == 1
    (entry,) = report["entries"]
    assert (entry["verdict"], entry["option"]) == ("unavailable", None)
    assert entry["rule"] == "govern.deployment-unavailable"
    assert reason in entry["reasons"][0]


def test_provider_match_ignores_case(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", one_use("gpt-5.5", "software-development", "api", "openai"))
    code, report = check_json(run_line)
    assert code == 0 and report["entries"][0]["option"] == "api via OpenAI"


def test_fail_on_warn_fails_an_allowed_option_with_warnings(project: Path,
                                                            run_line: RunLine) -> None:
    write(project / "govern.yaml", PASSING)  # glm-5.2 self-host warns: disputed facts
    assert check_json(run_line)[0] == 0
    code, report = check_json(run_line, "--fail-on", "warn")
    assert code == 1
    (entry,) = report["entries"]
    assert entry["verdict"] == "allowed" and entry["status"] == "fail"
    assert entry["rule"] == "licence.disputed-facts"
    assert report["fail_on"] == "warn"


@pytest.mark.parametrize(("level", "exit_code"), [
    ("deny", 1), ("low", 1), ("medium", 1), ("high", 1), ("critical", 0)])
def test_fail_on_severity_threshold(project: Path, run_line: RunLine, level: str,
                                    exit_code: int) -> None:
    # The Z.ai denial under the EU profile is of severity high.
    write(project / "govern.yaml", one_use("glm-5.2", "refactoring", "api", "Z.ai"))
    code, report = check_json(run_line, "--fail-on", level)
    assert code == exit_code
    entry = report["entries"][0]
    assert entry["verdict"] == "denied"
    if exit_code == 0:
        assert entry["reasons"][0].endswith("(below --fail-on critical: not failing)")


def test_critical_denial_fails_at_critical(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", one_use("deepseek-v4-pro", "refactoring", "api"))
    code, report = check_json(run_line, "--fail-on", "critical")
    assert code == 1
    assert report["entries"][0]["rule"] == "revocation.access-suspended"


def test_output_file_gets_the_report(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", DENIED_API)
    result = run_line(["check", "--as-of", AS_OF.isoformat(), "--format", "json",
                       "--output", "out.json"])
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads((project / "out.json").read_text())["summary"]["failed"] == 1


def test_opa_engine_without_url_is_input_error(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", PASSING)
    result = run_line(["check", "--as-of", AS_OF.isoformat(), "--engine", "opa"],
                      env={"GOVERN_OPA_URL": ""})
    assert result.exit_code == 2 and "--engine opa needs --opa-url" in result.stderr


def test_record_appends_one_line_per_pair(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", DENIED_API)
    result = run_line(["check", "--as-of", AS_OF.isoformat(), "--record", "decisions.jsonl"])
    assert result.exit_code == 1
    lines = (project / "decisions.jsonl").read_text().splitlines()
    assert len(lines) == 2


def test_unwritable_output_is_an_input_error(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", PASSING)
    result = run_line(["check", "--as-of", AS_OF.isoformat(), "--output", "missing-dir/report.txt"])
    assert result.exit_code == 2
    assert "missing-dir/report.txt: --output: cannot write" in result.stderr
