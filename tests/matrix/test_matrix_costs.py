"""The matrix shows cost per task: a Markdown cell recommending an API names its cost (and a
cheaper allowed option), an HTML cell's detail gives every API option's cost with its basis and
marks the cheapest allowed one (issue 13).

A team catalog holds a GLM-5.2 card with a second API offering at half Z.ai's prices, listed
after Z.ai, so under the cost-sensitive profile both are allowed for refactoring.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import AS_OF, CHEAP_OFFERING, REPO, RunLine


@pytest.fixture
def team(tmp_path: Path) -> Path:
    card = (REPO / "model_cards" / "glm-5.2.yaml").read_text(encoding="utf-8")
    zai_prices = "      output_usd_per_mtok: 4.40\n"
    assert zai_prices in card
    card = card.replace("id: glm-5.2\n", "id: glm-5.2-two-hosts\n", 1)
    card = card.replace(zai_prices, zai_prices + CHEAP_OFFERING, 1)
    (tmp_path / "model_cards").mkdir()
    (tmp_path / "model_cards" / "glm-5.2-two-hosts.yaml").write_text(card, encoding="utf-8")
    return tmp_path


def matrix(run_line: RunLine, team: Path, fmt: str) -> str:
    result = run_line(["matrix", "--as-of", AS_OF.isoformat(), "--catalog", str(team),
                       "--profile", "cost-sensitive-startup", "--models",
                       "glm-5.2-two-hosts,claude-opus-4.8", "--tasks", "refactoring",
                       "--format", fmt])
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def test_markdown_cell_names_cost_and_the_cheaper_option(team: Path, run_line: RunLine) -> None:
    rows = matrix(run_line, team, "markdown").splitlines()
    assert "| glm-5.2-two-hosts | api $0.2452 (cheapest: api via Example Cloud $0.1226) |" \
        in rows
    assert "| claude-opus-4.8 | api cost unknown |" in rows


def test_html_cell_detail_gives_each_option_s_cost_and_marks_the_cheapest(
        team: Path, run_line: RunLine) -> None:
    page = matrix(run_line, team, "html")
    assert ('<p class="cost">cost per task: 40000 input tokens (task) x $0.7/M + 43000 output '
            'tokens') in page
    assert "x $2.2/M = $0.1226 (the cheapest allowed option)</p>" in page
    assert "x $4.4/M = $0.2452</p>" in page
    assert page.count("(the cheapest allowed option)") == 1
