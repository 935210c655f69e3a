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
