"""``govern diff --replay``: decisions recorded with ``--record``, decided again under the
current catalog; what would now come out differently, in the diff's report shape."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from govern.loading.catalog import DEFAULT_PROFILE, bundled_root
from tests.support import AS_OF, RunLine

DATE = AS_OF.isoformat()
SOURCE_CODE = "  source_code:        {host_jurisdictions: [EU, US, GB]}"


def record(run_line: RunLine, log: Path, *args: str) -> None:
    result = run_line(["evaluate", "--as-of", DATE, "--record", str(log), *args])
    assert result.exit_code in (0, 1), result.stderr


def team_letting_source_code_go_to_cn(tmp_path: Path) -> Path:
    team = tmp_path / "team" / "profiles"
    team.mkdir(parents=True)
    text = (bundled_root() / "profiles" / f"{DEFAULT_PROFILE}.yaml").read_text()
    (team / f"{DEFAULT_PROFILE}.yaml").write_text(
        text.replace(SOURCE_CODE, SOURCE_CODE.replace("GB]", "GB, CN]")))
    return tmp_path / "team"


def test_replay_names_the_recorded_decisions_that_would_now_differ(tmp_path: Path,
                                                                   run_line: RunLine) -> None:
    log = tmp_path / "decisions.jsonl"
    record(run_line, log, "--model", "glm-5.2", "--task", "software-development")
    record(run_line, log, "--model", "gpt-5.5", "--task", "knowledge-work")
    team = team_letting_source_code_go_to_cn(tmp_path)
    result = run_line(["diff", "--replay", str(log), "--catalog", str(team), "--format", "json",
                       "--exit-code"])
    assert result.exit_code == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["cells"] == 2 and report["summary"]["more-permissive"] == 1
    (cell,) = report["cells"]
    assert (cell["model"], cell["task"], cell["at"]) == ("glm-5.2", "software-development",
                                                         f"{log}:1")
    (option,) = [o for o in cell["options"] if o["label"] == "api via Z.ai"]
    assert option["verdict"] == {"before": "denied", "after": "allowed"}
    assert cell["causes"] == [f"profile {DEFAULT_PROFILE} changed since recorded"]
    text = run_line(["diff", "--replay", str(log), "--catalog", str(team)]).stdout
    assert f"{DEFAULT_PROFILE} / glm-5.2 / software-development" in text
    assert f"recorded at {log}:1" in text


def test_replay_under_the_same_catalog_changes_nothing(tmp_path: Path,
                                                       run_line: RunLine) -> None:
    log = tmp_path / "decisions.jsonl"
    for model in ("glm-5.2", "claude-fable-5"):
        record(run_line, log, "--model", model, "--task", "refactoring",
               "--profile", "us-enterprise")
    result = run_line(["diff", "--replay", str(log), "--format", "json", "--exit-code"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["unchanged"] == 2


def test_a_decision_whose_records_are_gone_is_reported(tmp_path: Path,
                                                       run_line: RunLine) -> None:
    team = tmp_path / "team" / "model_cards"
    team.mkdir(parents=True)
    card = (bundled_root() / "model_cards" / "glm-5.2.yaml").read_text()
    (team / "glm-5.3.yaml").write_text(card.replace("id: glm-5.2", "id: glm-5.3"))
    log = tmp_path / "decisions.jsonl"
    record(run_line, log, "--model", "glm-5.3", "--task", "refactoring",
           "--catalog", str(team.parent))
    result = run_line(["diff", "--replay", str(log), "--format", "json", "--exit-code"])
    assert result.exit_code == 1
    (cell,) = json.loads(result.stdout)["cells"]
    assert cell["kind"] == "removed" and cell["causes"] == [
        "model card glm-5.3 is no longer in the catalog"]
    assert cell["recommendation"] == {"before": "self-host", "after": None}


def test_replay_decides_as_of_the_recorded_date_unless_told(tmp_path: Path,
                                                            run_line: RunLine) -> None:
    # the example waiver for Anthropic's API expires on 2027-03-31
    catalog = Path(__file__).resolve().parents[2] / "examples" / "ci" / "catalog"
    log = tmp_path / "decisions.jsonl"
    record(run_line, log, "--model", "claude-opus-4.8", "--task", "refactoring",
           "--catalog", str(catalog))
    same = run_line(["diff", "--replay", str(log), "--catalog", str(catalog),
                     "--format", "json"])
    assert json.loads(same.stdout)["cells"] == []
    later = json.loads(run_line(["diff", "--replay", str(log), "--catalog", str(catalog),
                                 "--as-of", "2027-04-01", "--format", "json"]).stdout)
    (cell,) = later["cells"]
    assert cell["kind"] == "more-restrictive"
    assert cell["waivers"] == ["anthropic-migration-dpa: applied → expired"]


def test_a_bad_line_is_named_and_nothing_is_decided(tmp_path: Path, run_line: RunLine) -> None:
    log = tmp_path / "decisions.jsonl"
    record(run_line, log, "--model", "glm-5.2", "--task", "refactoring")
    good = log.read_text()
    broken = json.loads(good)
    broken["decision"]["options"][0]["verdict"] = "maybe"
    log.write_text(good + "{not json\n" + json.dumps(broken) + "\n")
    result = run_line(["diff", "--replay", str(log)])
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"error: {log}:2:1: -: not a JSON line")
    assert lines[1].startswith(f"error: {log}:3:1: decision.options.0.verdict: ")


def test_a_missing_log_is_bad_input(tmp_path: Path, run_line: RunLine) -> None:
    result = run_line(["diff", "--replay", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2 and "cannot read the decision log" in result.stderr


def test_check_records_replay_too(tmp_path: Path, run_line: RunLine,
                                  monkeypatch) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "project"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "ci", project)
    monkeypatch.chdir(project)
    log = tmp_path / "decisions.jsonl"
    assert run_line(["check", "--as-of", DATE, "--record", str(log)]).exit_code == 1
    result = run_line(["diff", "--replay", str(log), "--catalog", "catalog", "--format", "json"])
    report = json.loads(result.stdout)
    assert report["summary"]["cells"] == len(log.read_text().splitlines())
    assert report["cells"] == []
