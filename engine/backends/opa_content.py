"""Does an OPA server hold exactly the local policy set? Compared on content, not on labels.

A bundle's revision and ``data.govern.policy_set.digest`` are labels anyone editing a bundle can
keep while changing a rule (deny -> warn). So govern reads back what decides: every module in a
``govern`` package (``GET /v1/policies``) and ``data.govern.policy_set``, and compares them with
what the local compiler gives for the local policy set: the same modules, byte for byte, and
the same data, value for value (numbers by exact decimal value, never ``true`` for ``1``).
Data is read back through the Compile API (``readback_query``), which OPA does not
decision-log, so these checks add no events to a server's decision log.
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


# ---------------------------------------------------------------- reading data back, unlogged


def readback_query(ref: str) -> dict[str, Any]:
    """A Compile API request whose answer holds the value of ``data.<ref>``.

    The Data API logs every read (``GET /v1/data/...``) as a decision, so checking the server's
    data that way would put one extra event, holding the whole policy set or catalog, into the
    decision log per check. Partial evaluation (``POST /v1/compile``) is not decision-logged
    (open-policy-agent/opa#3822): with ``input.value`` unknown, OPA answers the query
    ``input.value = data.<ref>`` with the residual ``input.value = <the value>``.
    """
    if not all(part.isidentifier() for part in ref.split(".")):  # pragma: no cover
        raise ValueError(f"not a data reference: {ref!r}")
    return {"query": f"input.value = data.{ref}", "unknowns": ["input.value"]}


def readback_value(answer: Any, ref: str) -> tuple[bool, Any]:
    """(defined, value) of ``data.<ref>`` from a ``readback_query`` answer (parsed exactly);
    ValueError when the answer is not one residual equality with a plain value."""
    result = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(result, dict):
        raise TypeError(f"the answer for data.{ref} has no result")
    queries = result.get("queries")
    if queries is None:
        return False, None  # no residual query: data.<ref> is undefined
    if not (isinstance(queries, list) and len(queries) == 1 and isinstance(queries[0], list)
            and len(queries[0]) == 1 and isinstance(queries[0][0], dict)):
        raise ValueError(f"data.{ref} did not evaluate to one value")
    terms = queries[0][0].get("terms")
    if not (isinstance(terms, list) and len(terms) == 3):
        raise ValueError(f"data.{ref} did not evaluate to one value")
    operands = [t for t in terms[1:] if not _is_input_value(t)]
    if len(operands) != 1 or terms[0] != _EQ:
        raise ValueError(f"data.{ref} did not evaluate to one value")
    return True, term_value(operands[0])


_EQ = {"type": "ref", "value": [{"type": "var", "value": "eq"}]}


def _is_input_value(term: Any) -> bool:
    return bool(term == {"type": "ref", "value": [{"type": "var", "value": "input"},
                                             {"type": "string", "value": "value"}]})


def term_value(term: Any) -> Any:
    """The JSON value of an OPA AST term (numbers stay exact); ValueError for anything else."""
    kind = term.get("type") if isinstance(term, dict) else None
    value = term.get("value") if isinstance(term, dict) else None
    if kind == "null":
        return None
    if kind in ("boolean", "string", "number") and _scalar_fits(kind, value):
        return value
    if kind == "array" and isinstance(value, list):
        return [term_value(item) for item in value]
    if kind == "object" and isinstance(value, list):
        pairs = [(term_value(pair[0]), term_value(pair[1])) for pair in value
                 if isinstance(pair, list) and len(pair) == 2]
        if len(pairs) != len(value) or not all(isinstance(k, str) for k, _ in pairs):
            raise ValueError("an object term with a key that is not a string")
        return dict(pairs)
    raise ValueError(f"a {kind} term is not a plain value")


def _scalar_fits(kind: str, value: Any) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def record_problem(held: Any, local: Any, where: str) -> str | None:
    """What differs between a record the server holds (parsed exactly) and the local one."""
    return _difference(held, parse_answer(json.dumps(local).encode(), exact=True), where)
