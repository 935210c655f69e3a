"""Every finding cites its facts: the rule's rationale and the card's sources of the facts the
rule read, in every format a user reads (JSON, markdown, text, SARIF, the matrix HTML page)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.support import REPO, run_govern

FABLE = ["--model", "claude-fable-5", "--task", "knowledge-work", "--profile", "us-enterprise",
         "--as-of", "2026-06-12"]


def _suspension(decision: dict) -> dict:  # type: ignore[type-arg]
    (finding,) = [f for o in decision["options"] for f in o["findings"]
                  if f["rule"] == "revocation.access-suspended"]
    return finding


def test_json_cites_the_event_in_force_and_the_rule_s_rationale() -> None:
    finding = _suspension(json.loads(run_govern(["evaluate", "--format", "json", *FABLE]).stdout))
    (source,) = finding["sources"]
    assert source["key"] == "sole-24-ore" and source["publication"] == "Il Sole 24 Ore"
    assert source["author"] == "Alessandro Longo" and source["title"].startswith("GLM-5.2")
    assert source["facts"] == ["model.revocation.status", "model.revocation.since",
                               "model.revocation.by", "model.revocation.scope"]
    assert finding["rationale"]["source"].startswith("Il Sole 24 Ore")
    assert "export-control directive" in finding["rationale"]["text"]


def test_text_and_markdown_show_the_citations() -> None:
    text = run_govern(["evaluate", *FABLE]).stdout
    assert "sources: sole-24-ore\n" in text
    markdown = run_govern(["evaluate", "--format", "markdown", *FABLE]).stdout
    assert "source sole-24-ore: Il Sole 24 Ore" in markdown and "why: On 12 June 2026" in markdown


CARD = """\
    id: cited-test
    name: Cited Test
    vendor: {name: V, jurisdiction: EU}
    open_weights: true
    parameters: {total_billion: 10}
    dated_values:
      - {fact: license, since: "2026-07-01", value: GPL-3.0, sources: [first]}
      - {fact: license, since: "2026-09-01", value: LicenseRef-Custom, sources: [second]}
    fact_sources:
      vendor: [first]
    as_of: "2026-11-23"
    sources:
      - {key: first, publication: First Journal, date: "2026-06-30"}
      - {key: second, publication: Second Journal, title: A change}
"""


@pytest.mark.parametrize(("as_of", "cited"), [("2026-07-01", ["first"]),
                                              ("2026-09-01", ["second"]),
                                              ("2026-06-30", [])])
def test_a_finding_cites_the_source_of_the_value_in_force(tmp_path: Path, as_of: str,
                                                          cited: list[str]) -> None:
    (tmp_path / "model_cards").mkdir()
    (tmp_path / "model_cards" / "cited-test.yaml").write_text(textwrap.dedent(CARD))
    decision = json.loads(run_govern(["evaluate", "--format", "json", "--catalog", str(tmp_path),
                                      "--model", "cited-test", "--task", "refactoring",
                                      "--as-of", as_of]).stdout)
    (finding,) = [f for o in decision["options"] for f in o["findings"]
                  if f["rule"] == "licence.self-host-licence-not-approved"]
    # before July the licence is unknown: an unknown fact cites nothing
    assert [s["key"] for s in finding["sources"]] == cited
    assert finding["unknown_facts"] == ([] if cited else ["derived.license_approved"])


def test_sarif_results_carry_rationale_and_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "examples" / "ci")
    result = run_govern(["check", "--as-of", "2026-11-23", "--format", "sarif"])
    (run,) = json.loads(result.stdout)["runs"]
    assert run["results"]
    for item in run["results"]:
        properties = item["properties"]
        assert properties["rationale"]["text"] and properties["rationale"]["source"]
        assert [s["key"] for s in properties["sources"]] == ["sole-24-ore"]


def test_the_matrix_page_shows_each_finding_s_sources(tmp_path: Path) -> None:
    out = tmp_path / "m.html"
    result = run_govern(["matrix", "--models", "claude-fable-5", "--tasks", "knowledge-work",
                         "--as-of", "2026-06-12", "--format", "html", "-o", str(out)])
    assert result.exit_code in (0, 1), result.stderr
    page = out.read_text()
    assert "Facts from:" in page
    assert "<code>sole-24-ore</code> Il Sole 24 Ore" in page
    assert "<code>model.revocation.status</code>" in page
