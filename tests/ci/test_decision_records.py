"""Decision records (``--record FILE``): one JSON line per decision, digests an auditor can
recompute from the records, stable across machines and directories, safe to append to."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from govern import __version__
from govern.core import PolicySet, decide, digest_of
from govern.decision_records import append_decision_records, decision_record
from govern.loading.catalog import Catalog, bundled_root, load_catalog, load_record_file
from govern.records import ModelCard, Policy, Profile, Task, Waiver
from tests.support import AS_OF, REPO, RunLine

NOW = dt.datetime(2026, 11, 23, 9, 30, 15, 250000, tzinfo=dt.UTC)
CATALOG_DIRS = ("model_cards", "tasks", "profiles", "policies")


def read_lines(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def evaluate(run_line: RunLine, log: Path, *extra: str, model: str = "glm-5.2",
             task: str = "refactoring") -> dict[str, Any]:
    result = run_line(["evaluate", "--model", model, "--task", task, "--as-of",
                       AS_OF.isoformat(), "--record", str(log), *extra])
    assert result.exit_code in (0, 1), result.output
    return read_lines(log)[-1]


def copy_catalog(target: Path) -> Path:
    for name in CATALOG_DIRS:
        shutil.copytree(REPO / name, target / name)
    return target


def sha(record: Any) -> str:
    return "sha256:" + digest_of(record)


def recompute(catalog_dir: Path, line: dict[str, Any]) -> dict[str, str]:
    """The auditor's side: digests from the record files alone, with govern's loader."""
    ids = line["input"]

    def load(kind_dir: str, kind: type, record_id: str) -> Any:
        record, problems = load_record_file(catalog_dir / kind_dir / f"{record_id}.yaml", kind)
        assert not problems
        return record

    policies = [load("policies", Policy, p.stem)
                for p in sorted((catalog_dir / "policies").glob("*.yaml"))]
    waivers = [load("waivers", Waiver, w) for w in ids["waivers"]]
    return {
        "policy_set": PolicySet(policies).digest,
        "model_card": sha(load("model_cards", ModelCard, ids["model"])),
        "task": sha(load("tasks", Task, ids["task"])),
        "profile": sha(load("profiles", Profile, ids["profile"])),
        "waivers": sha(waivers),
    }


# ---------------------------------------------------------------- the log file


def test_records_are_appended_across_runs_one_json_line_each(run_line: RunLine,
                                                            tmp_path: Path) -> None:
    log = tmp_path / "decisions.jsonl"
    first = evaluate(run_line, log)
    second = evaluate(run_line, log, model="claude-fable-5")
    lines = read_lines(log)
    assert len(lines) == 2
    assert lines == [first, second]
    assert first["decision"]["recommendation"] == "self-host"
    assert second["decision"]["recommendation"] == "disallow"
    for line in lines:
        assert line["govern_version"] == __version__
        assert line["as_of"] == "2026-11-23"
        assert line["engine"] == "native"
        stamp = dt.datetime.fromisoformat(line["timestamp"])
        assert line["timestamp"].endswith("Z") and stamp.utcoffset() == dt.timedelta(0)
        assert set(line["digests"]) == {"policy_set", "model_card", "task", "profile",
                                         "waivers"}


def test_record_holds_the_full_decision(run_line: RunLine, tmp_path: Path,
                                        catalog: Catalog) -> None:
    line = evaluate(run_line, tmp_path / "log.jsonl")
    decision = decide(catalog.models["glm-5.2"], catalog.tasks["refactoring"],
                      catalog.profiles["eu-regulated-enterprise"], catalog.policy_set, AS_OF)
    assert line["decision"] == decision.model_dump(mode="json")
    assert line["input"] == {"model": "glm-5.2", "task": "refactoring",
                             "profile": "eu-regulated-enterprise", "waivers": []}


def test_digests_equal_recomputing_from_the_records(run_line: RunLine, tmp_path: Path) -> None:
    line = evaluate(run_line, tmp_path / "log.jsonl")
    assert line["digests"] == recompute(bundled_root(), line)
    assert line["digests"]["policy_set"] == line["decision"]["policy_set_digest"]


def test_no_record_is_written_when_the_input_is_invalid(run_line: RunLine,
                                                        tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    result = run_line(["evaluate", "--model", "glm-5.3", "--task", "refactoring",
                       "--record", str(log)])
    assert result.exit_code == 2
    assert not log.exists()


def test_unwritable_log_is_an_input_error(run_line: RunLine, tmp_path: Path) -> None:
    result = run_line(["evaluate", "--model", "glm-5.2", "--task", "refactoring",
                       "--record", str(tmp_path / "missing-dir" / "log.jsonl")])
    assert result.exit_code == 2
    assert "cannot open the decision log" in result.stderr


# ---------------------------------------------------------------- digests: what changes them


def test_same_catalog_in_another_directory_gives_identical_digests(run_line: RunLine,
                                                                   tmp_path: Path) -> None:
    # The copy shadows every bundled record with identical content from another path.
    copy = copy_catalog(tmp_path / "elsewhere" / "catalog")
    bundled = evaluate(run_line, tmp_path / "a.jsonl")
    copied = evaluate(run_line, tmp_path / "b.jsonl", "--catalog", str(copy))
    assert copied["digests"] == bundled["digests"]
    assert copied["decision"] == bundled["decision"]
    assert recompute(copy, copied) == copied["digests"]


def test_changed_policy_changes_only_the_policy_digest(run_line: RunLine,
                                                       tmp_path: Path) -> None:
    team = tmp_path / "team"
    (team / "policies").mkdir(parents=True)
    source = (REPO / "policies" / "licence.yaml").read_text()
    changed = source.replace("severity: low", "severity: medium", 1)
    assert changed != source
    (team / "policies" / "licence.yaml").write_text(changed)
    before = evaluate(run_line, tmp_path / "log.jsonl")
    after = evaluate(run_line, tmp_path / "log.jsonl", "--catalog", str(team))
    assert after["digests"]["policy_set"] != before["digests"]["policy_set"]
    for key in ("model_card", "task", "profile", "waivers"):
        assert after["digests"][key] == before["digests"][key]


def test_changed_card_changes_only_the_card_digest(run_line: RunLine, tmp_path: Path) -> None:
    team = tmp_path / "team"
    (team / "model_cards").mkdir(parents=True)
    source = (REPO / "model_cards" / "glm-5.2.yaml").read_text()
    changed = source.replace("context_window_tokens: 1000000", "context_window_tokens: 2000000")
    assert changed != source
    (team / "model_cards" / "glm-5.2.yaml").write_text(changed)
    before = evaluate(run_line, tmp_path / "log.jsonl")
    after = evaluate(run_line, tmp_path / "log.jsonl", "--catalog", str(team))
    assert after["digests"]["model_card"] != before["digests"]["model_card"]
    for key in ("policy_set", "task", "profile", "waivers"):
        assert after["digests"][key] == before["digests"][key]


def test_comments_and_key_order_do_not_change_a_digest(run_line: RunLine,
                                                       tmp_path: Path) -> None:
    # Digests are over the records' content, not the file's bytes.
    team = tmp_path / "team"
    (team / "tasks").mkdir(parents=True)
    source = (REPO / "tasks" / "refactoring.yaml").read_text()
    lines = [line for line in source.splitlines() if not line.lstrip().startswith("#")]
    (team / "tasks" / "refactoring.yaml").write_text(
        "# a team's copy\n" + "\n".join(reversed(lines[:3])) + "\n" + "\n".join(lines[3:]) + "\n")
    before = evaluate(run_line, tmp_path / "log.jsonl")
    after = evaluate(run_line, tmp_path / "log.jsonl", "--catalog", str(team))
    assert after["digests"] == before["digests"]


def test_waivers_that_matched_are_listed_and_digested(run_line: RunLine, tmp_path: Path) -> None:
    team = tmp_path / "team"
    (team / "waivers").mkdir(parents=True)
    (team / "waivers" / "zai-pilot.yaml").write_text(
        "id: zai-pilot\nrule: jurisdiction.data-class-not-permitted-at-host\n"
        "scope: {model: glm-5.2, provider: Z.ai}\nowner: ciso@example.com\n"
        "reason: pilot under contract\nreference: RISK-1\nexpires: \"2026-12-31\"\n")
    (team / "waivers" / "unrelated.yaml").write_text(
        "id: unrelated\nrule: revocation.access-suspended\nscope: {model: claude-fable-5}\n"
        "owner: ciso@example.com\nreason: other\nreference: RISK-2\nexpires: \"2026-12-31\"\n")
    line = evaluate(run_line, tmp_path / "log.jsonl", "--catalog", str(team))
    assert line["input"]["waivers"] == ["zai-pilot"]
    waiver, _ = load_record_file(team / "waivers" / "zai-pilot.yaml", Waiver)
    assert line["digests"]["waivers"] == sha([waiver])
    empty = evaluate(run_line, tmp_path / "log.jsonl")
    assert empty["digests"]["waivers"] == sha([]) != line["digests"]["waivers"]


# ---------------------------------------------------------------- the library function


def test_decision_record_is_deterministic_given_the_time(catalog: Catalog) -> None:
    decision = decide(catalog.models["glm-5.2"], catalog.tasks["refactoring"],
                      catalog.profiles["eu-regulated-enterprise"], catalog.policy_set, AS_OF)
    first = decision_record(decision, catalog=catalog, as_of=AS_OF, now=NOW)
    again = decision_record(decision, catalog=catalog, as_of=AS_OF, now=NOW)
    assert first == again
    assert first["timestamp"] == "2026-11-23T09:30:15.250Z"
    later = NOW.astimezone(dt.timezone(dt.timedelta(hours=2)))
    assert decision_record(decision, catalog=catalog, as_of=AS_OF, now=later)["timestamp"] \
        == "2026-11-23T09:30:15.250Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        decision_record(decision, catalog=catalog, as_of=AS_OF, now=NOW.replace(tzinfo=None))


def _append_many(args: tuple[str, int]) -> None:
    path, count = args
    catalog = load_catalog([bundled_root()])
    decision = decide(catalog.models["glm-5.2"], catalog.tasks["refactoring"],
                      catalog.profiles["eu-regulated-enterprise"], catalog.policy_set, AS_OF)
    for _ in range(count):
        append_decision_records(Path(path), [decision] * 5, catalog=catalog, as_of=AS_OF,
                                now=NOW)


def test_concurrent_writers_never_interleave_lines(tmp_path: Path) -> None:
    log = tmp_path / "shared.jsonl"
    writers, rounds = 6, 20
    with multiprocessing.get_context("spawn").Pool(writers) as pool:
        pool.map(_append_many, [(str(log), rounds)] * writers)
    lines = read_lines(log)  # every line parses: none was torn or mixed with another
    assert len(lines) == writers * rounds * 5
    assert all(line["input"]["model"] == "glm-5.2" for line in lines)


# ---------------------------------------------------------------- the auditor's recipe in the docs


def test_the_documented_verification_recipe_works(run_line: RunLine, tmp_path: Path) -> None:
    doc = (REPO / "docs" / "decision-records.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Verifying a log"):]
    start = section.index("```python\n") + len("```python\n")
    script = section[start:section.index("\n```", start)]
    (tmp_path / "verify_records.py").write_text(script + "\n")
    log = tmp_path / "decisions.jsonl"
    evaluate(run_line, log)
    evaluate(run_line, log, model="claude-fable-5")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("GOVERN_CATALOG", None)
    same = subprocess.run([sys.executable, "verify_records.py", str(log)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, check=False)
    assert same.returncode == 0, same.stdout + same.stderr
    assert same.stdout.count("records unchanged; decision reproduced") == 2
    team = tmp_path / "team"
    (team / "model_cards").mkdir(parents=True)
    card = (REPO / "model_cards" / "glm-5.2.yaml").read_text()
    (team / "model_cards" / "glm-5.2.yaml").write_text(card.replace("license: MIT",
                                                                    "license: GPL-3.0"))
    moved = subprocess.run([sys.executable, "verify_records.py", str(log), str(team)],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert moved.returncode == 1, moved.stdout + moved.stderr
    assert "line 1: glm-5.2 / refactoring / eu-regulated-enterprise: changed: model_card; " \
           "decision differs" in moved.stdout
    assert "line 2: claude-fable-5 / refactoring / eu-regulated-enterprise: records unchanged" \
        in moved.stdout
