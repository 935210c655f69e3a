"""govern rank: allowed options cheapest first, unknown costs last saying what is missing."""

from __future__ import annotations

import json

from govern.core import CostPerTask, Decision, OptionDecision
from govern.ranking import rank_options
from tests.support import AS_OF, RunLine


def _decision(model: str, *options: tuple[str | None, float | None, str]) -> Decision:
    return Decision(model=model, task="t", profile="p", as_of=AS_OF, recommendation="api",
                    options=[OptionDecision(
                        deployment="api" if provider else "self-host", provider=provider,
                        verdict=verdict, waived=False, recommended=False, findings=[],
                        obligations=[],
                        cost_per_task=CostPerTask(usd=usd, basis="b") if provider else None)
                        for provider, usd, verdict in options],
                    waivers=[], policy_set_digest="sha256:x")


def test_cheapest_first_then_unknown_then_self_host_ties_by_model_and_provider() -> None:
    ranking = rank_options([
        _decision("m-b", ("Y", 0.5, "allowed"), ("X", 0.5, "allowed"), (None, None, "allowed")),
        _decision("m-a", ("Z", None, "allowed"), ("W", 0.1, "denied"), ("V", 0.5, "allowed")),
    ])
    assert [(e.rank, e.model, e.provider) for e in ranking.options] == [
        (1, "m-a", "V"), (2, "m-b", "X"), (3, "m-b", "Y"), (None, "m-a", "Z"), (None, "m-b", None)]
    assert ranking.options[-1].basis.startswith("self-host: not priced per token")


def test_rank_bundled_document_analysis(run_line: RunLine) -> None:
    result = run_line(["rank", "--task", "document-analysis", "--profile",
                       "cost-sensitive-startup", "--as-of", "2026-11-23", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    ranking = json.loads(result.stdout)
    assert [(o["rank"], o["model"], o["cost_per_task_usd"]) for o in ranking["options"]] == [
        (1, "glm-5.2", 0.0832), (2, "gpt-5.5", 0.34), (None, "claude-opus-4.8", None)]
    assert ranking["options"][2]["basis"] == (
        "unknown: option.pricing.input_usd_per_mtok, option.pricing.output_usd_per_mtok unknown")
    again = run_line(["rank", "--task", "document-analysis", "--profile",
                      "cost-sensitive-startup", "--as-of", "2026-11-23", "--format", "json"])
    assert again.stdout == result.stdout  # byte for byte


def test_rank_text_and_markdown_show_cost_and_basis(run_line: RunLine) -> None:
    for fmt, needle in (("text", "    1  $0.0832        glm-5.2 api via Z.ai"),
                        ("markdown", "| 1 | $0.0832 | glm-5.2 api via Z.ai (recommended) |")):
        result = run_line(["rank", "--task", "document-analysis", "--profile",
                           "cost-sensitive-startup", "--as-of", "2026-11-23", "--format", fmt])
        assert needle in result.stdout, result.stdout


def test_rank_exits_1_when_nothing_is_allowed(run_line: RunLine) -> None:
    result = run_line(["rank", "--task", "legal-decisions", "--as-of", "2026-11-23"])
    assert result.exit_code == 1
    assert "no model has an allowed option" in result.stdout


def test_rank_refuses_an_unknown_task(run_line: RunLine) -> None:
    result = run_line(["rank", "--task", "no-such-task"])
    assert result.exit_code == 2
    assert "no-such-task" in result.stderr
