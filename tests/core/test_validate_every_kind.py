"""``govern validate`` reads every kind ``govern schema`` knows, and resolves the ids of
manifests and policy tests against the catalog they would run with (``--catalog`` included)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from govern.schemas import SCHEMA_KINDS
from tests.support import REPO, RunLine

MANIFEST = """\
uses:
  - model: glm-5.2-internal
    tasks: [refactoring]
    deployment: self-host
"""
POLICY_TEST = """\
cases:
  - name: the internal model is judged like any other
    model: glm-5.2-internal
    task: refactoring
    expect:
      fires: [licence.weights-not-known-open]
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _team(tmp_path: Path) -> Path:
    """A team catalog with a model the bundled catalog does not have."""
    card = (REPO / "model_cards" / "glm-5.2.yaml").read_text().replace(
        "id: glm-5.2", "id: glm-5.2-internal")
    _write(tmp_path / "team" / "model_cards" / "glm-5.2-internal.yaml", card)
    return tmp_path / "team"


def _bundled_example(kind: str) -> Path:
    """One file of each kind as the repository ships it."""
    return {"model_card": REPO / "model_cards" / "glm-5.2.yaml",
            "task": REPO / "tasks" / "refactoring.yaml",
            "profile": REPO / "profiles" / "eu-regulated-enterprise.yaml",
            "policy": REPO / "policies" / "licence.yaml",
            "manifest": REPO / "examples" / "ci" / "govern.yaml",
            "policy_test": REPO / "policy_tests" / "licence.yaml",
            "scenario": REPO / "docs" / "examples" / "fable-suspension" / "scenario.yaml"}[kind]


@pytest.mark.parametrize("kind", sorted(set(SCHEMA_KINDS) - {"waiver"}))
def test_every_shipped_kind_validates_wherever_it_lies(kind: str, tmp_path: Path,
                                                       run_line: RunLine) -> None:
    # Copied out of its folder and renamed, so only its keys can tell its kind.
    # (The manifest stays beside the team catalog it names; its name says its kind.)
    source = _bundled_example(kind)
    loose = source if kind == "manifest" else tmp_path / source.name
    if kind != "manifest":
        loose.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_line(["validate", str(loose)])
    assert (result.exit_code, result.stdout) == (0, "ok: 1 file(s) valid\n"), result.output


def test_a_waiver_file_validates(tmp_path: Path, run_line: RunLine) -> None:
    waiver = next((REPO / "examples" / "ci" / "catalog" / "waivers").glob("*.yaml"))
    assert run_line(["validate", str(waiver)]).exit_code == 0


@pytest.mark.parametrize("name,text", [("govern.yaml", MANIFEST), ("cases.yaml", POLICY_TEST)])
def test_ids_are_resolved_against_the_catalog_given(name: str, text: str, tmp_path: Path,
                                                    run_line: RunLine) -> None:
    path = _write(tmp_path / "project" / name, text)
    without = run_line(["validate", str(path)])
    assert without.exit_code == 2
    assert f"{path}:2:" in without.stdout or f"{path}:3:" in without.stdout
    assert "unknown model" in without.stdout and "'glm-5.2-internal'" in without.stdout
    with_team = run_line(["validate", str(path), "--catalog", str(_team(tmp_path))])
    assert (with_team.exit_code, with_team.stdout) == (0, "ok: 1 file(s) valid\n")


def test_a_manifest_is_checked_against_its_own_catalog(tmp_path: Path,
                                                       run_line: RunLine) -> None:
    _team(tmp_path)
    path = _write(tmp_path / "govern.yaml", "catalog: [team]\n" + MANIFEST)
    assert run_line(["validate", str(path)]).exit_code == 0


def test_a_catalogs_policy_tests_are_checked_against_it(tmp_path: Path,
                                                        run_line: RunLine) -> None:
    team = _team(tmp_path)
    _write(team / "policy_tests" / "internal.yaml", POLICY_TEST.replace(
        "licence.weights-not-known-open", "licence.no-such-rule"))
    result = run_line(["validate", str(team)])
    assert result.exit_code == 2
    assert "internal.yaml:6:15: cases[0].expect.fires[0]: unknown rule 'licence.no-such-rule'" \
        in result.stdout
    assert "glm-5.2-internal" not in result.stdout  # the catalog's own model is known


def test_a_file_of_no_kind_is_refused_with_every_kind_named(tmp_path: Path,
                                                            run_line: RunLine) -> None:
    path = _write(tmp_path / "notes.yaml", "title: not a record\n")
    result = run_line(["validate", str(path)])
    assert result.exit_code == 2
    assert "policy_tests/" in result.stdout and "govern.yaml" in result.stdout
