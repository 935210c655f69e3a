"""``govern what-if``: dated events replayed on a copy of the catalog, reported in the diff
format with the uses that break and their fallbacks; bad scenarios refused at file:line:key."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from govern.core import decide
from govern.loading.catalog import bundled_root, load_catalog
from govern.matrix.versions import catalog_version
from govern.whatif import what_if
from govern.whatif.scenario import Scenario
from tests.support import REPO, RunLine, write

EXAMPLE = REPO / "docs" / "examples" / "fable-suspension"
BUNDLED = load_catalog([bundled_root()])


def test_the_fable_suspension_lists_exactly_the_uses_that_went_dark(run_line: RunLine) -> None:
    result = run_line(["what-if", str(EXAMPLE / "scenario.yaml"), "--manifest",
                       str(EXAMPLE / "govern.yaml"), "--as-of", "2026-06-12", "--format",
                       "json", "--exit-code"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    broken = [(u["name"], u["task"]) for u in report["uses"] if u["status"] == "breaks"]
    assert broken == [("coding-agent", "software-development"), ("coding-agent", "refactoring"),
                      ("research-assistant", "knowledge-work")]
    passing = [u for u in report["uses"] if u["status"] == "passes"]
    assert [u["name"] for u in passing] == ["docs-search"]
    for use in report["uses"]:
        if use["status"] == "breaks":
            assert use["fallbacks"] and all("claude-fable-5" not in f and "claude-mythos-5"
                                            not in f for f in use["fallbacks"])
            assert "claude-opus-4.8: api" in use["fallbacks"]
    kinds = {c["kind"] for c in report["diff"]["cells"]}
    assert kinds == {"more-restrictive"}
    assert {c["rules"][0] for c in report["diff"]["cells"]} == {"revocation.access-suspended"}


def test_the_day_before_nothing_is_applied_and_nothing_breaks(run_line: RunLine) -> None:
    result = run_line(["what-if", str(EXAMPLE / "scenario.yaml"), "--manifest",
                       str(EXAMPLE / "govern.yaml"), "--as-of", "2026-06-11", "--format",
                       "json"])
    report = json.loads(result.stdout)
    assert report["applied"] == [] and len(report["pending"]) == 2
    assert all(u["status"] == "passes" for u in report["uses"])


def test_suspending_a_vendor_on_the_matrix_is_what_decide_gives_on_the_edited_cards() -> None:
    scenario = Scenario.model_validate({"name": "x", "events": [
        {"kind": "suspend", "date": dt.date(2026, 1, 1), "vendor": "Z.ai (Zhipu AI)"}]})
    as_of = dt.date(2026, 11, 23)
    profiles = list(BUNDLED.profiles)
    report = what_if(catalog_version(BUNDLED, "before"), scenario, profiles, as_of)
    changed = {c.cell.model for c in report.diff.cells}
    vendor = {m.id for m in BUNDLED.models.values() if m.vendor.name == "Z.ai (Zhipu AI)"}
    assert "glm-5.2" in changed and changed <= vendor
    for change in report.diff.cells:
        card = BUNDLED.models[change.cell.model]
        assert card.revocation.status != "suspended"
        edited = card.model_copy(update={"revocation": card.revocation.model_copy(
            update={"status": "suspended"})})
        after = decide(edited, BUNDLED.tasks[change.cell.task],
                       BUNDLED.profiles[change.cell.profile], BUNDLED.policy_set, as_of)
        assert after.recommendation == change.recommendation_after
    # the self-host option of open weights survives a suspension of hosted access
    assert all(f.startswith("glm-5.2: self-host") or ": " in f
               for _, fallbacks in report.fallbacks for f in fallbacks)


def _scenario(events: list[dict[str, object]]) -> Scenario:
    return Scenario.model_validate({"name": "t", "events": [
        {**e, "date": dt.date(2026, 1, 1)} for e in events]})


def test_an_offering_moving_host_and_more_capacity_loosen_what_they_should() -> None:
    as_of = dt.date(2026, 11, 23)
    moved = what_if(catalog_version(BUNDLED, "b"), _scenario([
        {"kind": "move-host", "model": "glm-5.2", "provider": "Z.ai",
         "host_jurisdiction": "EU", "regions": ["eu-west"]}]),
        ["eu-regulated-enterprise"], as_of)
    refactoring = next(c for c in moved.diff.cells if c.cell.task == "refactoring")
    assert refactoring.kind == "more-permissive"
    assert [o.label for o in refactoring.options if o.loosened] == ["api via Z.ai"]
    capacity = what_if(catalog_version(BUNDLED, "b"), _scenario([
        {"kind": "capacity", "profile": "us-enterprise", "accelerator_memory_gb": 1280}]),
        ["us-enterprise"], as_of)
    assert any(c.cell.model == "glm-5.2" and c.recommendation_after == "self-host"
               for c in capacity.diff.cells)


def test_a_data_rule_and_a_price_change(run_line: RunLine, tmp_path: Path) -> None:
    as_of = dt.date(2026, 11, 23)
    report = what_if(catalog_version(BUNDLED, "b"), _scenario([
        {"kind": "data-rule", "profile": "eu-regulated-enterprise", "data_class": "source_code",
         "host_jurisdictions": ["EU"]},
        {"kind": "price", "model": "gpt-5.5", "provider": "OpenAI", "input_usd_per_mtok": 1}]),
        ["eu-regulated-enterprise"], as_of)
    tightened = {(c.cell.model, c.cell.task) for c in report.diff.cells
                 if c.kind == "more-restrictive"}
    assert ("gpt-5.5", "software-development") in tightened
    assert any("gpt-5.5 via OpenAI: prices" in a for a in report.applied)


def test_bad_scenarios_are_refused_at_file_line_and_key(run_line: RunLine,
                                                        tmp_path: Path) -> None:
    path = write(tmp_path / "bad.yaml", "name: bad\nevents:\n  - kind: suspend\n"
                 "    date: 2026-06-12\n    model: claude-fable-6\n  - kind: price\n"
                 "    date: 2026-06-12\n    model: gpt-5.5\n    provider: OpenAI\n"
                 "    input_usd_per_mtk: 3\n")
    result = run_line(["what-if", str(path), "--matrix"])
    assert result.exit_code == 2
    assert f"{path}:10:5: events[1].input_usd_per_mtk: unknown key" in result.output
    fixed = write(tmp_path / "ids.yaml", "name: ids\nevents:\n  - kind: suspend\n"
                  "    date: 2026-06-12\n    model: claude-fable-6\n")
    result = run_line(["what-if", str(fixed)])
    assert result.exit_code == 2
    assert f"{fixed}:5:" in result.output and "unknown model 'claude-fable-6'" in result.output


def test_suspend_shorthand(run_line: RunLine) -> None:
    result = run_line(["what-if", "--suspend", "claude-opus-4.8", "--since", "2026-06-12",
                       "--as-of", "2026-11-23"])
    assert result.exit_code == 0
    assert "claude-opus-4.8" in result.stdout and "more restrictive" in result.stdout
    assert "fallbacks for the cells that tightened" in result.stdout


def test_an_unknown_suspend_target_is_refused(run_line: RunLine) -> None:
    result = run_line(["what-if", "--suspend", "claude-fable-6"])
    assert result.exit_code == 2
    assert "--suspend" in result.output and "unknown model card 'claude-fable-6'" in result.output


def test_manifest_and_matrix_together_are_a_usage_error(run_line: RunLine) -> None:
    result = run_line(["what-if", str(EXAMPLE / "scenario.yaml"), "--matrix", "--manifest",
                       str(EXAMPLE / "govern.yaml")])
    assert result.exit_code == 2


def test_suspending_a_jurisdiction_suspends_every_model_of_its_vendors() -> None:
    scenario = _scenario([{"kind": "suspend", "jurisdiction": "CN"}])
    report = what_if(catalog_version(BUNDLED, "b"), scenario, ["cost-sensitive-startup"],
                     dt.date(2026, 11, 23))
    chinese = {m.id for m in BUNDLED.models.values() if m.vendor.jurisdiction == "CN"}
    edited = {r.id for r in report.diff.records if r.kind == "model card"}
    dark = {m.id for m in BUNDLED.models.values() if m.revocation.status in ("suspended",
                                                                              "withdrawn")}
    assert edited == chinese - dark and edited
    assert {c.cell.model for c in report.diff.cells} <= chinese
