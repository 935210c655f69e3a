"""One change to a decision's inputs, and applying a set of them to copies of the records.

A change is an edit to a record field (set a value, add an item to a list, remove one) or a
waiver of one deny rule. Applying changes never touches the records given: each changed record
is rebuilt from its data and validated again, so a change that would make an invalid record
(a task with no data class left) is no candidate at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from govern.explain.levers import RECORD_MODELS, Address, Key, RecordKind
from govern.lineage import revalidated_card
from govern.records import ModelCard, Profile, Task, Waiver, WaiverScope

Who = Literal["card", "task", "profile", "waiver"]
WHO_OF_KIND: dict[RecordKind, Who] = {"model": "card", "task": "task", "profile": "profile"}

Op = Literal["set", "add", "remove", "waive"]


@dataclass(frozen=True, order=True)
class Change:
    """One edit that a suggestion is made of."""

    who: Who
    """Who can make it: the card's author, the task's owner, the profile's owner, or whoever
    approves waivers."""
    keys: tuple[Key, ...]
    """The field in its record (for a waiver: the rule id)."""
    op: Op
    value: Any
    """The value set, the item added or removed; for a waiver, its scope as sorted pairs."""
    before: Any = None
    """The field's value now (None: unknown)."""

    @property
    def kind(self) -> RecordKind | None:
        return {"card": "model", "task": "task", "profile": "profile"}.get(
            self.who)  # type: ignore[return-value]

    @property
    def address(self) -> Address | None:
        kind = self.kind
        return None if kind is None else (kind, self.keys)

    @property
    def learns_unknown(self) -> bool:
        """The field is unknown now: the change is learning its value."""
        return self.op != "waive" and self.before is None

    @property
    def rule(self) -> str:
        assert self.op == "waive"
        return str(self.keys[0])


def waiver_change(rule: str, model: str, task: str, deployment: str,
                  provider: str | None) -> Change:
    """A waiver of ``rule`` scoped as narrowly as the decision: this model, task and option."""
    scope = {"model": model, "task": task, "deployment": deployment}
    if provider is not None:
        scope["provider"] = provider
    return Change("waiver", (rule,), "waive", tuple(sorted(scope.items())))


def waiver_of(change: Change, as_of: dt.date) -> Waiver:
    """The waiver a waiver change stands for, live on ``as_of``."""
    return Waiver(id=f"proposed.{change.rule}"[:64], rule=change.rule,
                  scope=WaiverScope(**dict(change.value)), owner="(to be approved)",
                  reason="(proposed by govern explain)", reference="(none yet)", expires=as_of)


def read_field(data: Any, keys: Sequence[Key]) -> Any:
    for key in keys:
        if isinstance(key, int):
            if not isinstance(data, list) or key >= len(data):
                return None
            data = data[key]
        else:
            if not isinstance(data, dict):
                return None
            data = data.get(key)
    return data


def _edited(data: Any, keys: Sequence[Key], change: Change) -> Any:
    """``data`` with the change made at ``keys``, copying only the containers on the way."""
    if not keys:
        item = change.value.data() if hasattr(change.value, "data") else change.value
        if change.op == "set":
            return item
        if change.op == "add":
            return [*(data or []), item]
        return [x for x in (data or []) if x != item]
    key, rest = keys[0], keys[1:]
    if isinstance(key, int):
        copied_list = list(data)
        copied_list[key] = _edited(data[key], rest, change)
        return copied_list
    copied = dict(data or {})
    value = _edited(copied.get(key), rest, change)
    if value is None:
        copied.pop(key, None)  # a field whose absence means something (no residency rule)
    else:
        copied[key] = value
    return copied


Records = tuple[ModelCard, Task, Profile]


def apply_changes(records: Records, changes: Iterable[Change],
                  dumps: dict[RecordKind, dict[str, Any]]) -> Records | None:
    """Copies of (card, task, profile) with the record changes made; None when a changed record
    is no longer valid. ``dumps`` are the records' data (``model_dump(by_alias=True)``)."""
    by_kind: dict[RecordKind, list[Change]] = {}
    for change in changes:
        if change.kind is not None:
            by_kind.setdefault(change.kind, []).append(change)
    result: list[Any] = list(records)
    for index, kind in enumerate(("model", "task", "profile")):
        edits = by_kind.get(kind)  # type: ignore[call-overload]
        if not edits:
            continue
        data = dumps[kind]  # type: ignore[index]
        for change in sorted(edits):
            data = _edited(data, change.keys, change)
        try:
            result[index] = (revalidated_card(data, records[0]) if kind == "model"
                             else RECORD_MODELS[kind].model_validate(data))  # type: ignore[index]
        except ValidationError:
            return None
    return result[0], result[1], result[2]
