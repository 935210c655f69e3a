"""How a ``govern test`` run reads: text for a person, JSON for tools. Rendering only."""

from __future__ import annotations

import json
from typing import Any

from govern.policy_tests.runner import TestRun


def _coverage_lines(run: TestRun) -> list[str]:
    fired = run.rules_total - len(run.uncovered)
    lines = [f"coverage: {fired}/{run.rules_total} rules fired"]
    width = max((len(c.policy) for c in run.coverage), default=0)
    for policy in run.coverage:
        line = f"  {policy.policy:<{width}}  {len(policy.fired)}/{len(policy.rules)}"
        if policy.uncovered:
            line += f"  not fired: {', '.join(policy.uncovered)}"
        lines.append(line)
    return lines


def render_test_text(run: TestRun, verbose: bool = False) -> str:
    """A line per failing case (every case with ``verbose``), its differences, then coverage
    and the summary."""
    lines: list[str] = []
    for result in run.results:
        if result.passed:
            if verbose:
                lines.append(f"ok   {result.where}  {result.name}")
            continue
        lines.append(f"FAIL {result.where}  {result.name}")
        lines.extend(f"       {failure}" for failure in result.failures)
    if lines:
        lines.append("")
    lines.extend(_coverage_lines(run))
    lines.append(f"{run.passed} passed, {run.failed} failed")
    return "\n".join(lines) + "\n"


def run_document(run: TestRun) -> dict[str, Any]:
    return {
        "passed": run.passed,
        "failed": run.failed,
        "cases": [{"file": r.file, "line": r.line, "name": r.name, "passed": r.passed,
                   "failures": list(r.failures), "fired": sorted(r.fired)}
                  for r in run.results],
        "coverage": {
            "rules": run.rules_total,
            "fired": run.rules_total - len(run.uncovered),
            "uncovered": list(run.uncovered),
            "policies": [{"policy": c.policy, "rules": list(c.rules), "fired": list(c.fired),
                          "uncovered": list(c.uncovered)} for c in run.coverage],
        },
    }


def render_test_json(run: TestRun, verbose: bool = False) -> str:
    return json.dumps(run_document(run), indent=2, ensure_ascii=False) + "\n"

