"""Licences as SPDX expressions: read, normalised, and approved against a profile's list.

The parsing is ``license-expression``'s (the SPDX licence list it ships, with its aliases:
``apache-2.0`` reads ``Apache-2.0``, ``GPL-2.0`` reads ``GPL-2.0-only``). What govern adds:

- ``LicenseRef-<idstring>`` (a licence with no SPDX id, e.g. a model's own community licence)
  is kept as written, with the prefix spelt ``LicenseRef-``; any other unknown id is refused
  with the closest known id.
- ``proprietary``, as the whole value, is a keyword of its own: closed weights under the
  vendor's terms. Inside an expression, write ``LicenseRef-proprietary``.
- A normalised expression is also given in *disjunctive normal form*: alternatives (OR) of
  terms, a term being every licence (AND) that must be complied with. This is the structured
  form govern hands to OPA (``rego/govern.rego`` cannot parse SPDX), and the one approval is
  computed on, so both engines judge the same data.

Approval: an expression is approved when one of its alternatives has every licence approved
(``MIT OR Apache-2.0`` needs either, ``MIT AND Apache-2.0`` needs both). ``L WITH E`` is
approved when ``L`` is (an SPDX exception only adds permissions to ``L``) or when the profile
lists ``L WITH E`` itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from license_expression import (
    AND,
    OR,
    ExpressionError,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
    Licensing,
    get_spdx_licensing,
)

from govern.errors import did_you_mean

PROPRIETARY = "proprietary"
"""The keyword for closed weights under the vendor's own terms; only as a whole value."""
MAX_EXPRESSION_CHARS = 500
"""Longer text is refused before parsing: no real licence expression comes near it."""
MAX_ALTERNATIVES = 64
"""An expression whose normal form has more alternatives than this is refused as unreadable
(``(A OR B) AND (C OR D) AND ...`` doubles with each clause)."""

_LICENSE_REF = re.compile(r"(?i)licenseref-([A-Za-z0-9.-]+)")
_IDSTRING = re.compile(r"[A-Za-z0-9.+-]+")

Atom = dict[str, str | None]
"""One licence to comply with: ``{"license": id, "exception": id or None}``."""
NormalForm = list[list[Atom]]
"""Alternatives (OR) of terms (AND) of atoms; sorted, so equal expressions give equal data."""


@functools.cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


@functools.cache
def _known() -> tuple[dict[str, str], dict[str, str]]:
    """Known licence ids and exception ids, by lowercase id."""
    licences: dict[str, str] = {}
    exceptions: dict[str, str] = {}
    for key, symbol in _licensing().known_symbols.items():
        (exceptions if symbol.is_exception else licences)[key.lower()] = key
    return licences, exceptions


def normalise(text: str) -> str:
    """The SPDX expression ``text`` in normal spelling; ValueError saying what is wrong."""
    return _parsed(text)[0]


def normal_form(expression: str) -> NormalForm:
    """The disjunctive normal form of a (normalised or not) expression."""
    return _parsed(expression)[1]


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> tuple[str, NormalForm]:
    stripped = text.strip()
    if stripped.lower() == PROPRIETARY:
        return PROPRIETARY, [[{"license": PROPRIETARY, "exception": None}]]
    if not stripped:
        raise ValueError("a licence expression is empty; leave the key out when unknown")
    if len(stripped) > MAX_EXPRESSION_CHARS:
        raise ValueError(f"a licence expression longer than {MAX_EXPRESSION_CHARS} characters")
    try:
        tree = _licensing().parse(stripped, validate=False, strict=True)
    except (ExpressionError, ValueError, TypeError) as e:
        raise ValueError(f"not an SPDX licence expression: {text!r} ({e})") from None
    if tree is None:
        raise ValueError(f"not an SPDX licence expression: {text!r}")
    form = _dnf(tree)
    if len(form) > MAX_ALTERNATIVES:
        raise ValueError(f"licence expression {text!r} has {len(form)} alternatives; "
                         f"at most {MAX_ALTERNATIVES} are read")
    return _render(tree, top=True), form


def _symbol_id(symbol: LicenseSymbol, exception: bool) -> str:
    """The normal spelling of one id; ValueError with a did-you-mean for an unknown one."""
    key = str(symbol.key)
    licences, exceptions = _known()
    known = exceptions if exception else licences
    if key.lower() in known:
        return known[key.lower()]
    ref = _LICENSE_REF.fullmatch(key)
    if ref is not None and not exception:
        return f"LicenseRef-{ref.group(1)}"
    what = "licence exception" if exception else "SPDX licence id"
    hint = did_you_mean(key, known.values())
    if not _IDSTRING.fullmatch(key):
        hint = " (ids are letters, digits, '.', '-' and '+'; join licences with AND, OR, WITH)"
    extra = "" if exception else "; a licence with no SPDX id is written LicenseRef-<name>"
    raise ValueError(f"unknown {what} '{key}'{hint}{extra}")


def _atom(node: Any) -> Atom:
    if isinstance(node, LicenseWithExceptionSymbol):
        return {"license": _symbol_id(node.license_symbol, exception=False),
                "exception": _symbol_id(node.exception_symbol, exception=True)}
    return {"license": _symbol_id(node, exception=False), "exception": None}


def _atom_text(atom: Atom) -> str:
    return str(atom["license"]) + (f" WITH {atom['exception']}" if atom["exception"] else "")


def _dnf(node: Any) -> NormalForm:
    if isinstance(node, OR):
        terms = [term for arg in node.args for term in _dnf(arg)]
    elif isinstance(node, AND):
        terms = [[]]
        for arg in node.args:
            terms = _sorted_unique(left + right for left in terms for right in _dnf(arg))
            if len(terms) > MAX_ALTERNATIVES:
                return terms
    else:
        terms = [[_atom(node)]]
    return _sorted_unique(terms)


def _sorted_unique(terms: Iterable[list[Atom]]) -> NormalForm:
    by_text: dict[tuple[str, ...], list[Atom]] = {}
    for term in terms:
        atoms = {_atom_text(a): a for a in term}
        by_text.setdefault(tuple(sorted(atoms)), [atoms[k] for k in sorted(atoms)])
    return [by_text[key] for key in sorted(by_text)]


def _render(node: Any, top: bool = False) -> str:
    if isinstance(node, AND | OR):
        word = " AND " if isinstance(node, AND) else " OR "
        text = word.join(_render(arg) for arg in node.args)
        return text if top else f"({text})"
    return _atom_text(_atom(node))


def approved_entry(text: str) -> str:
    """One entry of a profile's approved list: a single licence (``L``, ``L WITH E``,
    ``LicenseRef-…`` or ``proprietary``), normalised; AND/OR are refused (list each licence)."""
    expression, form = _parsed(text)
    if len(form) != 1 or len(form[0]) != 1:
        raise ValueError(f"'{text}' is an expression; list each approved licence on its own")
    return expression


def atom_approved(atom: Atom, approved: Sequence[str]) -> bool:
    """Whether the profile's list approves one licence (``L WITH E`` when ``L`` is approved)."""
    return atom["license"] in approved or _atom_text(atom) in approved


def form_approved(form: NormalForm, approved: Sequence[str]) -> bool:
    """Whether some alternative has every licence approved."""
    return any(all(atom_approved(a, approved) for a in term) for term in form)
