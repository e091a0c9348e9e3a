"""Shared pydantic bases and input types: inputs refuse unknown fields and NUL characters,
dates and counts stay within what both databases and Python's calendar can hold; outputs read
from ORM objects."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

NUL = "\x00"
NUL_MESSAGE = "must not contain NUL characters (\\u0000)"

# The days any date input may name: wide enough for every real post or report, narrow enough
# that a day before or after it (the previous period, an end-exclusive bound) is still a date.
MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2200, 12, 31)
DAY_RANGE = f"between {MIN_DAY} and {MAX_DAY}"
Day = Annotated[date, Field(ge=MIN_DAY, le=MAX_DAY)]

# Offsets into a list: far beyond any real list, far below what a signed 64-bit column holds.
MAX_OFFSET = 1_000_000_000


def has_nul(value: Any) -> bool:
    """Whether a string, or any string inside a list, tuple or dict, holds a NUL character."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    return False


class InModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL in text (SQLite can): refuse it at the door, on every
        # field, so no input can carry one to the database.
        if has_nul(value):
            raise ValueError(NUL_MESSAGE)
        return value


class OutModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)
