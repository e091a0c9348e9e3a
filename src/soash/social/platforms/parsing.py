"""Helpers for reading platform payloads strictly: a wrong shape is a MalformedResponse."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from soash.social.platforms.errors import MalformedResponse

_HASHTAG = re.compile(r"(?<![\w&])#(\w{1,100})", re.UNICODE)


def hashtags(caption: str | None) -> list[str]:
    """Hashtags in a caption, lower-cased, without '#', first occurrence order, no repeats."""
    seen: dict[str, None] = {}
    for tag in _HASHTAG.findall(caption or ""):
        seen.setdefault(tag.lower(), None)
    return list(seen)


def field(obj: Any, name: str, kind: type | tuple[type, ...], *, where: str) -> Any:
    if not isinstance(obj, dict) or name not in obj:
        raise MalformedResponse(f"{where}: missing '{name}'")
    value = obj[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise MalformedResponse(f"{where}: '{name}' has the wrong type")
    return value


def optional_int(obj: dict[str, Any], name: str) -> int | None:
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise MalformedResponse(f"'{name}' is not a number")
    try:
        return int(value)
    except ValueError:
        raise MalformedResponse(f"'{name}' is not a number") from None


def iso_datetime(value: Any, *, where: str) -> datetime:
    """ISO 8601 with an offset (``+0000``, ``+00:00`` or ``Z``), returned in UTC."""
    if not isinstance(value, str):
        raise MalformedResponse(f"{where}: timestamp is not a string")
    text = value.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedResponse(f"{where}: '{value}' is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise MalformedResponse(f"{where}: '{value}' has no timezone")
    return parsed.astimezone(UTC)


def epoch_datetime(value: Any, *, where: str, millis: bool = False) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedResponse(f"{where}: timestamp is not a number")
    return datetime.fromtimestamp(value / 1000 if millis else value, UTC)
