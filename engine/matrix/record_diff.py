"""What differs between two versions of a catalog, record by record and field by field.

Records are compared as validated data (their JSON form), never as text, so reformatting a
file or reordering keys is no change, while every changed value is named by its path:
``data_classes.source_code.host_jurisdictions: +CN``. Lists of plain values are compared as
sets (``+CN -US``) unless only their order changed (a profile's ``preference``); lists of
records are matched by what identifies an item (a rule's ``id``, an offering's ``provider``, a
dispute's ``fact``), else by position. A policy's rules are reported one by one, by rule id,
so a rule moved to another policy file reads as one change of its ``policy``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from govern.records import Policy

RecordKind = Literal["rule", "policy", "profile", "model card", "task", "waiver"]
RECORD_KINDS: tuple[RecordKind, ...] = ("rule", "policy", "profile", "model card", "task",
                                        "waiver")
_ITEM_KEYS = ("id", "provider", "fact", "name", "publication", "auditor")
"""Fields that identify an item of a list of records, tried in this order."""


@dataclass(frozen=True)
class FieldChange:
    """One value that differs. ``before``/``after`` are JSON values; None means absent or
    null. For a list of plain values, ``added``/``removed`` name the items."""

    path: str
    before: Any
    after: Any
    added: tuple[Any, ...] = ()
    removed: tuple[Any, ...] = ()

    @property
    def is_set_change(self) -> bool:
        return bool(self.added or self.removed)

    def text(self) -> str:
        """``host_jurisdictions: +CN -US`` or ``severity: high → critical``."""
        if self.is_set_change:
            items = [f"+{_show(v)}" for v in self.added] + [f"-{_show(v)}" for v in self.removed]
            return f"{self.path}: {' '.join(items)}"
        return f"{self.path}: {_show(self.before)} → {_show(self.after)}"

    def document(self) -> dict[str, Any]:
        found: dict[str, Any] = {"path": self.path, "before": self.before, "after": self.after}
        if self.is_set_change:
            found |= {"added": list(self.added), "removed": list(self.removed)}
        return found


@dataclass(frozen=True)
class RecordChange:
    """A record added, removed or changed between the two versions."""

    kind: RecordKind
    id: str
    change: Literal["added", "removed", "changed"]
    fields: tuple[FieldChange, ...] = ()
    """For a changed record: every value that differs."""
    policy: str | None = None
    """For a rule: the policy it is in (after the change, or before if removed)."""

    @property
    def label(self) -> str:
        """``profile eu-regulated-enterprise`` or ``rule licence.x (policy licence)``."""
        where = f" (policy {self.policy})" if self.policy else ""
        return f"{self.kind} {self.id}{where}"

    def document(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "change": self.change, "policy": self.policy,
                "fields": [f.document() for f in self.fields]}


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return str(value)


# ---------------------------------------------------------------- comparing values


def field_changes(before: Any, after: Any, path: str = "") -> list[FieldChange]:
    """Every value that differs between two JSON values, by path, in document order."""
    if before == after and type(before) is type(after):
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        changes = []
        for key in [*before, *(k for k in after if k not in before)]:
            changes += field_changes(before.get(key), after.get(key), _join(path, str(key)))
        return changes
    if isinstance(before, list) and isinstance(after, list):
        return _list_changes(before, after, path)
    return [FieldChange(path, before, after)]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _list_changes(before: list[Any], after: list[Any], path: str) -> list[FieldChange]:
    if all(isinstance(v, dict) for v in before + after):
        return _record_list_changes(before, after, path)
    if all(not isinstance(v, dict | list) for v in before + after):
        added = tuple(v for v in after if v not in before)
        removed = tuple(v for v in before if v not in after)
        if added or removed:
            return [FieldChange(path, before, after, added, removed)]
    return [FieldChange(path, before, after)]  # only the order changed, or mixed items


def _item_key(items: list[dict[str, Any]]) -> str | None:
    for key in _ITEM_KEYS:
        values = [item.get(key) for item in items]
        if all(isinstance(v, str) for v in values) and len(set(values)) == len(values):
            return key
    return None


def _record_list_changes(before: list[dict[str, Any]], after: list[dict[str, Any]],
                         path: str) -> list[FieldChange]:
    key = _item_key(before) if _item_key(before) == _item_key(after) else None
    if key is None:
        if len(before) != len(after):
            return [FieldChange(path, before, after)]
        return [c for i, (b, a) in enumerate(zip(before, after, strict=True))
                for c in field_changes(b, a, f"{path}[{i}]")]
    old = {item[key]: item for item in before}
    new = {item[key]: item for item in after}
    changes = []
    for name in [*old, *(n for n in new if n not in old)]:
        changes += field_changes(old.get(name), new.get(name), f"{path}[{name}]")
    if not changes and list(old) != list(new):
        changes.append(FieldChange(f"{path} (order)", list(old), list(new)))
    return changes


# ---------------------------------------------------------------- comparing catalogs


def _json(record: BaseModel) -> Any:
    return record.model_dump(mode="json", by_alias=True)


def record_changes(kind: RecordKind, before: Mapping[str, BaseModel],
                   after: Mapping[str, BaseModel]) -> list[RecordChange]:
    """Records of one kind added, removed or changed, in id order."""
    changes = []
    for record_id in sorted(before.keys() | after.keys()):
        old, new = before.get(record_id), after.get(record_id)
        if old is None:
            changes.append(RecordChange(kind, record_id, "added"))
        elif new is None:
            changes.append(RecordChange(kind, record_id, "removed"))
        elif (fields := field_changes(_json(old), _json(new))):
            changes.append(RecordChange(kind, record_id, "changed", tuple(fields)))
    return changes


def _rules_by_id(policies: Mapping[str, Policy]) -> dict[str, tuple[str, Any]]:
    return {rule.id: (policy.id, _json(rule)) for policy in policies.values()
            for rule in policy.rules}


def policy_changes(before: Mapping[str, Policy], after: Mapping[str, Policy]
                   ) -> list[RecordChange]:
    """Rules added, removed or changed (by rule id, across policies), then policies added,
    removed or changed in anything but their rules."""
    old_rules, new_rules = _rules_by_id(before), _rules_by_id(after)
    changes = []
    for rule_id in sorted(old_rules.keys() | new_rules.keys()):
        old, new = old_rules.get(rule_id), new_rules.get(rule_id)
        if old is None:
            changes.append(RecordChange("rule", rule_id, "added", policy=new[0] if new else None))
        elif new is None:
            changes.append(RecordChange("rule", rule_id, "removed", policy=old[0]))
        else:
            fields = field_changes({"policy": old[0], **old[1]}, {"policy": new[0], **new[1]})
            if fields:
                changes.append(RecordChange("rule", rule_id, "changed", tuple(fields),
                                            policy=new[0]))
    shells = [{k: {f: v for f, v in p.model_dump(mode="json").items() if f != "rules"}
               for k, p in side.items()} for side in (before, after)]
    for policy_id in sorted(before.keys() | after.keys()):
        old_shell, new_shell = shells[0].get(policy_id), shells[1].get(policy_id)
        if old_shell is None or new_shell is None:
            changes.append(RecordChange("policy", policy_id,
                                        "added" if old_shell is None else "removed"))
        elif (fields := field_changes(old_shell, new_shell)):
            changes.append(RecordChange("policy", policy_id, "changed", tuple(fields)))
    return changes
