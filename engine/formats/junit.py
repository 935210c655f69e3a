"""JUnit XML: one testcase per (manifest entry, task), so CI systems that show test results
(GitLab, Jenkins, Azure) show each intended model use as a passing or failing test. A test is
named by the entry's stable identity and the pair (``review-bot: glm-5.2 / refactoring / api via
Z.ai``), so two entries never share a name and test history follows an entry when lines move.

Failures carry the reasons and findings as text; the cost per task (with its basis, and the
cheapest allowed option), obligations, warnings and waivers go to the testcase's ``system-out``. Built with ElementTree, so escaping is the library's job.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from govern.check.report import CheckReport, EntryResult
from govern.formats.cited import citation_lines
from govern.formats.costs import cost_line, entry_option


def _details(entry: EntryResult) -> list[str]:
    cost = cost_line(entry.decision, entry_option(entry.decision, entry.option_index),
                     with_basis=True)
    lines = [cost] if cost else []
    lines += [f"obligation {o.obligation} ({o.rule}): {o.message}" for o in entry.obligations]
    lines += [line for f in entry.denials for line in
              [f"denied by {f.rule} ({f.severity}): {f.message}", *citation_lines(f)]]
    lines += [line for f in entry.warnings for line in
              [f"warning {f.rule} ({f.severity}): {f.message}", *citation_lines(f)]]
    lines += [f"waived {f.rule} by {f.waiver.id} ({f.waiver.owner}, until {f.waiver.expires}, "
              f"{f.waiver.reference}): {f.waiver.reason}" for f in entry.waived if f.waiver]
    return lines


def _testcase(entry: EntryResult, manifest: str) -> ET.Element:
    case = ET.Element("testcase", {"classname": manifest, "name": entry.title,
                                   "file": manifest, "line": str(entry.line), "time": "0"})
    if entry.status == "fail":
        failure = ET.SubElement(case, "failure", {"message": entry.reasons[0],
                                                  "type": entry.rule or "govern"})
        failure.text = "\n".join(entry.reasons)
    details = [*entry.reasons[:1], *_details(entry)] if entry.status == "pass" else \
        _details(entry)
    if details:
        ET.SubElement(case, "system-out").text = "\n".join(details)
    return case


def _waiver_lines(report: CheckReport) -> str:
    return "\n".join(f"waiver {w.id} ({w.rule}): {w.status}, owner {w.owner}, until {w.expires}, "
                     f"{w.reference}: {w.reason}" for w in report.waivers)


def render_check_junit(report: CheckReport) -> str:
    counts = {"tests": str(report.summary.checks), "failures": str(report.summary.failed),
              "errors": "0", "skipped": "0", "time": "0"}
    suites = ET.Element("testsuites", {"name": "govern check", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": f"govern check {report.manifest}",
                                                **counts})
    properties = ET.SubElement(suite, "properties")
    for name, value in (("as_of", report.as_of.isoformat()), ("profile", report.profile),
                        ("policy_set_digest", report.policy_set_digest),
                        ("fail_on", report.fail_on), ("govern_version", report.version)):
        ET.SubElement(properties, "property", {"name": name, "value": value})
    for entry in report.entries:
        suite.append(_testcase(entry, report.manifest))
    if report.waivers:
        ET.SubElement(suite, "system-out").text = _waiver_lines(report)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
