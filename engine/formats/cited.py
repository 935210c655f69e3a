"""Citations in every format, said one way: the keys of a finding's sources (compact, for
terminal text) or each source in full with the rule's rationale (for reports read in full)."""

from __future__ import annotations

from govern.core import Finding


def source_keys(finding: Finding) -> str:
    """``sources: sole-24-ore, dev-community``; empty when the finding cites none."""
    return f"sources: {', '.join(s.key for s in finding.sources)}" if finding.sources else ""


def citation_lines(finding: Finding) -> list[str]:
    """The rule's rationale and source, and the card's sources of the facts it read."""
    parts = []
    if finding.rationale is not None:
        parts.append(f"why: {finding.rationale.text.strip()} ({finding.rationale.source})")
    for s in finding.sources:
        about = ", ".join(x for x in (s.title and f'"{s.title}"', s.author,
                                      s.date and s.date.isoformat()) if x)
        parts.append(f"source {s.key}: {s.publication}{', ' + about if about else ''} "
                     f"({', '.join(s.facts)})")
    return parts
