"""SARIF as GitHub code scanning reads it: one result per (pair, rule), fingerprints that tell
entries apart and survive unrelated edits, locations from the repository root, and a log the
real ``@microsoft/sarif-multitool`` validates with no errors and no unexplained warnings."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from govern.formats.sarif import FINGERPRINT_KEY
from tests.support import AS_OF, DENIED_API, REPO, RunLine, write

MULTITOOL_CONFIG = REPO / "tests" / "ci" / "data" / "sarif-multitool.xml"

TWO_BOTS = """\
    uses:
      - name: review-bot
        model: glm-5.2
        tasks: [refactoring]
        deployment: api
        provider: Z.ai
      - name: docs-bot
        model: glm-5.2
        tasks: [refactoring]
        deployment: api
        provider: Z.ai
    """

ENTRY_ABOVE = """\
uses:
  - name: newcomer
    model: glm-5.2
    tasks: [refactoring]
    deployment: self-host
"""

# Self-hosting weights of unknown licence, too large for the profile, for a high-risk task:
# four rules deny it at once.
MANY_DENIALS = """\
    uses:
      - name: compliance-bot
        model: glm-5.1
        tasks: [compliance]
        deployment: self-host
    """


def sarif_of(run_line: RunLine, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = run_line(["check", "--as-of", AS_OF.isoformat(), "-f", "sarif", *args], env=env)
    assert result.exit_code == 1, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def fingerprints(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(r["properties"]["entry"], r["ruleId"]): r["partialFingerprints"][FINGERPRINT_KEY]
            for r in document["runs"][0]["results"]}


def test_two_entries_with_the_same_use_are_two_alerts(tmp_path: Path, run_line: RunLine,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "govern.yaml", TWO_BOTS)
    prints = fingerprints(sarif_of(run_line))
    assert {entry for entry, _ in prints} == {"review-bot", "docs-bot"}
    assert len(set(prints.values())) == len(prints)


def test_fingerprints_survive_an_entry_added_above(tmp_path: Path, run_line: RunLine,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "govern.yaml", TWO_BOTS)
    before = sarif_of(run_line)
    manifest = tmp_path / "govern.yaml"
    manifest.write_text(ENTRY_ABOVE + manifest.read_text().removeprefix("uses:\n"))
    after = sarif_of(run_line)
    assert fingerprints(after) == fingerprints(before)
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"]
             for r in after["runs"][0]["results"]]
    assert lines != [r["locations"][0]["physicalLocation"]["region"]["startLine"]
                     for r in before["runs"][0]["results"]], "the entries did move"


def test_unnamed_entries_are_told_apart_without_their_index(
        tmp_path: Path, run_line: RunLine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "govern.yaml", TWO_BOTS.replace("- name: review-bot\n        ", "- ")
          .replace("- name: docs-bot\n        ", "- "))
    prints = fingerprints(sarif_of(run_line))
    assert sorted(e for e, _ in prints) == ["glm-5.2 api via Z.ai", "glm-5.2 api via Z.ai #2"]
    assert len(set(prints.values())) == 2


def test_each_denying_rule_is_its_own_result(tmp_path: Path, run_line: RunLine,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "govern.yaml", MANY_DENIALS)
    json_report = json.loads(run_line(["check", "--as-of", AS_OF.isoformat(), "-f",
                                       "json"]).stdout)
    denials = {(e["task"], d["rule"]) for e in json_report["entries"] for d in e["denials"]}
    assert len(denials) >= 3, "the example must be denied by three rules or more"
    results = sarif_of(run_line)["runs"][0]["results"]
    assert {(r["properties"]["task"], r["ruleId"]) for r in results} == denials
    assert len(results) == len(denials)
    assert len({r["partialFingerprints"][FINGERPRINT_KEY] for r in results}) == len(results)


def test_uri_is_relative_to_the_repository_root(tmp_path: Path, run_line: RunLine,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / "services" / "api" / "govern.yaml", DENIED_API)
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")  # run from a sibling folder: ../services/...
    document = sarif_of(run_line, "--manifest", "../services/api/govern.yaml")
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "services/api/govern.yaml",
                                            "uriBaseId": "%SRCROOT%"}
    assert "%SRCROOT%" in document["runs"][0]["originalUriBaseIds"]


def test_outside_git_the_uri_is_relative_to_the_manifest(tmp_path: Path, run_line: RunLine,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "project" / "govern.yaml", DENIED_API)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    document = sarif_of(run_line, "--manifest", "project/govern.yaml")
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "govern.yaml"


def test_rules_carry_security_severity_and_a_friendly_name(tmp_path: Path, run_line: RunLine,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "govern.yaml", MANY_DENIALS)
    document = sarif_of(run_line, env={"GOVERN_HOME_URL": "https://example.org/govern"})
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/govern"
    bands = {"low": (0.1, 3.9), "medium": (4.0, 6.9), "high": (7.0, 8.9), "critical": (9.0, 10)}
    for rule in driver["rules"]:
        low, high = bands[rule["properties"]["severity"]]
        assert low <= float(rule["properties"]["security-severity"]) <= high
        assert rule["name"] != rule["id"] and rule["name"][0].isupper()
        assert rule["helpUri"] == "https://example.org/govern"


def multitool_findings(multitool: Path, log: Path, tmp_path: Path) -> list[tuple[str, str]]:
    out = tmp_path / "validation.sarif"
    done = subprocess.run([str(multitool), "validate", str(log), "-o", str(out), "-c",
                           str(MULTITOOL_CONFIG), "--level", "Error", "Warning", "Note",
                           "--log", "ForceOverwrite"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(out.read_text(encoding="utf-8-sig"))["runs"][0]["results"]
    return sorted({(r["ruleId"], r.get("level", "warning")) for r in results})


# What the multitool says about govern's logs and why each is accepted (docs/ci.md, "SARIF").
ACCEPTED_NOTES = {"SARIF2002", "SARIF2003", "SARIF2009", "SARIF2010", "SARIF2011"}
NO_HOME_NOTES = {"SARIF2012"}  # no helpUri without GOVERN_HOME_URL


@pytest.mark.parametrize("home", ["https://example.org/govern", None])
def test_the_sarif_multitool_validates_the_log(multitool: Path, tmp_path: Path,
                                               run_line: RunLine, home: str | None,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "govern.yaml", MANY_DENIALS)
    env = {"GOVERN_HOME_URL": home or ""}
    log = tmp_path / "govern.sarif"
    log.write_text(json.dumps(sarif_of(run_line, env=env)))
    found = multitool_findings(multitool, log, tmp_path)
    assert [rule for rule, level in found if level == "error"] == []
    warnings = {rule for rule, level in found if level == "warning"}
    # Without a home URL govern has no informationUri to give (SARIF2005, see docs/ci.md).
    assert warnings == (set() if home else {"SARIF2005"})
    notes = {rule for rule, level in found if level == "note"}
    assert notes <= ACCEPTED_NOTES | (set() if home else NO_HOME_NOTES)


def test_the_multitool_does_report_a_broken_log(multitool: Path, tmp_path: Path,
                                                run_line: RunLine,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "govern.yaml", MANY_DENIALS)
    document = sarif_of(run_line)
    document["runs"][0]["tool"]["driver"]["rules"][0]["name"] = \
        document["runs"][0]["tool"]["driver"]["rules"][0]["id"]
    log = tmp_path / "broken.sarif"
    log.write_text(json.dumps(document))
    assert ("SARIF1001", "warning") in multitool_findings(multitool, log, tmp_path)
    del document["runs"][0]["results"][0]["message"]
    log.write_text(json.dumps(document))
    assert ("JSON1002", "error") in multitool_findings(multitool, log, tmp_path)


def test_junit_test_names_are_unique_and_carry_the_entry(tmp_path: Path, run_line: RunLine,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from junitparser import JUnitXml

    monkeypatch.chdir(tmp_path)
    unnamed = TWO_BOTS.replace("- name: docs-bot\n        ", "- ").rstrip(" ")
    write(tmp_path / "govern.yaml", unnamed + "      - model: glm-5.2\n"
          "        tasks: [refactoring]\n        deployment: api\n        provider: Z.ai\n")
    done = run_line(["check", "--as-of", AS_OF.isoformat(), "-f", "junit", "-o", "r.xml"])
    assert done.exit_code == 1
    names = [case.name for suite in JUnitXml.fromfile(str(tmp_path / "r.xml")) for case in suite]
    assert names == ["review-bot: glm-5.2 / refactoring / api via Z.ai",
                     "glm-5.2 api via Z.ai: glm-5.2 / refactoring / api via Z.ai",
                     "glm-5.2 api via Z.ai #2: glm-5.2 / refactoring / api via Z.ai"]


def test_a_task_listed_twice_in_an_entry_is_refused(tmp_path: Path, run_line: RunLine,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "govern.yaml",
          TWO_BOTS.replace("[refactoring]", "[refactoring, refactoring]", 1))
    done = run_line(["check", "--as-of", AS_OF.isoformat()])
    assert done.exit_code == 2
    assert "govern.yaml:" in done.stderr
    assert "task listed more than once: refactoring" in done.stderr
