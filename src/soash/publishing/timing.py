"""Times a person types, in their profile's timezone, made into the UTC instants stored.

A time with a UTC offset is taken as given. A time without one is read in the profile's
zone: a time that does not exist there (the clocks jumped over it) and a time that exists
twice (the clocks went back over it) are refused with a message saying which, and how to
say what was meant (move it, or add the offset).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from soash.errors import InvalidInput


def _offset(dt: datetime) -> str:
    off = dt.utcoffset() or timedelta(0)
    sign = "-" if off < timedelta(0) else "+"
    minutes = abs(int(off.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def to_utc(value: datetime, tz: ZoneInfo, *, field: str = "scheduled_for") -> datetime:
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    early = value.replace(tzinfo=tz, fold=0)
    late = value.replace(tzinfo=tz, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early.astimezone(UTC)
    wall = value.strftime("%Y-%m-%d %H:%M")
    # A gap: the wall time does not survive a round trip through UTC.
    if early.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != value:
        raise InvalidInput(
            f"{wall} does not exist in {tz.key}: the clocks go forward over it "
            f"(daylight saving time starts). Choose a time outside the jump.",
            rule="dst_gap",
            errors=[{"field": field, "message": "falls in a daylight saving time gap"}],
        )
    raise InvalidInput(
        f"{wall} happens twice in {tz.key}: the clocks go back over it (daylight saving time "
        f"ends). Add the UTC offset you mean: {wall}{_offset(early)} (the first) or "
        f"{wall}{_offset(late)} (the second).",
        rule="dst_overlap",
        errors=[{"field": field, "message": "is ambiguous: daylight saving time ends then"}],
    )
