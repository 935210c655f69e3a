"""The docs are part of the feature: their examples must be what govern really does."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from govern.conditions import OPERATORS
from govern.facts import FACTS
from tests.support import REPO, RunLine

README = (REPO / "README.md").read_text()
GUIDE = (REPO / "docs" / "writing-policies.md").read_text()


def console_block(text: str, command: str) -> str:
    """The output shown after '$ command' in a console block, up to the next prompt."""
    start = text.index(f"$ {command}\n") + len(command) + 3
    end = text.index("\n$ ", start)
    return text[start:end + 1]


def test_readme_quickstart_shows_the_real_output(run_line: RunLine) -> None:
    command = "govern evaluate --model glm-5.2 --task refactoring --as-of 2026-11-23"
    result = run_line(command.split()[1:])
    assert result.stdout == console_block(README, command)


def test_readme_explains_which_way_the_default_profile_goes_and_why(run_line: RunLine) -> None:
    shortfall = run_line(["evaluate", "--model", "glm-5.2", "--task", "refactoring",
                          "--profile", "us-enterprise", "--as-of", "2026-11-23"]).stdout
    quoted = re.search(r"`(GLM-5\.2 needs 753 GB .*?)`", README, re.DOTALL)
    assert quoted is not None
    assert " ".join(quoted.group(1).split()) in shortfall


def test_readme_rank_example_is_the_real_output(run_line: RunLine) -> None:
    command = ("govern rank --task document-analysis --profile cost-sensitive-startup "
               "--as-of 2026-11-23")
    shown = README[README.index(f"$ {command}\n") + len(command) + 3:]
    result = run_line(command.split()[1:])
    assert result.exit_code == 0
    assert shown.startswith(result.stdout + "```")


def test_readme_test_command_is_what_ci_runs() -> None:
    ci = REPO / ".ci" / "run"
    assert ci.stat().st_mode & 0o111, ".ci/run must be executable"
    marker = README.index("<!-- test-command")
    block = re.search(r"```sh\n(.*?)\n```", README[marker:], re.DOTALL)
    assert block is not None
    extracted = subprocess.run(
        ["awk", re.search(r"awk '(.*?)' README\.md", ci.read_text(), re.DOTALL).group(1),  # type: ignore[union-attr]
         "README.md"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    assert extracted == block.group(1) and "pytest" in extracted


def test_the_guide_documents_every_operator_and_every_derived_fact() -> None:
    table = {m.group(1) for m in re.finditer(r"^\| `([a-z_]+)` \|", GUIDE, re.MULTILINE)}
    assert set(OPERATORS) <= table, f"undocumented: {set(OPERATORS) - table}"
    for path in (p for p in FACTS if p.startswith("derived.")):
        assert path in GUIDE


def _first_rule_yaml(text: str) -> str:
    start = text.rindex("\n", 0, text.index("id: retention\n")) + 1
    return text[start:text.index("```", start)]


def test_the_first_policy_rule_in_the_readme_and_guide_works_as_described(
        tmp_path: Path, run_line: RunLine) -> None:
    readme_rule = _first_rule_yaml(README)
    guide_rule = "\n".join(line[3:] for line in _first_rule_yaml(GUIDE).splitlines())
    assert yaml.safe_load(readme_rule) == yaml.safe_load(guide_rule)
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "retention.yaml").write_text(readme_rule)
    assert run_line(["validate", str(tmp_path)]).exit_code == 0
    result = run_line(["evaluate", "--catalog", str(tmp_path), "--model", "gpt-5.5",
                       "--task", "legal-decisions", "--as-of", "2026-11-23", "--format", "json"])
    import json

    (api,) = json.loads(result.stdout)["options"]
    (finding,) = [f for f in api["findings"] if f["rule"] == "retention.personal-data-kept-too-long"]
    # No source publishes OpenAI's retention: the guide says it denies for insufficient evidence.
    assert finding["effect"] == "deny"
    assert finding["message"].startswith(
        "insufficient evidence: option.data_terms.retention_days unknown")


def test_readme_ci_example_lines_are_real_output(run_line: RunLine,
                                                 monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(REPO / "examples" / "ci")
    result = run_line(["check", "--as-of", "2026-11-23"])
    shown = console_block(README, "cd examples/ci && govern check --as-of 2026-11-23")
    assert result.exit_code == 1
    for line in shown.splitlines():
        if line != "…":
            assert line in result.stdout.splitlines(), line
    manifest = (REPO / "examples" / "ci" / "govern.yaml").read_text()
    assert manifest in README


def _shown_after(text: str, command: str) -> str:
    """What a console block shows after '$ command', up to the next prompt or the block's end."""
    start = text.index(f"$ {command}\n") + len(command) + 3
    ends = [i for i in (text.find("\n$ ", start), text.find("\n```", start)) if i != -1]
    return text[start:min(ends) + 1]


def test_readme_licence_section_shows_what_validate_and_import_print(
        tmp_path: Path, run_line: RunLine, monkeypatch: pytest.MonkeyPatch) -> None:
    card = (REPO / "model_cards" / "glm-5.2.yaml").read_text()
    card = re.sub(r"^license: .*$", "license: MITT", card.replace("id: glm-5.2", "id: glm-typo"),
                  flags=re.MULTILINE)
    (tmp_path / "my-catalog" / "model_cards").mkdir(parents=True)
    (tmp_path / "my-catalog" / "model_cards" / "glm-typo.yaml").write_text(card)
    monkeypatch.chdir(tmp_path)
    validate = run_line(["validate", "--catalog", "my-catalog"])
    assert validate.exit_code == 2
    assert validate.stdout == _shown_after(README, "govern validate --catalog my-catalog")
    monkeypatch.chdir(REPO)
    command = "govern import hf tests/hf/fixtures/llama-other-licence.md --as-of 2026-11-30"
    assert run_line(command.split()[1:]).stdout == _shown_after(README, command)
