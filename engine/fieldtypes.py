"""Constrained field types shared by the records and the condition language."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field


def _parse_iso_date(value: Any) -> Any:
    # YAML timestamps are loaded as strings (see govern.loading.yaml_source), so a date is
    # validated exactly as the user wrote it: YYYY-MM-DD, nothing else.
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")
        try:
            return dt.date.fromisoformat(value)
        except ValueError as e:
            raise ValueError(f"not a calendar date: {value!r}") from e
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_parse_iso_date)]
RecordId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
"""Ids are looked up, never joined into paths: lowercase letters, digits, '.', '_' and '-'."""
Jurisdiction = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
"""A two-letter jurisdiction code: ISO 3166 country codes, plus EU for the European Union."""
Region = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$")]
NonEmptyStr = Annotated[str, Field(min_length=1)]

