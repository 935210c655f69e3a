"""The report formats of ``govern check`` (and markdown for ``govern evaluate``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from junitparser import Failure, JUnitXml

from govern.formats.github import command, escape_data, escape_property
from govern.formats.markdown import cell
from tests.support import AS_OF, DENIED_API, REPO, RunLine, line_of, write

SARIF_SCHEMA = json.loads((REPO / "tests/ci/data/sarif-schema-2.1.0.json").read_text())


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "govern.yaml", DENIED_API)
    return tmp_path


def run(run_line: RunLine, fmt: str, *args: str) -> str:
    result = run_line(["check", "--as-of", AS_OF.isoformat(), "--format", fmt, *args])
    assert result.exit_code == 1, result.output
    return str(result.stdout)


def review_bot_line(project: Path) -> int:
    return line_of((project / "govern.yaml").read_text(), "- name: review-bot")


# ---------------------------------------------------------------- json


def test_json_is_byte_identical_for_identical_inputs(project: Path, run_line: RunLine) -> None:
    assert run(run_line, "json") == run(run_line, "json")


def test_json_document_shape(project: Path, run_line: RunLine) -> None:
    report = json.loads(run(run_line, "json"))
    assert list(report) == ["tool", "version", "manifest", "manifest_uri", "home_url", "as_of",
                            "profile", "policy_set_digest", "fail_on", "summary", "entries",
                            "waivers", "rules", "baseline_stale"]
    assert (report["tool"], report["as_of"], report["manifest"]) == ("govern", AS_OF.isoformat(),
                                                                    "govern.yaml")
    assert report["policy_set_digest"].startswith("sha256:")
    decision = report["entries"][1]["decision"]
    # The design.md decision contract, per entry.
    assert {"model", "task", "profile", "recommendation", "options",
            "policy_set_digest"} <= set(decision)
    option = decision["options"][0]
    assert {"deployment", "provider", "verdict", "findings", "obligations"} <= set(option)
    assert set(option["findings"][0]) >= {"rule", "policy", "effect", "severity", "message"}


# ---------------------------------------------------------------- sarif


def sarif(project: Path, run_line: RunLine) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(run(run_line, "sarif"))
    return document


def test_sarif_is_valid_against_the_official_schema(project: Path, run_line: RunLine) -> None:
    document = sarif(project, run_line)
    validator = jsonschema.Draft202012Validator(SARIF_SCHEMA)
    assert list(validator.iter_errors(document)) == []
    broken = json.loads(json.dumps(document))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(broken)), "the schema check itself must be able to fail"


def test_sarif_result_points_at_the_entry_line(project: Path, run_line: RunLine) -> None:
    (result,) = sarif(project, run_line)["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "govern.yaml"
    assert location["region"]["startLine"] == review_bot_line(project)
    assert result["ruleId"] == "jurisdiction.data-class-not-permitted-at-host"
    assert result["level"] == "error"
    assert "intended api via Z.ai is denied; self-host is allowed" in result["message"]["text"]


def test_sarif_rule_metadata_comes_from_the_policy(project: Path, run_line: RunLine) -> None:
    run_ = sarif(project, run_line)["runs"][0]
    (rule,) = run_["tool"]["driver"]["rules"]
    assert rule["id"] == run_["results"][0]["ruleId"]
    assert run_["results"][0]["ruleIndex"] == 0
    assert rule["shortDescription"]["text"] == \
        "the task's data may not go to the host's jurisdiction"
    assert "Il Sole 24 Ore" in rule["help"]["text"]
    assert rule["help"]["markdown"].startswith("**the task's data")
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["properties"] | {"tags": None} == {"policy": "api-host-jurisdiction",
                                                   "severity": "high", "effect": "deny",
                                                   "security-severity": "7.5", "tags": None}


# ---------------------------------------------------------------- junit


def test_junit_parses_with_junitparser(project: Path, run_line: RunLine) -> None:
    (project / "report.xml").write_text(run(run_line, "junit"))
    xml = JUnitXml.fromfile(str(project / "report.xml"))
    suites = list(xml)
    assert len(suites) == 1
    suite = suites[0]
    assert (suite.tests, suite.failures, suite.errors) == (2, 1, 0)
    cases = {case.name: case for case in suite}
    assert list(cases) == ["code-assistant: glm-5.2 / refactoring / self-host",
                           "review-bot: glm-5.2 / refactoring / api via Z.ai"]
    assert all(case.classname == "govern.yaml" for case in cases.values())
    assert cases["code-assistant: glm-5.2 / refactoring / self-host"].is_passed
    (failure,) = cases["review-bot: glm-5.2 / refactoring / api via Z.ai"].result
    assert isinstance(failure, Failure)
    assert failure.message == "intended api via Z.ai is denied; self-host is allowed"
    assert failure.type == "jurisdiction.data-class-not-permitted-at-host"
    assert "Z.ai hosts the model in CN" in (failure.text or "")


# ---------------------------------------------------------------- github


def test_github_escaping_rules() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a: b, c%\n") == "a%3A b%2C c%25%0A"
    assert command("error", "x: y, z", file="a,b.yaml", line="3") == \
        "::error file=a%2Cb.yaml,line=3::x: y, z"


def test_github_error_annotation_on_the_entry_line(project: Path, run_line: RunLine) -> None:
    out = run(run_line, "github")
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1
    line = review_bot_line(project)
    assert errors[0].startswith(
        f"::error file=govern.yaml,line={line},col=5,"
        f"title=govern%3A glm-5.2 / refactoring / api via Z.ai::"
        f"intended api via Z.ai is denied; self-host is allowed%0A"
        f"jurisdiction.data-class-not-permitted-at-host (high): ")
    # One annotation per line: messages never contain a raw newline.
    assert all(not line.startswith(" ") for line in out.splitlines())


# ---------------------------------------------------------------- markdown


def test_markdown_cell_escaping() -> None:
    assert cell("a|b\nc\r\nd") == "a\\|b<br>c<br>d"


def test_markdown_table(project: Path, run_line: RunLine) -> None:
    out = run(run_line, "markdown")
    lines = out.splitlines()
    assert lines[0] == "## govern check ❌ failed: 1 of 2 passed, 1 failed"
    header = lines.index("| Status | Line | Model | Task | Deployment | Verdict | Cost per task "
                         "| Reasons |")
    rows = lines[header + 2: header + 4]
    assert rows[1].startswith(f"| ❌ fail | {review_bot_line(project)} | glm-5.2 | refactoring "
                              f"| api via Z.ai | denied | $0.2452 | intended api via Z.ai is denied; "
                              f"self-host is allowed<br>")
    assert all(row.count(" | ") == 7 for row in rows)
    assert "### Obligations" in out and "model-security-assessment" in out


def test_evaluate_markdown(run_line: RunLine) -> None:
    result = run_line(["evaluate", "--model", "glm-5.2", "--task", "refactoring", "--as-of",
                       AS_OF.isoformat(), "--format", "markdown"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "## glm-5.2 for refactoring: self-host"
    assert "| Option | Verdict | Cost per task | Findings | Obligations |" in lines
    assert any(line.startswith("| self-host (recommended) | allowed |") for line in lines)


# ---------------------------------------------------------------- text


def test_text_report(project: Path, run_line: RunLine) -> None:
    out = run(run_line, "text")
    line = review_bot_line(project)
    assert f"FAIL  govern.yaml:{line}" in out
    assert "PASS  govern.yaml:" in out
    assert "      obligation model-security-assessment: " in out
    assert "2 checked: 1 passed (0 waived), 1 failed" in out
