"""OPA bundles of govern's policies: the same bytes for the same catalog, on every machine.

Layout (``opa run --server --bundle bundle.tar.gz`` loads it as is)::

    /.manifest               {"revision": <policy-set digest>, "roots": ["govern"], ...}
    /data.json               {"govern": {"policy_set": ..., "catalog": ...}}
    /govern/govern.rego      entry points data.govern.decision / decisions (static)
    /govern/conditions.rego  operators, Kleene logic, message rendering (static)
    /govern/rules.rego       one function per YAML rule (generated)
    /govern_test/decision_test.rego  `opa test` tests of data.govern.decision (static)

The tests live in their own root (``govern_test``, with their data: cases the native engine
decided at build time) so that nothing on the decision path reads them, and ship in the served
bundle too: a bundle unpacked anywhere passes ``opa test .`` with tests, never with zero.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import tarfile
from pathlib import Path
from typing import Any

from govern.backends import DecisionRequest
from govern.backends.native import NativeBackend
from govern.core import Decision
from govern.loading.catalog import DEFAULT_PROFILE, Catalog
from govern.rego.compiler import CompiledPolicySet, compile_policy_set, static_module

ROOT = "govern"
TEST_ROOT = "govern_test"
"""The root of the `opa test` module and its examples: outside ``govern``, off the decision path."""
TEST_MODULE = f"{TEST_ROOT}/decision_test.rego"
EXAMPLES = 8
"""Cases in the test examples: decision_test.rego has one test per case (test_example_1..8)."""
EXAMPLES_FALLBACK_DATE = dt.date(2026, 1, 1)
"""The examples' date for a catalog without model cards (any fixed date would do)."""


def catalog_data(catalog: Catalog) -> dict[str, Any]:
    """``data.govern.catalog``: every record in its JSON form, by kind and id."""
    return {
        kind: {record_id: loaded.record.model_dump(mode="json", by_alias=True)
               for record_id, loaded in records.items()}
        for kind, records in catalog.records.items()
        if kind != "policies"  # policies are compiled into the modules and policy_set
    }


def examples_data(catalog: Catalog) -> dict[str, Any]:
    """``data.govern_test.examples``: the cases the `opa test` module checks, as the native
    engine decides them on the newest card's ``as_of`` (a date from the catalog, so the bytes
    stay stable)."""
    as_of = max((card.as_of for card in catalog.models.values()), default=EXAMPLES_FALLBACK_DATE)
    profiles = sorted(catalog.profiles.values(), key=lambda p: p.id != DEFAULT_PROFILE)
    requests = [DecisionRequest(model, task, profile) for profile in profiles
                for model in catalog.models.values() for task in catalog.tasks.values()]
    decided = NativeBackend().decide(requests, catalog.policy_set, as_of,
                                     list(catalog.waivers.values()))
    return {"as_of": as_of.isoformat(), "cases": [{
        "input": {"model": d.model, "task": d.task, "profile": d.profile,
                  "as_of": as_of.isoformat()},
        "expected": {"recommendation": d.recommendation,
                     "options": [[o.deployment, o.provider, o.verdict] for o in d.options]},
    } for d in covering_examples(decided, EXAMPLES)]}


def _features(decision: Decision) -> set[tuple[str | None, ...]]:
    return {("recommendation", decision.recommendation)} | {
        (option.deployment, option.verdict, finding.rule, finding.effect)
        for option in decision.options for finding in option.findings}


def covering_examples(decided: list[Decision], limit: int) -> list[Decision]:
    """Up to ``limit`` decisions, each chosen for covering the most recommendations and
    (deployment, verdict, rule, effect) not covered yet; the first such in ``decided`` wins."""
    chosen: list[Decision] = []
    covered: set[tuple[str | None, ...]] = set()
    while len(chosen) < limit and decided:
        best = max(decided, key=lambda d: len(_features(d) - covered))
        if not _features(best) - covered:
            break
        chosen.append(best)
        covered |= _features(best)
    return chosen


def bundle_data(compiled: CompiledPolicySet, catalog: Catalog | None) -> dict[str, Any]:
    data: dict[str, Any] = {"policy_set": compiled.policy_data}
    if catalog is not None:
        data["catalog"] = catalog_data(catalog)
    return {ROOT: data}


def _json_bytes(value: Any) -> bytes:
    # sorted keys and a fixed layout: the bundle's bytes depend on the catalog only
    return (json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def bundle_files(catalog: Catalog) -> dict[str, bytes]:
    """Every file of the bundle, by path inside it."""
    compiled = compile_policy_set(catalog.policy_set)
    manifest = {"revision": compiled.digest, "roots": [ROOT, TEST_ROOT], "rego_version": 1}
    data = {**bundle_data(compiled, catalog), TEST_ROOT: {"examples": examples_data(catalog)}}
    files = {".manifest": _json_bytes(manifest), "data.json": _json_bytes(data)}
    files.update({path: source.encode() for path, source in compiled.modules.items()})
    files[TEST_MODULE] = static_module("decision_test.rego").encode()
    return files


def build_bundle(catalog: Catalog) -> bytes:
    """The bundle as a .tar.gz: sorted entries, zero mtimes and owners, gzip mtime 0."""
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, content in sorted(bundle_files(catalog).items()):
            info = tarfile.TarInfo(path)
            info.size = len(content)
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(content))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz:
        gz.write(tar_buffer.getvalue())
    return out.getvalue()


def export_rego(catalog: Catalog, directory: Path) -> list[Path]:
    """Write the bundle's files (modules, data.json, .manifest) under ``directory``."""
    files = bundle_files(catalog)  # everything built before the first file is opened
    written = []
    for path, content in sorted(files.items()):
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written.append(target)
    return written
