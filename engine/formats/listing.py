"""``govern list``: what the catalog holds, one aligned line per record, rule or fact, or the
same items as JSON (``--format json``).

``LISTINGS`` maps each listable kind to how its items are built and shown, so the CLI's choices
and its dispatch come from one table. An item is a flat JSON object with typed values (``null``
where a fact is unknown); the text line is drawn from the item, so both formats always list
the same things in the same order. A listing takes a function that loads the catalog, so
listing facts (which need no catalog) reads no files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from govern.facts import FACTS
from govern.loading.catalog import Catalog

Rows = list[list[str]]
Item = dict[str, Any]
"""One listed thing as JSON: keys are the same for every item of a listing."""


def aligned(rows: Rows) -> list[str]:
    """Rows of cells as lines, each column as wide as its widest cell."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))] if rows else []
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


_OPEN = {True: "open weights", False: "closed weights", None: "openness unknown"}


def _models(catalog: Catalog) -> list[Item]:
    return [{"id": m.id, "vendor": m.vendor.name, "license": m.license,
             "open_weights": m.open_weights, "availability": m.revocation.status}
            for m in catalog.models.values()]


def _model_row(m: Item) -> list[str]:
    return [m["id"], m["vendor"] or "vendor unknown", m["license"] or "licence unknown",
            _OPEN[m["open_weights"]], m["availability"] or "availability unknown"]


def _tasks(catalog: Catalog) -> list[Item]:
    return [{"id": t.id, "risk_tier": t.risk_tier, "business_critical": t.business_critical,
             "data_classes": list(t.data_classes), "name": t.name}
            for t in catalog.tasks.values()]


def _task_row(t: Item) -> list[str]:
    return [t["id"], f"{t['risk_tier']} risk",
            "business-critical" if t["business_critical"] else "-", ", ".join(t["data_classes"])]


def _profiles(catalog: Catalog) -> list[Item]:
    return [{"id": p.id, "home_jurisdiction": p.home_jurisdiction,
             "preference": list(p.preference),
             "self_host_accelerator_memory_gb": p.self_host.accelerator_memory_gb,
             "name": p.name}
            for p in catalog.profiles.values()]


def _profile_row(p: Item) -> list[str]:
    return [p["id"], p["home_jurisdiction"], "prefers " + " > ".join(p["preference"]),
            f"{p['self_host_accelerator_memory_gb']:g} GB to self-host", p["name"]]


def _policies(catalog: Catalog) -> list[Item]:
    return [{"id": p.id, "rules": len(p.rules), "title": p.title}
            for p in catalog.policies.values()]


def _policy_row(p: Item) -> list[str]:
    return [p["id"], f"{p['rules']} rule(s)", p["title"]]


def _rules(catalog: Catalog) -> list[Item]:
    return [{"id": c.rule.id, "effect": c.rule.effect, "severity": c.rule.severity,
             "policy": c.policy} for c in catalog.policy_set.rules]


def _rule_row(r: Item) -> list[str]:
    return [r["id"], r["effect"], r["severity"], r["policy"]]


def _facts(_: Catalog) -> list[Item]:
    return [{"path": path, "type": spec.type, "description": spec.description}
            for path, spec in FACTS.items()]


def _facts_lines(items: list[Item]) -> list[str]:
    return [f"{f['path']:<52} {f['type']:<8} {f['description']}".rstrip() for f in items]


def _table(row: Callable[[Item], list[str]]) -> Callable[[list[Item]], list[str]]:
    return lambda items: aligned([row(item) for item in items])


@dataclass(frozen=True)
class Listing:
    """One ``govern list`` kind: its items from a catalog, and their text lines."""

    items: Callable[[Catalog], list[Item]]
    lines: Callable[[list[Item]], list[str]]
    needs_catalog: bool = True
    """False for facts: they come from the records' types, so no catalog file is read."""

    def load(self, open_catalog: Callable[[], Catalog]) -> list[Item]:
        return self.items(open_catalog() if self.needs_catalog else Catalog())


LISTINGS: dict[str, Listing] = {
    "models": Listing(_models, _table(_model_row)),
    "tasks": Listing(_tasks, _table(_task_row)),
    "profiles": Listing(_profiles, _table(_profile_row)),
    "policies": Listing(_policies, _table(_policy_row)),
    "rules": Listing(_rules, _table(_rule_row)),
    "facts": Listing(_facts, _facts_lines, needs_catalog=False),
}
"""``govern list`` kinds, in the order ``--help`` shows them."""

LIST_FORMATS = ("text", "json")


def render_listing(what: str, open_catalog: Callable[[], Catalog], format_name: str) -> str:
    """The listing of ``what`` as text lines or as a JSON array of items."""
    listing = LISTINGS[what]
    items = listing.load(open_catalog)
    if format_name == "json":
        return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
    return "".join(line + "\n" for line in listing.lines(items))
