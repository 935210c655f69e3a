"""``govern import hf``: a Hugging Face model card's metadata as a draft govern model card.

The README's YAML front matter is read with ``huggingface_hub`` (``ModelCard`` /
``ModelCardData``), from the local file only (no network). What the card states is mapped:

- ``license`` as an SPDX expression (``apache-2.0`` -> ``Apache-2.0``); Hugging Face's
  ``other`` with ``license_name`` -> ``LicenseRef-<license_name>``; a Hugging Face licence id
  that is no SPDX id (``llama3.1``, ``gemma``) -> ``LicenseRef-<id>``; no licence -> unknown.
- ``base_model`` (one or more Hugging Face repo ids) -> card ids (the repo's name, lowercased);
  a base without a card in the catalog stays unknown, and the licence rules fail closed on it.
- ``model-index`` results -> ``benchmarks``, each citing the result's source, or the card.
- the card itself -> ``sources``.

Every fact the card does not state (vendor and its jurisdiction, API offerings, revocation,
size, self-hosting) is left out, so it reads as unknown, with a YAML comment saying so. The
text written is checked by govern's own loader before it is returned.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from govern.errors import EngineError, InputError, Problem
from govern.licences import PROPRIETARY, normalise
from govern.loading.catalog import check_record
from govern.loading.yaml_source import parse_yaml
from govern.numbers import number_problem
from govern.records import ModelCard

_FRONT_MATTER = re.compile(r"^(\s*---[\r\n]+)([\S\s]*?)([\r\n]+---(\r\n|\n|$))")
"""Where ``huggingface_hub`` finds the metadata block (its REGEX_YAML_BLOCK)."""
_ID_CHARS = re.compile(r"[^a-z0-9._-]+")
_CARD_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
"""govern.fieldtypes.RecordId's pattern."""


