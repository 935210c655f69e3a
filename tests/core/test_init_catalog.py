"""`govern init DIR`: a team catalog started from the bundled one, which validates, whose
policy tests pass against it, and whose records name their schemas (checked by the real
language server in tests/editors/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from govern.schemas import SHIPPED_SCHEMAS
from govern.team_catalog import MODELINE_PREFIX, STARTER_FOLDERS
from tests.support import REPO, run_govern, write


def _init(team: Path, *flags: str) -> None:
    result = run_govern(["init", str(team), *flags])
    assert result.exit_code == 0, result.output


def test_init_copies_every_bundled_record_with_its_modeline(tmp_path: Path) -> None:
    team = tmp_path / "team"
    _init(team)
    for folder in STARTER_FOLDERS:
        bundled = sorted(p.name for p in (REPO / folder).glob("*.yaml"))
        assert sorted(p.name for p in (team / folder).glob("*.yaml")) == bundled
        for name in bundled:
            lines = (team / folder / name).read_text(encoding="utf-8").splitlines()
            assert lines[0].startswith(MODELINE_PREFIX + "../schemas/"), (folder, name)
            assert (team / folder / lines[0].removeprefix(MODELINE_PREFIX)).is_file()
            assert lines == (REPO / folder / name).read_text(encoding="utf-8").splitlines()
    readme = (team / "README.md").read_text(encoding="utf-8")
    for folder in (*STARTER_FOLDERS, "waivers", "schemas"):
        assert f"`{folder}/`" in readme


def test_the_started_catalog_validates_and_its_policy_tests_pass(tmp_path: Path) -> None:
    team = tmp_path / "team"
    _init(team)
    validated = run_govern(["validate", str(team)])
    assert validated.exit_code == 0 and validated.stdout.startswith("ok: "), validated.output
    tested = run_govern(["test", str(team / "policy_tests"), "--catalog", str(team),
                         "--as-of", "2026-11-23"])
    assert tested.exit_code == 0, tested.output
    assert " 0 failed" in tested.stdout


def test_the_team_catalog_is_the_one_decided_with(tmp_path: Path) -> None:
    # A copied record is read, not the bundled one: break a copied policy and init's catalog
    # is refused, naming the copied file.
    team = tmp_path / "team"
    _init(team)
    policy = team / "policies" / "licence.yaml"
    policy.write_text(policy.read_text().replace("    effect:", "    efect:", 1))
    result = run_govern(["list", "policies", "--catalog", str(team)])
    assert result.exit_code == 2 and "licence.yaml" in result.stderr and "efect" in result.stderr


def test_init_refuses_a_non_empty_directory_unless_forced(tmp_path: Path) -> None:
    team = tmp_path / "team"
    kept = write(team / "notes.md", "ours\n")
    refused = run_govern(["init", str(team)])
    assert refused.exit_code == 2
    assert str(team) in refused.stderr and "--force" in refused.stderr
    assert sorted(p.name for p in team.iterdir()) == ["notes.md"]
    _init(team, "--force")
    assert kept.read_text() == "ours\n" and (team / "policies" / "licence.yaml").is_file()


def test_init_into_a_file_is_refused(tmp_path: Path) -> None:
    target = write(tmp_path / "catalog", "not a directory\n")
    result = run_govern(["init", str(target)])
    assert result.exit_code == 2 and "not a directory" in result.stderr


def test_schema_write_puts_the_shipped_schemas_where_the_modelines_point(tmp_path: Path
                                                                         ) -> None:
    result = run_govern(["schema", "--write", str(tmp_path)])
    assert result.exit_code == 0
    written = sorted((tmp_path / "schemas").iterdir())
    assert [p.name for p in written] == sorted(p.name for p in SHIPPED_SCHEMAS.iterdir())
    for path in written:
        assert path.read_text() == (SHIPPED_SCHEMAS / path.name).read_text()


def test_a_schemas_folder_is_left_alone_but_other_folders_are_still_refused(tmp_path: Path
                                                                             ) -> None:
    write(tmp_path / "team" / "schemas" / "notes.txt", "anything\n")
    write(tmp_path / "team" / "schema" / "x.yaml", "id: x\n")
    result = run_govern(["validate", str(tmp_path / "team")])
    assert result.exit_code == 2
    assert "team/schema: -: govern does not read this folder (did you mean schemas/?)" \
        in result.stdout
    assert "notes.txt" not in result.stdout


def _console_session(doc: str, first_command: str) -> list[tuple[str, str]]:
    """(command, output) pairs of the console block that starts with ``$ first_command``."""
    start = doc.index(f"```console\n$ {first_command}\n") + len("```console\n")
    block = doc[start:doc.index("```", start)]
    pairs = []
    for chunk in block.split("$ ")[1:]:
        command, _, output = chunk.partition("\n")
        pairs.append((command, output))
    return pairs


def test_the_guide_shows_what_init_validate_and_test_really_print(tmp_path: Path) -> None:
    guide = (REPO / "docs" / "writing-policies.md").read_text(encoding="utf-8")
    session = _console_session(guide, "govern init my-catalog")
    assert [command.split()[1] for command, _ in session] == ["init", "validate", "test", "init"]
    for command, shown in session:
        done = subprocess.run([sys.executable, "-m", "govern", *command.split()[1:]],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120,
                              check=False)
        assert done.stdout + done.stderr == shown, command
