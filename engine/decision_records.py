"""Decision records: one JSON line per decision, appended to a log an auditor can verify.

Each line says when the decision was made (``timestamp``, the only clock reading, taken by the
CLI and passed in), by which govern, as of which date, and carries sha256 digests of every
record that went into it: the policy set, the model card, the task, the profile and the
waivers that matched. Digests are taken over the records' canonical JSON
(``govern.core.digest_of``), never over files or paths, so the same catalog copied to another
machine or directory gives the same digests, and an auditor can recompute them from the
records.

Lines are appended with ``O_APPEND`` and one ``write`` each, so several processes appending to
the same log never interleave within a line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govern import __version__
from govern.core import Decision, decision_document, digest_of
from govern.errors import InputError, Problem
from govern.loading.catalog import Catalog
from govern.records import Waiver

RECORD_FORMAT = 1
"""Version of the line format; bumped if a field changes meaning."""


def sha256_digest(records: Sequence[Any] | Any) -> str:
    """``sha256:<hex>`` of records' canonical JSON, the form every digest in a record takes."""
    return "sha256:" + digest_of(records)


def rfc3339(moment: dt.datetime) -> str:
    """A UTC timestamp as RFC 3339 with a ``Z`` suffix, to the millisecond."""
    if moment.tzinfo is None:
        raise ValueError("the decision timestamp must be timezone-aware")
    utc = moment.astimezone(dt.UTC)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _waivers_used(decision: Decision, catalog: Catalog) -> list[Waiver]:
    # The waivers that matched a finding (applied or expired) are the ones that shaped the
    # decision; waivers of other models or rules did not, and would make the digest change
    # whenever an unrelated waiver is added.
    known = catalog.waivers
    return [known[use.id] for use in decision.waivers]


def decision_record(decision: Decision, *, catalog: Catalog, as_of: dt.date, now: dt.datetime,
                    engine: str = "native") -> dict[str, Any]:
    """The record of one decision made from ``catalog``'s records, as a JSON-ready dict."""
    waivers = _waivers_used(decision, catalog)
    return {
        "record_format": RECORD_FORMAT,
        "timestamp": rfc3339(now),
        "govern_version": __version__,
        "engine": engine,
        "as_of": as_of.isoformat(),
        "input": {"model": decision.model, "task": decision.task, "profile": decision.profile,
                  "waivers": [w.id for w in waivers]},
        "digests": {
            "policy_set": decision.policy_set_digest,
            "model_card": sha256_digest(catalog.models[decision.model]),
            "task": sha256_digest(catalog.tasks[decision.task]),
            "profile": sha256_digest(catalog.profiles[decision.profile]),
            "waivers": sha256_digest(waivers),
        },
        "decision": decision_document(decision),
    }


def record_line(record: dict[str, Any]) -> bytes:
    """One record as one line: compact JSON (newlines inside strings are escaped) + newline."""
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def append_lines(path: Path, lines: Sequence[bytes]) -> None:
    """Append whole lines to ``path``, creating it if needed; each line in one ``write``.

    With ``O_APPEND`` the kernel moves to the end of the file and writes atomically for each
    call, so concurrent writers' lines land one after another, never mixed within a line.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as e:
        raise InputError(Problem(str(path), None, None, "--record",
                                 f"cannot open the decision log: {e.strerror}")) from e
    try:
        for line in lines:
            written = os.write(fd, line)
            if written != len(line):
                # A short write on a regular file means the disk is full or a quota was hit:
                # report it rather than leave a half line for the next writer to run into.
                raise OSError(f"short write to {path}: {written} of {len(line)} bytes")
    finally:
        os.close(fd)


def append_decision_records(path: Path, decisions: Sequence[Decision], *, catalog: Catalog,
                            as_of: dt.date, now: dt.datetime, engine: str = "native") -> None:
    """Append one record line per decision to the log at ``path``.

    ``decisions`` must have been made from ``catalog``'s records (their model, task, profile
    and waiver ids are looked up there to digest the records themselves). ``now`` is the
    timezone-aware moment of the decision, read from the clock by the caller.
    """
    lines = [record_line(decision_record(d, catalog=catalog, as_of=as_of, now=now,
                                         engine=engine))
             for d in decisions]
    append_lines(path, lines)
