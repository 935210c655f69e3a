"""A record's values as plain data, read straight from its fields.

``record_data(r, json_mode)`` equals ``r.model_dump(mode="json" or "python", by_alias=True)``
for govern's records (a test holds this for every record of the bundled and example
catalogs), without pydantic's serialiser: building that serialiser costs more than one
``govern evaluate`` spends on deciding, and digests and facts need only the values.
It knows the few shapes records have: models, lists, mappings, dates and scalars. A model
that excludes a field or computes one is dumped by pydantic, as before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from govern.fieldtypes import AbsentMeans


def record_data(value: Any, json_mode: bool) -> Any:
    """``value`` as ``model_dump(mode="json" if json_mode else "python", by_alias=True)``
    gives it: models as mappings keyed by alias, dates as YYYY-MM-DD text in JSON mode."""
    if isinstance(value, BaseModel):
        model = type(value)
        if model.__pydantic_computed_fields__ or any(
                info.exclude for info in model.__pydantic_fields__.values()):
            return value.model_dump(mode="json" if json_mode else "python", by_alias=True)
        return {(info.serialization_alias or info.alias or name):
                record_data(getattr(value, name), json_mode)
                for name, info in model.__pydantic_fields__.items()}
    if isinstance(value, list | tuple):
        items = [record_data(item, json_mode) for item in value]
        return items if json_mode or isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {key: record_data(item, json_mode) for key, item in value.items()}
    if json_mode and isinstance(value, dt.date):
        return value.isoformat()
    return value


def record_input(record: BaseModel) -> dict[str, Any]:
    """The record as a file would write it, to validate again after an edit: its data in JSON
    mode, with the keys whose absence has a meaning (``AbsentMeans``) left out where they are
    None. Written as null, those are refused, as in a file: absent is what they were."""
    data: dict[str, Any] = record_data(record, json_mode=True)
    _leave_out_absent(record, data)
    return data


def _leave_out_absent(value: Any, data: Any) -> None:
    if isinstance(value, BaseModel):
        for name, info in type(value).__pydantic_fields__.items():
            key = info.serialization_alias or info.alias or name
            if key not in data:
                continue
            item = getattr(value, name)
            if item is None and any(isinstance(m, AbsentMeans) for m in info.metadata):
                del data[key]
            else:
                _leave_out_absent(item, data[key])
    elif isinstance(value, list | tuple):
        for item, item_data in zip(value, data, strict=True):
            _leave_out_absent(item, item_data)
    elif isinstance(value, dict):
        for key, item in value.items():
            _leave_out_absent(item, data[key])
