"""``govern rank`` as text, JSON or Markdown: the ranking only renders here."""

from __future__ import annotations

from collections.abc import Callable

from govern.core import deployment_label, render_value
from govern.formats.json_format import dumps
from govern.ranking import RankedOption, Ranking


def _cost(entry: RankedOption) -> str:
    return "unknown" if entry.cost_per_task_usd is None else f"${render_value(entry.cost_per_task_usd)}"


def _place(entry: RankedOption) -> str:
    return "-" if entry.rank is None else str(entry.rank)


def _label(entry: RankedOption) -> str:
    return (f"{entry.model} {deployment_label(entry.deployment, entry.provider)}"
            + (" (recommended)" if entry.recommended else ""))


def render_ranking_text(ranking: Ranking) -> str:
    lines = [(f"allowed options for {ranking.task}, cheapest per task first  (profile "
             f"{ranking.profile}, as of {ranking.as_of})"), ""]
    if not ranking.options:
        lines.append("  no model has an allowed option for this task")
    for entry in ranking.options:
        lines.append(f"  {_place(entry):>3}  {_cost(entry):<14} {_label(entry)}")
        lines.append(f"{'':>21}{entry.basis}")
    if ranking.disallowed_models:
        lines += ["", f"disallowed: {', '.join(ranking.disallowed_models)}"]
    lines += ["", f"policy set {ranking.policy_set_digest}"]
    return "\n".join(lines) + "\n"


def render_ranking_json(ranking: Ranking) -> str:
    return dumps(ranking.model_dump(mode="json"))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def render_ranking_markdown(ranking: Ranking) -> str:
    lines = [f"## Allowed options for {ranking.task}, cheapest per task first", "",
             (f"Profile **{ranking.profile}**, as of {ranking.as_of}; policy set "
             f"{ranking.policy_set_digest}."), "",
             "| Rank | Cost per task | Option | Basis |", "|---|---|---|---|"]
    lines += [f"| {_place(e)} | {_cost(e)} | {_cell(_label(e))} | {_cell(e.basis)} |"
              for e in ranking.options]
    if ranking.disallowed_models:
        lines += ["", f"Disallowed: {', '.join(ranking.disallowed_models)}."]
    return "\n".join(lines) + "\n"


RANK_FORMATS: dict[str, Callable[[Ranking], str]] = {
    "text": render_ranking_text,
    "json": render_ranking_json,
    "markdown": render_ranking_markdown,
}
