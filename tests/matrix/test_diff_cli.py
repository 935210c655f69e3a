"""``govern diff``: the compliance team's loop, run as a user runs it. A catalog copied and
edited, compared with ``--base`` and with ``--base-ref`` in a real git repository; every
cell whose decision differs is named with the edit that caused it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from govern.core import decide
from govern.formats import DIFF_FORMATS
from govern.formats.json_format import decision_document
from govern.loading.catalog import DEFAULT_PROFILE, Catalog, bundled_root, load_catalog
from tests.support import AS_OF, REPO, RunLine

GOLDEN = Path(__file__).parent / "golden"
DATE = AS_OF.isoformat()
EU = f"profiles/{DEFAULT_PROFILE}.yaml"
SOURCE_CODE = "  source_code:        {host_jurisdictions: [EU, US, GB]}"
EDIT = "data_classes.source_code.host_jurisdictions: +CN"


def copy_catalog(target: Path) -> Path:
    """The bundled catalog's folders, copied as a compliance officer would copy them."""
    for kind in ("model_cards", "tasks", "profiles", "policies"):
        shutil.copytree(bundled_root() / kind, target / kind)
    return target


def let_source_code_go_to_cn(catalog: Path) -> None:
    profile = catalog / EU
    text = profile.read_text()
    assert SOURCE_CODE in text
    profile.write_text(text.replace(SOURCE_CODE, SOURCE_CODE.replace("GB]", "GB, CN]")))


def changed_cells(before: Catalog, after: Catalog, profiles: list[str]) -> set[tuple[str, ...]]:
    """The cells whose decision differs, by deciding each one on both sides."""
    found = set()
    for p in profiles:
        for m in after.models:
            for t in after.tasks:
                old, new = (decision_document(decide(c.models[m], c.tasks[t], c.profiles[p],
                                                     c.policy_set, AS_OF,
                                                     list(c.waivers.values())))
                            for c in (before, after))
                if {**old, "policy_set_digest": ""} != {**new, "policy_set_digest": ""}:
                    found.add((p, m, t))
    return found


@pytest.fixture
def edited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """``before/``, a copy of the catalog, and ``after/``, the same with source code allowed
    to go to CN hosts; the working directory is their parent, so reports name them short."""
    monkeypatch.chdir(tmp_path)
    before = copy_catalog(tmp_path / "before")
    shutil.copytree(before, tmp_path / "after")
    let_source_code_go_to_cn(tmp_path / "after")
    return Path("before"), Path("after")


