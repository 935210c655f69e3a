"""The README's "What would it take" and "What if" examples are what govern really prints."""

from __future__ import annotations

import pytest

from tests.core.test_docs import README, console_block
from tests.support import REPO, RunLine

EXAMPLE = REPO / "docs" / "examples" / "fable-suspension"
GUIDE = (REPO / "docs" / "what-would-it-take-and-what-if.md").read_text()


def test_readme_explain_example_is_real(run_line: RunLine) -> None:
    command = ("govern explain --model glm-5.2 --task refactoring --profile us-enterprise "
               "--as-of 2026-11-23")
    result = run_line(command.split()[1:])
    assert result.exit_code == 1  # disallow, as evaluate would
    assert result.stdout == console_block(README, command)


def test_readme_what_if_example_is_real(run_line: RunLine, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    command = ("govern what-if scenario.yaml --manifest govern.yaml --as-of 2026-06-12")
    monkeypatch.chdir(EXAMPLE)
    result = run_line(command.split()[1:])
    assert result.exit_code == 0
    assert result.stdout == console_block(README, f"cd docs/examples/fable-suspension && "
                                                  f"{command}")


def test_readme_shows_the_scenario_file_as_it_is() -> None:
    assert "```yaml\n" + (EXAMPLE / "scenario.yaml").read_text() + "```\n" in README


@pytest.mark.parametrize("command", [
    "govern explain --model gpt-5.5 --task refactoring --as-of 2026-11-23",
    ("govern what-if --suspend claude-opus-4.8 --since 2026-06-12 --manifest "
     "docs/examples/fable-suspension/govern.yaml --as-of 2026-06-12"),
])
def test_guide_examples_are_real(command: str, run_line: RunLine,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = run_line(command.split()[1:])
    assert result.stdout == console_block(GUIDE, command)
