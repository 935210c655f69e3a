"""Does an OPA server hold exactly the local policy set? Compared on content, not on labels.

A bundle's revision and ``data.govern.policy_set.digest`` are labels anyone editing a bundle can
keep while changing a rule (deny -> warn). So govern reads back what decides: every module in a
``govern`` package (``GET /v1/policies``) and ``data.govern.policy_set``, and compares them with
what the local compiler gives for the local policy set: the same modules, byte for byte, and
the same data, value for value (numbers by exact decimal value, never ``true`` for ``1``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from govern.rego.bundle import ROOT
from govern.rego.compiler import CompiledPolicySet


def parse_answer(content: bytes, exact: bool = False) -> Any:
    """An answer's JSON; NaN and Infinity refused; with ``exact``, numbers as exact Decimals."""
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    try:
        return json.loads(content, parse_constant=refuse,
                          parse_float=Decimal if exact else float)
    except ValueError as e:  # JSONDecodeError, a bad constant, bytes that are not UTF-8
        raise ValueError(f"the answer is not valid JSON ({e})") from None


def modules_problem(listing: Any, compiled: CompiledPolicySet) -> str | None:
    """What differs between the server's govern modules (a GET /v1/policies answer) and the
    local compilation; None when they are the same."""
    held = _govern_modules(listing)
    if isinstance(held, str):
        return held
    matched: dict[str, list[str]] = {path: [] for path in compiled.modules}
    for module_id, (package, _) in sorted(held.items()):
        path = next((p for p in compiled.modules if module_id in (p, "/" + p)
                     or module_id.endswith("/" + p)), None)
        if path is None:
            return (f"the server has module {module_id} in package {package}, which is not "
                    "part of the local policy set")
        matched[path].append(module_id)
    for path, source in compiled.modules.items():
        ids = matched[path]
        if not ids:
            return f"module {path} is missing on the server"
        if len(ids) > 1:
            return f"the server has {len(ids)} modules for {path}: {', '.join(ids)}"
        if held[ids[0]][1] != source:
            return f"module {ids[0]} differs from the local compilation of {path}"
    return None


def _govern_modules(listing: Any) -> dict[str, tuple[str, str]] | str:
    """Module id -> (package, source) for every module in ``govern`` or a package below it."""
    modules = listing.get("result") if isinstance(listing, dict) else None
    if not isinstance(modules, list):
        return "the policy listing is not a list of modules"
    held: dict[str, tuple[str, str]] = {}
    for module in modules:
        module_id = module.get("id") if isinstance(module, dict) else None
        raw = module.get("raw") if isinstance(module, dict) else None
        package = _package(module.get("ast") if isinstance(module, dict) else None)
        if not isinstance(module_id, str) or not isinstance(raw, str) or package is None:
            return "the policy listing has a module without id, source or package"
        if package == ROOT or package.startswith(ROOT + "."):
            held[module_id] = (package, raw)
    return held


def _package(ast: Any) -> str | None:
    """``govern.rules`` from a module's AST (its package path after ``data``)."""
    terms = ast.get("package", {}).get("path") if isinstance(ast, dict) else None
    if not isinstance(terms, list) or not terms:
        return None
    names = [t.get("value") if isinstance(t, dict) else None for t in terms[1:]]
    if not all(isinstance(n, str) for n in names):
        return None
    return ".".join(names)  # type: ignore[arg-type]


def policy_data_problem(held: Any, compiled: CompiledPolicySet) -> str | None:
    """What differs between the server's ``data.govern.policy_set`` (parsed exactly) and the
    local one; None when they are the same."""
    local = parse_answer(json.dumps(compiled.policy_data).encode(), exact=True)
    return _difference(held, local, f"data.{ROOT}.policy_set")


def _difference(held: Any, local: Any, where: str) -> str | None:
    if isinstance(local, dict) and isinstance(held, dict):
        if held.keys() != local.keys():
            extra, missing = sorted(held.keys() - local.keys()), sorted(local.keys() - held.keys())
            return f"{where} has keys {extra} that the local policy set lacks, lacks {missing}"
        return next((d for key in local
                     if (d := _difference(held[key], local[key], f"{where}.{key}")) is not None),
                    None)
    if isinstance(local, list) and isinstance(held, list):
        if len(held) != len(local):
            return f"{where} has {len(held)} items on the server, {len(local)} locally"
        return next((d for i, (h, lo) in enumerate(zip(held, local, strict=True))
                     if (d := _difference(h, lo, f"{where}[{i}]")) is not None), None)
    if _same_scalar(held, local):
        return None
    return f"{where} is {_shown(held)} on the server, {_shown(local)} locally"


def _same_scalar(a: Any, b: Any) -> bool:
    numbers = (int, Decimal)
    if isinstance(a, bool) or isinstance(b, bool) or not (
            isinstance(a, numbers) and isinstance(b, numbers)):
        return type(a) is type(b) and a == b and not isinstance(a, (dict, list))
    return Decimal(a) == Decimal(b)


def _shown(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
