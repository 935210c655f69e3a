"""``govern list``: what the catalog holds, one aligned line per record, rule or fact.

``LISTINGS`` maps each listable kind to the lines it prints, so the CLI's choices and its
dispatch come from one table. A listing takes a function that loads the catalog, so listing
facts (which need no catalog) reads no files.
"""

from __future__ import annotations

from collections.abc import Callable

from govern.facts import FACTS
from govern.loading.catalog import Catalog

Rows = list[list[str]]
Listing = Callable[[Callable[[], Catalog]], list[str]]
"""(a function that loads the catalog) -> the lines to print."""


def aligned(rows: Rows) -> list[str]:
    """Rows of cells as lines, each column as wide as its widest cell."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))] if rows else []
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


_OPEN = {True: "open weights", False: "closed weights", None: "openness unknown"}


def _models(catalog: Catalog) -> Rows:
    return [[m.id, m.vendor.name or "vendor unknown", m.license or "licence unknown",
             _OPEN[m.open_weights], m.revocation.status or "availability unknown"]
            for m in catalog.models.values()]


def _tasks(catalog: Catalog) -> Rows:
    return [[t.id, f"{t.risk_tier} risk", "business-critical" if t.business_critical else "-",
             ", ".join(t.data_classes)] for t in catalog.tasks.values()]


def _profiles(catalog: Catalog) -> Rows:
    return [[p.id, p.home_jurisdiction, "prefers " + " > ".join(p.preference),
             f"{p.self_host.accelerator_memory_gb:g} GB to self-host", p.name]
            for p in catalog.profiles.values()]


def _policies(catalog: Catalog) -> Rows:
    return [[p.id, f"{len(p.rules)} rule(s)", p.title] for p in catalog.policies.values()]


def _rules(catalog: Catalog) -> Rows:
    return [[c.rule.id, c.rule.effect, c.rule.severity, c.policy]
            for c in catalog.policy_set.rules]


def _catalog_listing(rows: Callable[[Catalog], Rows]) -> Listing:
    return lambda open_catalog: aligned(rows(open_catalog()))


def _facts(_: Callable[[], Catalog]) -> list[str]:
    return [f"{path:<52} {spec.type:<8} {spec.description}".rstrip()
            for path, spec in FACTS.items()]


LISTINGS: dict[str, Listing] = {
    "models": _catalog_listing(_models),
    "tasks": _catalog_listing(_tasks),
    "profiles": _catalog_listing(_profiles),
    "policies": _catalog_listing(_policies),
    "rules": _catalog_listing(_rules),
    "facts": _facts,
}
"""``govern list`` kinds, in the order ``--help`` shows them, and the lines each prints."""