@dataclass
class DraftCard:
    """A govern model card as lines of YAML, each fact with the comment that explains it."""

    lines: list[str] = field(default_factory=list)

    def key(self, name: str, value: Any, comment: str | None = None) -> None:
        self.lines.append(f"{name}: {_flow(value)}"
                          + (f"  # {_one_line(comment)}" if comment else ""))

    def unknown(self, name: str, why: str) -> None:
        self.lines.append(f"# {name}: unknown - {_one_line(why)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _one_line(text: str) -> str:
    """Card text inside a YAML comment: a line break would end the comment and start YAML."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f\x85\u2028\u2029]", " ", text).split())


def _flow(value: Any) -> str:
    """A value as YAML flow text: JSON is valid YAML, and quotes every string, so no text
    from the card can read as a number, a date, a boolean or a comment. Numbers are written
    as plain decimals (govern's number grammar), never with an exponent."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return json.dumps(value, ensure_ascii=True)


def _plain_number(value: Any) -> float | None:
    """A model-index metric value govern can hold as a number, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value):
        return None
    shown = format(Decimal(repr(float(value))), "f")
    return float(value) if number_problem(shown) is None else None


def import_hf_card(text: str, file: str, card_id: str | None, as_of: dt.date) -> str:
    """The govern model card (YAML text) for a Hugging Face README's ``text``."""
    data = _card_data(text, file)
    name = _model_name(data, text) or card_id
    card_id = card_id or _slug(name or "")
    if not card_id or not name:
        raise InputError(Problem(file, None, None, "--id", "the card names no model; give "
                                                           "--id ID"))
    if not _CARD_ID.fullmatch(card_id):
        raise InputError(Problem("-", None, None, "--id", f"'{card_id}' is no card id: "
                                 "lowercase letters, digits, '.', '_' and '-', up to 64"))
    draft = DraftCard()
    draft.lines.append(f"# Imported by `govern import hf` from {_one_line(file)} (Hugging Face "
                       "model card metadata).")
    draft.lines.append("# Facts the Hugging Face card does not state are left out: govern "
                       "reads them as unknown.")
    draft.key("id", card_id)
    draft.key("name", name)
    draft.lines.append("vendor: {}  # unknown - the card names neither the vendor nor its "
                       "jurisdiction")
    _licence(draft, data)
    _bases(draft, data)
    draft.unknown("open_weights", "a Hugging Face repository usually holds the weights; check "
                                  "its files and any gating, then set it")
    draft.unknown("parameters, context_window_tokens", "not in the card's metadata")
    draft.lines.append("api_offerings: []  # unknown - the card lists no hosted endpoint")
    draft.unknown("kv_cache", "no KV-cache geometry in the card's metadata")
    draft.unknown("revocation", "the card says nothing about suspension or government "
                                "revocation")
    _benchmarks(draft, data)
    draft.key("as_of", as_of.isoformat(), "the date of the import")
    draft.lines.append("sources:")
    draft.lines.append(f"  - {_flow({'publication': 'Hugging Face model card', 'title': name})}")
    return _checked(draft.text(), card_id, file)


def _card_data(text: str, file: str) -> dict[str, Any]:
    try:
        from huggingface_hub import ModelCard as HfModelCard
    except ImportError:
        raise InputError(Problem(file, None, None, "-", "govern import hf needs huggingface_hub:"
                                 " pip install 'govern[hf]'")) from None
    if _FRONT_MATTER.search(text) is None:
        raise InputError(Problem(file, 1, 1, "-", "no YAML front matter (a block between '---' "
                                                  "lines at the top): not a Hugging Face model "
                                                  "card"))
    try:
        card = HfModelCard(text, ignore_metadata_errors=False)
    except Exception as e:  # noqa: BLE001 - yaml errors and huggingface_hub's ValueErrors
        raise InputError(_front_matter_problem(text, file, e)) from None
    card_data: Any = card.data  # huggingface_hub leaves to_dict untyped
    data: dict[str, Any] = card_data.to_dict()
    data["eval_results"] = list(getattr(card.data, "eval_results", None) or [])
    return data


def _front_matter_problem(text: str, file: str, error: Exception) -> Problem:
    """The problem at its line in the README (YAML marks count from the block's first line)."""
    mark = getattr(error, "problem_mark", None)
    match = _FRONT_MATTER.search(text)
    offset = match.group(1).count("\n") if match else 0
    summary = " ".join(str(getattr(error, "problem", None) or error).split())[:200]
    if mark is None:
        return Problem(file, 1, 1, "-", f"malformed model card metadata: {summary}")
    return Problem(file, mark.line + 1 + offset, mark.column + 1, "-",
                   f"malformed YAML front matter: {summary}")


def _model_name(data: dict[str, Any], text: str) -> str | None:
    index = data.get("model-index")
    if isinstance(index, list) and index and isinstance(index[0], dict):
        name = index[0].get("name")
        if isinstance(name, str) and name.strip():
            return name.strip()
    match = _FRONT_MATTER.search(text)
    body = text[match.end():] if match else text
    heading = re.search(r"^#\s+(.+?)\s*#*\s*$", body, re.MULTILINE)
    return heading.group(1) if heading else None


def _slug(name: str) -> str:
    """A card id from a model or repo name: its last path part, lowercased."""
    slug = _ID_CHARS.sub("-", name.rsplit("/", 1)[-1].lower()).strip("-._")
    return slug[:64]


def _licence(draft: DraftCard, data: dict[str, Any]) -> None:
    raw = data.get("license")
    link = data.get("license_link")
    shown = ", ".join(str(r) for r in raw) if isinstance(raw, list) else str(raw)
    seen = f"Hugging Face license: {shown}" + (f", {link}" if isinstance(link, str) else "")
    if raw is None:
        draft.unknown("license", "the card states no licence")
        return
    if isinstance(raw, list):  # several licences on one repository: all of them bind
        parts = [_licence_id(str(item), data) for item in raw]
        if any(p is None for p in parts):
            draft.unknown("license", f"{seen} - a part has no licence name")
            return
        draft.key("license", normalise(" AND ".join(f"({p})" for p in parts)), seen)
        return
    licence = _licence_id(str(raw), data)
    if licence is None:
        draft.unknown("license", f"{seen} without a license_name")
        return
    if licence.startswith("LicenseRef-") and str(raw).strip().lower() != "other":
        seen += " (a Hugging Face licence id with no SPDX id)"
    draft.key("license", licence, seen)


def _licence_id(raw: str, data: dict[str, Any]) -> str | None:
    """SPDX, or a LicenseRef for a licence SPDX has no id for; None when it has no name."""
    if raw.strip().lower() == "other":
        name = data.get("license_name")
        return _license_ref(str(name)) if name else None
    try:
        return normalise(raw)
    except ValueError:
        return _license_ref(raw)  # Hugging Face's own ids (llama3.1, gemma, openrail...)


def _license_ref(name: str) -> str:
    if name.strip().lower() == PROPRIETARY:
        return PROPRIETARY
    return normalise("LicenseRef-" + (re.sub(r"[^A-Za-z0-9.-]+", "-", name).strip("-")
                                      or "unnamed"))


def _bases(draft: DraftCard, data: dict[str, Any]) -> None:
    raw = data.get("base_model")
    bases = [raw] if isinstance(raw, str) else [b for b in raw or [] if isinstance(b, str)]
    if not bases:
        return
    ids = list(dict.fromkeys(_slug(b) for b in bases if _slug(b)))
    relation = data.get("base_model_relation")
    how = f" ({relation})" if isinstance(relation, str) else ""
    draft.key("base_model", ids, f"Hugging Face base_model{how}: {', '.join(bases)}; a base "
                                 "with no card in the catalog makes the licences unknown")


def _benchmarks(draft: DraftCard, data: dict[str, Any]) -> None:
    entries = []
    for result in data["eval_results"]:
        value = _plain_number(result.metric_value)
        if value is None:
            continue  # a score that is no (finite, plain) number is no benchmark figure
        name = " ".join(str(p) for p in (result.dataset_name, result.dataset_split,
                                          result.metric_name or result.metric_type) if p)
        source = (f"{result.source_name}, {result.source_url}" if result.source_name
                  and result.source_url else result.source_name or result.source_url
                  or "the model's Hugging Face card (model-index), as its authors report")
        entries.append({"name": name, "value": value, "source": str(source)})
    if not entries:
        draft.unknown("benchmarks", "the card's model-index gives no numeric result")
        return
    draft.lines.append("benchmarks:  # from the card's model-index")
    draft.lines.extend(f"  - {_flow(entry)}" for entry in entries)


def _checked(text: str, card_id: str, file: str) -> str:
    """The draft as govern's loader reads it: a draft it would refuse is govern's bug."""
    loaded = parse_yaml(text, f"{card_id}.yaml")
    record, problems = check_record(loaded, ModelCard, f"{card_id}.yaml")
    if record is None:
        raise EngineError(f"the card imported from {file} does not validate: "
                          + "; ".join(str(p) for p in problems))
    return text
