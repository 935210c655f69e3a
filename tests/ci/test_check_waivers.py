"""Waivers over a whole check: applied, expired and unused, shown in every report format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import AS_OF, RunLine, waiver, write

JURISDICTION = "jurisdiction.data-class-not-permitted-at-host"
FORMATS = ["text", "json", "sarif", "junit", "markdown", "github"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "govern.yaml", """\
        catalog: [catalog]
        uses:
          - name: review-bot
            model: glm-5.2
            tasks: [refactoring]
            deployment: api
            provider: Z.ai
          - name: migration
            model: claude-opus-4.8
            tasks: [refactoring]
            deployment: api
        """)
    waiver(tmp_path, "zai-pilot", JURISDICTION, "2027-01-31", model="glm-5.2",
           deployment="api", provider="Z.ai")
    waiver(tmp_path, "anthropic-old", JURISDICTION, "2026-01-31", model="claude-opus-4.8")
    waiver(tmp_path, "deepseek-trial", "revocation.access-suspended", "2027-06-30",
           model="deepseek-v4-pro")
    return tmp_path


def run(run_line: RunLine, fmt: str) -> tuple[int, str]:
    result = run_line(["check", "--as-of", AS_OF.isoformat(), "--format", fmt])
    return result.exit_code, result.stdout


def test_statuses_in_the_json_report(project: Path, run_line: RunLine) -> None:
    code, out = run(run_line, "json")
    assert code == 1  # the expired waiver no longer covers the migration
    report = json.loads(out)
    statuses = {w["id"]: w["status"] for w in report["waivers"]}
    assert statuses == {"zai-pilot": "applied", "anthropic-old": "expired",
                        "deepseek-trial": "unused"}
    applied = next(w for w in report["waivers"] if w["id"] == "zai-pilot")
    assert applied["matched"] == ["glm-5.2 / refactoring / api via Z.ai"]
    assert applied["file"] == "catalog/waivers/zai-pilot.yaml"
    review, migration = report["entries"]
    assert review["decision"]["waivers"][0]["matched_options"] == [review["option_index"]]
    assert (review["status"], review["verdict"]) == ("pass", "allowed")
    assert review["waived"][0]["waiver"]["id"] == "zai-pilot"
    assert migration["status"] == "fail"
    assert report["summary"] == {**report["summary"], "waived": 1, "waivers_applied": 1,
                                      "waivers_expired": 1, "waivers_unused": 1}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_shows_applied_expired_and_unused(project: Path, run_line: RunLine,
                                                       fmt: str) -> None:
    code, out = run(run_line, fmt)
    assert code == 1
    # Who, why, which reference and until when, for the applied waiver.
    for shown in ("zai-pilot", "security@example.com", "pilot under contract, reviewed by legal",
                  "SEC-9", "2027-01-31"):
        assert shown in out, (fmt, shown)
    assert "anthropic-old" in out and "expired" in out
    assert "deepseek-trial" in out and "unused" in out


def test_github_annotations_for_waivers(project: Path, run_line: RunLine) -> None:
    _, out = run(run_line, "github")
    lines = out.splitlines()
    assert any(line.startswith("::notice file=govern.yaml,line=3,") and "zai-pilot" in line
               for line in lines)
    assert any(line.startswith("::warning file=catalog/waivers/deepseek-trial.yaml,")
               and "matched nothing" in line for line in lines)
    assert any(line.startswith("::warning file=catalog/waivers/anthropic-old.yaml,")
               and "expired on 2026-01-31" in line for line in lines)


def test_a_waiver_only_for_an_unused_option_is_unused(tmp_path: Path, run_line: RunLine,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # The core matches it against the API option of the decision, but the project self-hosts.
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "govern.yaml", """\
        catalog: [catalog]
        uses:
          - model: glm-5.2
            tasks: [refactoring]
            deployment: self-host
        """)
    waiver(tmp_path, "zai-pilot", JURISDICTION, "2027-01-31", model="glm-5.2")
    code, out = run(run_line, "json")
    assert code == 0
    report = json.loads(out)
    assert report["waivers"][0]["status"] == "unused"
    # The decision records where the waiver matched: the API option, not the one judged.
    (entry,) = report["entries"]
    options = entry["decision"]["options"]
    (use,) = entry["decision"]["waivers"]
    assert [options[i]["deployment"] for i in use["matched_options"]] == ["api"]
    assert options[entry["option_index"]]["deployment"] == "self-host"


MULTI_HOST_CARD = """\
    id: multi-host
    name: Multi-host model
    vendor: {name: Vendor V, jurisdiction: US}
    license: proprietary
    open_weights: false
    api_offerings:    # the same model from three providers; Alpha and Beta host it in the US
      - {provider: Alpha Cloud, host_jurisdiction: US, regions: [eu-west],
         data_terms: {trains_on_customer_data: false}}
      - {provider: Beta Cloud, host_jurisdiction: US, regions: [eu-west],
         data_terms: {trains_on_customer_data: false}}
      - {provider: Gamma Cloud, host_jurisdiction: EU, regions: [eu-west],
         data_terms: {trains_on_customer_data: false}}
    revocation: {status: available, government_can_revoke: false}
    as_of: 2026-11-01
    sources: [{publication: govern tests}]
    """


def test_a_provider_scoped_waiver_waives_only_that_providers_option(
        tmp_path: Path, run_line: RunLine, monkeypatch: pytest.MonkeyPatch) -> None:
    # Refactoring handles trade secrets, which the default profile keeps to EU hosts: the two US
    # offerings are denied by the jurisdiction rule, and the waiver names one of them.
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "catalog" / "model_cards" / "multi-host.yaml", MULTI_HOST_CARD)
    write(tmp_path / "govern.yaml", """\
        catalog: [catalog]
        uses:
          - {name: via-alpha, model: multi-host, tasks: [refactoring], deployment: api,
             provider: Alpha Cloud}
          - {name: via-beta, model: multi-host, tasks: [refactoring], deployment: api,
             provider: Beta Cloud}
          - {name: via-gamma, model: multi-host, tasks: [refactoring], deployment: api,
             provider: Gamma Cloud}
        """)
    waiver(tmp_path, "alpha-pilot", JURISDICTION, "2027-01-31", model="multi-host",
           provider="Alpha Cloud")

    code, out = run(run_line, "json")

    assert code == 1  # Beta Cloud's denial stands
    report = json.loads(out)
    alpha, beta, gamma = report["entries"]
    assert (alpha["status"], alpha["verdict"], alpha["denials"]) == ("pass", "allowed", [])
    assert [(f["rule"], f["waiver"]["id"]) for f in alpha["waived"]] == [
        (JURISDICTION, "alpha-pilot")]
    assert (beta["status"], beta["verdict"], beta["waived"]) == ("fail", "denied", [])
    assert [f["rule"] for f in beta["denials"]] == [JURISDICTION]
    assert (gamma["status"], gamma["waived"], gamma["denials"]) == ("pass", [], [])
    # The decision itself (the same for all three entries) records the waiver on Alpha only.
    waived_options = {o["provider"]: any(f["waiver"] for f in o["findings"])
                      for o in alpha["decision"]["options"]}
    assert waived_options == {"Alpha Cloud": True, "Beta Cloud": False, "Gamma Cloud": False}
    (used,) = report["waivers"]
    assert (used["id"], used["status"], used["matched"]) == (
        "alpha-pilot", "applied", ["multi-host / refactoring / api via Alpha Cloud"])
    # ... and says so in its waiver use: matched on Alpha Cloud's option only.
    (use,) = alpha["decision"]["waivers"]
    assert [alpha["decision"]["options"][i]["provider"] for i in use["matched_options"]] == [
        "Alpha Cloud"]
