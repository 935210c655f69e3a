"""How a ``govern test`` run reads: text for a person, JSON for tools. Rendering only."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
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


def render_test_junit(run: TestRun, verbose: bool = False) -> str:
    """JUnit XML: a testsuite per test file, a testcase per case (named by the case, its class
    the file), failures with every difference; the rule coverage in ``system-out``."""
    counts = {"tests": str(len(run.results)), "failures": str(run.failed), "errors": "0",
              "skipped": "0", "time": "0"}
    suites = ET.Element("testsuites", {"name": "govern test", **counts})
    for file in dict.fromkeys(r.file for r in run.results):
        results = [r for r in run.results if r.file == file]
        suite = ET.SubElement(suites, "testsuite", {
            "name": file, "tests": str(len(results)),
            "failures": str(sum(not r.passed for r in results)), "errors": "0", "skipped": "0",
            "time": "0"})
        for result in results:
            where = {"line": str(result.line)} if result.line is not None else {}
            case = ET.SubElement(suite, "testcase", {
                "classname": file, "name": result.name, "file": file, **where, "time": "0"})
            if not result.passed:
                failure = ET.SubElement(case, "failure", {
                    "message": result.failures[0] if result.failures else "failed",
                    "type": "govern.policy-test"})
                failure.text = "\n".join(result.failures)
        # Coverage is the run's, not a file's; JUnit has no run-level output, so each suite
        # carries it and a CI page shows it whichever file it opens.
        ET.SubElement(suite, "system-out").text = "\n".join(_coverage_lines(run))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
