"""Every ``govern check`` format shows what the intended option costs per task, which allowed
option is cheapest, and the sources its findings cite (issue 13).

The project's team catalog holds a GLM-5.2 card with a second, cheaper API offering, so two
API options are allowed under the cost-sensitive profile and one of them is the cheapest.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support import AS_OF, CHEAP_OFFERING, REPO, RunLine, write


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    card = (REPO / "model_cards" / "glm-5.2.yaml").read_text(encoding="utf-8")
    card = card.replace("id: glm-5.2\n", "id: glm-5.2-two-hosts\n", 1)
    card = card.replace("api_offerings:\n", "api_offerings:\n" + CHEAP_OFFERING, 1)
    write(tmp_path / "catalog" / "model_cards" / "glm-5.2-two-hosts.yaml", "")
    (tmp_path / "catalog" / "model_cards" / "glm-5.2-two-hosts.yaml").write_text(card, "utf-8")
    write(tmp_path / "govern.yaml", """\
        profile: cost-sensitive-startup
        catalog: [catalog]
        uses:
          - name: review-bot
            model: glm-5.2-two-hosts
            tasks: [refactoring]
            deployment: api
            provider: Z.ai
          - name: batch-refactor
            model: glm-5.2-two-hosts
            tasks: [refactoring]
            deployment: api
            provider: Example Cloud
        """)
    return tmp_path


def check(run_line: RunLine, fmt: str) -> str:
    result = run_line(["check", "--as-of", AS_OF.isoformat(), "--format", fmt])
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def test_text_report_names_the_cheapest_allowed_option(project: Path, run_line: RunLine) -> None:
    out = check(run_line, "text")
    assert ("      cost per task: $0.2452; cheapest allowed option: api via Example Cloud "
            "($0.1226)\n") in out
    assert "      cost per task: $0.1226 (the cheapest allowed option)\n" in out
    assert "[sources: sole-24-ore" in out  # warnings cite their sources compactly


def test_markdown_report_has_a_cost_column(project: Path, run_line: RunLine) -> None:
    rows = [line for line in check(run_line, "markdown").splitlines()
            if line.startswith("| ✅ pass")]
    assert [row.split(" | ")[6] for row in rows] == [
        "$0.2452; cheapest allowed option: api via Example Cloud ($0.1226)",
        "$0.1226 (the cheapest allowed option)"]


def test_junit_system_out_carries_the_cost_basis_and_full_citations(
        project: Path, run_line: RunLine) -> None:
    suite = ET.fromstring(check(run_line, "junit"))
    outs = {case.get("name"): case.findtext("system-out") or ""
            for case in suite.iter("testcase")}
    zai = outs["review-bot: glm-5.2-two-hosts / refactoring / api via Z.ai"]
    assert "cost per task: 40000 input tokens (task) x $1.4/M" in zai
    assert "= $0.2452; cheapest allowed option: api via Example Cloud ($0.1226)" in zai
    assert 'source sole-24-ore: Il Sole 24 Ore, "GLM-5.2: the most powerful' in zai
    assert "why: " in zai  # the rule's rationale with its source


def test_github_annotation_carries_the_cost(project: Path, run_line: RunLine) -> None:
    manifest = project / "govern.yaml"
    manifest.write_text(manifest.read_text().replace("profile: cost-sensitive-startup",
                                                      "profile: us-enterprise"))
    result = run_line(["check", "--as-of", AS_OF.isoformat(), "--format", "github"])
    assert result.exit_code == 1, result.output  # a CN host for source code fails for the US
    error = next(line for line in result.stdout.splitlines() if line.startswith("::error"))
    assert error.endswith("%0Acost per task: $0.2452")


def test_sarif_result_properties_carry_cost_and_sources(project: Path,
                                                         run_line: RunLine) -> None:
    manifest = project / "govern.yaml"
    manifest.write_text(manifest.read_text().replace("profile: cost-sensitive-startup",
                                                      "profile: us-enterprise"))
    result = run_line(["check", "--as-of", AS_OF.isoformat(), "--format", "sarif"])
    results = json.loads(result.stdout)["runs"][0]["results"]
    denied = next(r for r in results if r["ruleId"] == "jurisdiction.data-class-not-permitted-at-host")
    props = denied["properties"]
    assert props["cost_per_task"]["usd"] == 0.2452
    assert props["cost_per_task"]["basis"].endswith("= $0.2452")
    assert props["sources"][0]["publication"] == "Il Sole 24 Ore"
    assert props["sources"][0]["title"].startswith("GLM-5.2: the most powerful")
    assert props["rationale"]["source"]