def test_the_diff_names_every_flipped_cell_and_the_edit(edited: tuple[Path, Path],
                                                       run_line: RunLine) -> None:
    before, after = edited
    result = run_line(["diff", "--base", str(before), "--catalog", str(after), "--as-of", DATE,
                       "--all-profiles", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    catalogs = [load_catalog([bundled_root(), c]) for c in (before, after)]
    expected = changed_cells(*catalogs, sorted(catalogs[1].profiles))
    assert {(c["profile"], c["model"], c["task"]) for c in report["cells"]} == expected
    flipped = [c for c in report["cells"] if c["kind"] == "more-permissive"]
    assert flipped and all(c["profile"] == DEFAULT_PROFILE for c in report["cells"])
    assert all(c["causes"] == [f"profile {DEFAULT_PROFILE}"] for c in report["cells"])
    (record,) = report["records"]
    assert (record["kind"], record["id"], record["change"]) == ("profile", DEFAULT_PROFILE,
                                                               "changed")
    assert record["fields"] == [{"path": "data_classes.source_code.host_jurisdictions",
                                 "before": ["EU", "US", "GB"], "after": ["EU", "US", "GB", "CN"],
                                 "added": ["CN"], "removed": []}]
    text = run_line(["diff", "--base", str(before), "--catalog", str(after), "--as-of", DATE,
                     "--all-profiles"]).stdout
    assert f"  profile {DEFAULT_PROFILE}\n    {EDIT}\n" in text
    for cell in flipped:
        assert f"  {cell['profile']} / {cell['model']} / {cell['task']}: " in text


@pytest.mark.parametrize("format_name", sorted(DIFF_FORMATS))
def test_output_matches_the_golden_file(edited: tuple[Path, Path], run_line: RunLine,
                                        format_name: str) -> None:
    before, after = edited
    result = run_line(["diff", "--base", str(before), "--catalog", str(after), "--as-of", DATE,
                       "--format", format_name])
    extension = {"markdown": "md", "text": "txt"}.get(format_name, format_name)
    path = GOLDEN / f"diff-source-code-to-cn.{extension}"
    if os.environ.get("GOVERN_UPDATE_GOLDEN"):
        path.write_text(result.stdout)
    assert result.stdout == path.read_text()


def test_the_base_replaces_the_bundled_catalog_when_there_is_no_other(
        tmp_path: Path, run_line: RunLine) -> None:
    # A clone edited in place: --base is the copy from before the edit. Here the copy is the
    # one with CN, so going back to the bundled catalog is more restrictive.
    base = copy_catalog(tmp_path / "base")
    let_source_code_go_to_cn(base)
    report = json.loads(run_line(["diff", "--base", str(base), "--as-of", DATE,
                                  "--format", "json"]).stdout)
    kinds = {c["kind"] for c in report["cells"]}
    assert "more-restrictive" in kinds and "more-permissive" not in kinds
    assert report["records"][0]["fields"][0]["removed"] == ["CN"]


def test_exit_code_counts_decisions_not_messages(edited: tuple[Path, Path], tmp_path: Path,
                                                 run_line: RunLine) -> None:
    before, after = edited
    args = ["diff", "--base", str(before), "--as-of", DATE, "--exit-code", "--catalog"]
    assert run_line([*args, str(after)]).exit_code == 1
    assert run_line([*args, str(before)]).exit_code == 0
    # Only the text of a rule that fires changes: reported quietly, not a decision change.
    reworded = tmp_path / "reworded"
    shutil.copytree(before, reworded)
    policy = reworded / "policies" / "licence.yaml"
    text = policy.read_text()
    assert "disputes before relying on them" in text
    policy.write_text(text.replace("disputes before relying on them", "disputes first"))
    result = run_line([*args, str(reworded), "--format", "json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert {c["kind"] for c in report["cells"]} == {"messages"}
    assert report["summary"]["decisions_changed"] == 0
    assert report["records"][0]["fields"][0]["path"] == "message"
    text = run_line([*args[:-2], "--catalog", str(reworded)]).stdout
    assert "messages changed only (" in text and "licence.disputed-facts" in text
    assert "more permissive" not in text.split("cells:")[1].split(";")[0].replace("0 more", "")


def test_a_rule_edit_names_the_rule_field_by_field(edited: tuple[Path, Path], tmp_path: Path,
                                                   run_line: RunLine) -> None:
    before, _ = edited
    stricter = tmp_path / "stricter"
    shutil.copytree(before, stricter)
    policy = stricter / "policies" / "licence.yaml"
    # the licence rule turned round: now it denies the licences the profile approves
    policy.write_text(policy.read_text().replace(
        "fact: derived.license_approved\n          equals: false",
        "fact: derived.license_approved\n          equals: true"))
    report = json.loads(run_line(["diff", "--base", str(before), "--catalog", str(stricter),
                                  "--as-of", DATE, "--all-profiles", "--format", "json"]).stdout)
    (record,) = report["records"]
    assert (record["kind"], record["id"], record["policy"]) == (
        "rule", "licence.self-host-licence-not-approved", "licence")
    assert record["fields"][0]["path"] == "when.all[derived.license_approved].equals"
    assert (record["fields"][0]["before"], record["fields"][0]["after"]) == (False, True)
    glm = [c for c in report["cells"] if c["model"] == "glm-5.2" and c["task"] == "refactoring"
           and c["profile"] == DEFAULT_PROFILE]
    assert glm[0]["kind"] == "more-restrictive"
    assert glm[0]["recommendation"] == {"before": "self-host", "after": "disallow"}
    assert glm[0]["rules"] == ["licence.self-host-licence-not-approved"]
    assert glm[0]["causes"] == ["rule licence.self-host-licence-not-approved (policy licence)"]


def test_a_new_model_card_adds_cells(edited: tuple[Path, Path], tmp_path: Path,
                                     run_line: RunLine) -> None:
    before, _ = edited
    grown = tmp_path / "grown"
    shutil.copytree(before, grown)
    card = (grown / "model_cards" / "glm-5.2.yaml").read_text()
    (grown / "model_cards" / "glm-5.3.yaml").write_text(
        card.replace("id: glm-5.2", "id: glm-5.3"))
    report = json.loads(run_line(["diff", "--base", str(before), "--catalog", str(grown),
                                  "--as-of", DATE, "--format", "json"]).stdout)
    added = [c for c in report["cells"] if c["kind"] == "added"]
    assert len(added) == 10 and {c["model"] for c in added} == {"glm-5.3"}
    assert added[0]["recommendation"]["before"] is None
    assert report["records"][0]["kind"] == "model card"


def test_one_source_of_the_earlier_version_at_a_time(run_line: RunLine, tmp_path: Path) -> None:
    result = run_line(["diff", "--base", str(tmp_path), "--base-ref", "HEAD"])
    assert result.exit_code == 2 and "exactly one of" in result.stderr
    assert run_line(["diff"]).exit_code == 2


def test_unknown_profiles_are_named(edited: tuple[Path, Path], run_line: RunLine) -> None:
    before, after = edited
    result = run_line(["diff", "--base", str(before), "--catalog", str(after),
                       "--profile", "us-enterprize"])
    assert result.exit_code == 2
    assert "unknown profile 'us-enterprize' (did you mean 'us-enterprise'?)" in result.stderr


# ---------------------------------------------------------------- --base-ref, with real git


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), "-c", "user.name=Compliance",
                           "-c", "user.email=compliance@example.com", *args],
                          capture_output=True, text=True, check=True, timeout=60)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose ``team/`` catalog has two commits: a copy of the bundled
    profiles, then the edit letting source code go to CN hosts."""
    root = tmp_path / "repo"
    (root / "team").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    shutil.copytree(bundled_root() / "profiles", root / "team" / "profiles")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "team profiles")
    let_source_code_go_to_cn(root / "team")
    git(root, "commit", "-q", "-am", "source code may go to CN hosts")
    return root


def test_base_ref_reads_the_catalog_at_a_revision(repo: Path, tmp_path: Path,
                                                  run_line: RunLine) -> None:
    team = repo / "team"
    by_ref = run_line(["diff", "--base-ref", "HEAD~1", "--catalog", str(team), "--as-of", DATE,
                       "--format", "json"])
    assert by_ref.exit_code == 0, by_ref.stderr
    report = json.loads(by_ref.stdout)
    assert report["before"] == "HEAD~1 (git)" and report["after"] == str(team)
    assert report["records"][0]["fields"][0]["added"] == ["CN"]
    old = tmp_path / "old"
    git(repo, "worktree", "add", "-q", str(old), "HEAD~1")
    by_dir = json.loads(run_line(["diff", "--base", str(old / "team"), "--catalog", str(team),
                                  "--as-of", DATE, "--format", "json"]).stdout)
    assert report["cells"] == by_dir["cells"] and report["summary"]["more-permissive"] > 0
    # the working tree against HEAD: nothing changed yet
    same = json.loads(run_line(["diff", "--base-ref", "HEAD", "--catalog", str(team),
                                "--as-of", DATE, "--format", "json"]).stdout)
    assert same["cells"] == [] and same["records"] == []


def test_base_ref_sees_files_added_and_removed_since(repo: Path, run_line: RunLine) -> None:
    team = repo / "team"
    card = (bundled_root() / "model_cards" / "glm-5.2.yaml").read_text()
    (team / "model_cards").mkdir()
    (team / "model_cards" / "glm-5.3.yaml").write_text(card.replace("id: glm-5.2",
                                                                    "id: glm-5.3"))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "a new card")
    report = json.loads(run_line(["diff", "--base-ref", "HEAD~1", "--catalog", str(team),
                                  "--as-of", DATE, "--format", "json"]).stdout)
    assert [(r["kind"], r["id"], r["change"]) for r in report["records"]] == [
        ("model card", "glm-5.3", "added")]
    back = json.loads(run_line(["diff", "--base-ref", "HEAD", "--catalog", str(team),
                                "--as-of", DATE, "--format", "json"]).stdout)
    assert back["records"] == []
    git(repo, "rm", "-q", "team/model_cards/glm-5.3.yaml")
    gone = json.loads(run_line(["diff", "--base-ref", "HEAD", "--catalog", str(team),
                                "--as-of", DATE, "--format", "json"]).stdout)
    assert [(r["id"], r["change"]) for r in gone["records"]] == [("glm-5.3", "removed")]
    assert {c["kind"] for c in gone["cells"]} == {"removed"}


def test_base_ref_reads_the_bundled_catalog_through_its_symlinks(tmp_path: Path,
                                                                 run_line: RunLine) -> None:
    # With no --catalog the bundled catalog is the one compared: in a source checkout its
    # folders are symlinks (engine/_bundled/*) to the repository's, which git tracks.
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout of govern")
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "HEAD", "model_cards", "tasks",
                              "profiles", "policies"], capture_output=True, check=True,
                             timeout=60).stdout
    head = tmp_path / "head"
    head.mkdir()
    subprocess.run(["tar", "-x", "-C", str(head)], input=archive, check=True, timeout=60)
    args = ["--as-of", DATE, "--all-profiles", "--format", "json"]
    by_ref = run_line(["diff", "--base-ref", "HEAD", *args])
    assert by_ref.exit_code == 0, by_ref.stderr
    by_dir = run_line(["diff", "--base", str(head), *args])
    # the working tree may differ from HEAD; both ways of reading HEAD must agree on how
    assert ({k: v for k, v in json.loads(by_ref.stdout).items() if k != "before"}
            == {k: v for k, v in json.loads(by_dir.stdout).items() if k != "before"})


@pytest.mark.parametrize(("ref", "message"), [
    ("no-such-branch", "unknown revision 'no-such-branch'"),
    ("--output=x", "not a revision: '--output=x'"),
])
def test_a_bad_revision_is_bad_input(repo: Path, run_line: RunLine, ref: str,
                                     message: str) -> None:
    result = run_line(["diff", "--base-ref", ref, "--catalog", str(repo / "team")])
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_a_catalog_outside_git_is_bad_input(tmp_path: Path, run_line: RunLine) -> None:
    (tmp_path / "team" / "profiles").mkdir(parents=True)
    result = run_line(["diff", "--base-ref", "HEAD", "--catalog", str(tmp_path / "team")])
    assert result.exit_code == 2 and "is not inside a git repository" in result.stderr


def test_an_invalid_file_at_the_revision_is_named_there(repo: Path, run_line: RunLine) -> None:
    team = repo / "team"
    profile = team / EU
    good = profile.read_text()
    profile.write_text(good.replace("preference:", "preferense:"))
    git(repo, "commit", "-q", "-am", "a typo")
    profile.write_text(good)
    result = run_line(["diff", "--base-ref", "HEAD", "--catalog", str(team)])
    assert result.exit_code == 2
    assert f"error: HEAD:team/{EU}:" in result.stderr and "preferense" in result.stderr


def test_a_severity_edit_changes_findings_not_verdicts(edited: tuple[Path, Path],
                                                       tmp_path: Path, run_line: RunLine,
                                                       catalog: Catalog) -> None:
    before, _ = edited
    graver = tmp_path / "graver"
    shutil.copytree(before, graver)
    policy = graver / "policies" / "licence.yaml"
    text = policy.read_text()
    start = text.index("  - id: licence.disputed-facts")
    end = text.index("severity: low", start)
    policy.write_text(text[:end] + "severity: medium" + text[end + len("severity: low"):])
    report = json.loads(run_line(["diff", "--base", str(before), "--catalog", str(graver),
                                  "--as-of", DATE, "--all-profiles", "--format", "json"]).stdout)
    assert report["summary"]["decisions_changed"] == len(report["cells"]) > 0
    assert {c["kind"] for c in report["cells"]} == {"findings"}
    change = report["cells"][0]["options"][0]["findings"][0]
    assert (change["rule"], change["change"]) == ("licence.disputed-facts", "changed")
    assert (change["before"]["severity"], change["after"]["severity"]) == ("low", "medium")
    disputed = [m for m in catalog.models.values() if m.disputes]
    assert len(report["cells"]) == len(disputed) * len(catalog.tasks) * len(catalog.profiles)


def test_a_profile_edit_reaches_rules_reading_the_self_host_option(
        edited: tuple[Path, Path], tmp_path: Path, run_line: RunLine) -> None:
    # The self-host option is built from the profile: a rule reading only option.* facts
    # still says something else when the profile's self-hosting changes.
    before, _ = edited
    rule = ("id: where\ntitle: t\ndescription: d\nrules:\n  - id: where.self-host-site\n"
            "    description: where self-hosting runs\n    effect: warn\n    severity: low\n"
            "    applies_to: {deployments: [self-host]}\n"
            "    message: self-hosting runs in {option.host_jurisdiction}\n"
            "    rationale: {text: t, source: s}\n")
    (before / "policies" / "where.yaml").write_text(rule)
    moved = tmp_path / "moved"
    shutil.copytree(before, moved)
    profile = moved / "profiles" / "cost-sensitive-startup.yaml"
    text = profile.read_text()
    assert "  jurisdiction: IN" in text
    profile.write_text(text.replace("  jurisdiction: IN", "  jurisdiction: SG"))
    report = json.loads(run_line(["diff", "--base", str(before), "--catalog", str(moved),
                                  "--as-of", DATE, "--all-profiles", "--format", "json"]).stdout)
    catalogs = [load_catalog([bundled_root(), c]) for c in (before, moved)]
    expected = changed_cells(*catalogs, sorted(catalogs[1].profiles))
    assert {(c["profile"], c["model"], c["task"]) for c in report["cells"]} == expected
    texts = [f for c in report["cells"] for o in c["options"] for f in o["messages"]]
    assert any(f["rule"] == "where.self-host-site"
               and f["after"]["message"] == "self-hosting runs in SG" for f in texts)


def test_a_profile_only_the_new_version_has_adds_its_cells(edited: tuple[Path, Path],
                                                           tmp_path: Path,
                                                           run_line: RunLine) -> None:
    before, _ = edited
    grown = tmp_path / "with-profile"
    shutil.copytree(before, grown)
    text = (grown / EU).read_text().replace(f"id: {DEFAULT_PROFILE}", "id: eu-lab")
    (grown / "profiles" / "eu-lab.yaml").write_text(text)
    report_path = tmp_path / "report.json"
    result = run_line(["diff", "--base", str(before), "--catalog", str(grown), "--as-of", DATE,
                       "--profile", "eu-lab", "--format", "json", "-o", str(report_path)])
    assert result.exit_code == 0 and result.stdout == ""
    report = json.loads(report_path.read_text())
    assert {c["kind"] for c in report["cells"]} == {"added"}
    assert report["summary"]["added"] == report["summary"]["cells"] == 100  # 10 models x 10 tasks
    assert report["records"] == [{"kind": "profile", "id": "eu-lab", "change": "added",
                                  "policy": None, "fields": []}]
