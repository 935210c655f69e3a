"""Cost per task in every format, said one way: an option's cost and which allowed option is
cheapest (``OptionDecision.cost_per_task`` and ``cheapest``).

Text formats show it compactly (the dollars, or what is unknown); ``with_basis`` gives the
formula with its numbers and sources, for formats read in full (JUnit output, HTML, evaluate).
"""

from __future__ import annotations

from govern.core import CostPerTask, Decision, OptionDecision, render_value


def cost_amount(cost: CostPerTask) -> str:
    """``$0.2452``; when unknown, the basis, which names the unknown facts."""
    return cost.basis if cost.usd is None else f"${render_value(cost.usd)}"


def cost_text(cost: CostPerTask, with_basis: bool = True) -> str:
    """``cost per task: …``: the basis (which ends with the dollars when known) or the amount."""
    return f"cost per task: {cost.basis if with_basis else cost_amount(cost)}"


def cost_note(cost: CostPerTask, cheapest: bool, with_basis: bool = True) -> str:
    """``cost per task: …``, marked when the option is the cheapest allowed one."""
    return cost_text(cost, with_basis) + (" (the cheapest allowed option)" if cheapest else "")


def cheapest_option(decision: Decision) -> OptionDecision | None:
    """The cheapest allowed option, when there is one (two or more allowed, all costs known)."""
    return next((o for o in decision.options if o.cheapest), None)


def cost_line(decision: Decision, option: OptionDecision | None,
              with_basis: bool = False) -> str | None:
    """One line on what ``option`` (the one a report is about) costs per task and which allowed
    option is cheapest: ``cost per task: $0.2452 (the cheapest allowed option)`` or
    ``cost per task: $0.90; cheapest allowed option: api via Z.ai ($0.2452)``. None when
    neither is known (a self-host option, and no cheapest)."""
    parts = []
    if option is not None and option.cost_per_task is not None:
        parts.append(cost_note(option.cost_per_task, option.cheapest, with_basis))
    cheapest = cheapest_option(decision)
    if cheapest is not None and cheapest is not option and cheapest.cost_per_task is not None:
        parts.append(f"cheapest allowed option: {cheapest.label} "
                     f"({cost_amount(cheapest.cost_per_task)})")
    return "; ".join(parts) or None


def entry_option(decision: Decision, index: int | None) -> OptionDecision | None:
    """The option a check entry intends, by its index in the decision (None: unavailable)."""
    return None if index is None else decision.options[index]
