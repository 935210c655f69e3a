"""OPA bundles of govern's policies: the same bytes for the same catalog, on every machine.

Layout (``opa run --server --bundle bundle.tar.gz`` loads it as is)::

    /.manifest               {"revision": <policy-set digest>, "roots": ["govern"], ...}
    /data.json               {"govern": {"policy_set": ..., "catalog": ...}}
    /govern/govern.rego      entry points data.govern.decision / decisions (static)
    /govern/conditions.rego  operators, Kleene logic, message rendering (static)
    /govern/rules.rego       one function per YAML rule (generated)
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path
from typing import Any

from govern.loading.catalog import Catalog
from govern.rego.compiler import CompiledPolicySet, compile_policy_set

ROOT = "govern"


def catalog_data(catalog: Catalog) -> dict[str, Any]:
    """``data.govern.catalog``: every record in its JSON form, by kind and id."""
    return {
        kind: {record_id: loaded.record.model_dump(mode="json", by_alias=True)
               for record_id, loaded in records.items()}
        for kind, records in catalog.records.items()
        if kind != "policies"  # policies are compiled into the modules and policy_set
    }


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
    manifest = {"revision": compiled.digest, "roots": [ROOT], "rego_version": 1}
    files = {".manifest": _json_bytes(manifest),
             "data.json": _json_bytes(bundle_data(compiled, catalog))}
    files.update({path: source.encode() for path, source in compiled.modules.items()})
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
