"""Local time in SQL: UTC timestamps seen in the profile's timezone, on both databases.

PostgreSQL converts with ``timezone(zone, ts)`` (``ts AT TIME ZONE zone``) from its own tz
database. SQLite has none, so the UTC offsets in force over the queried range are worked out here
from Python's tz database and applied per row: ``datetime(ts, CASE WHEN ts < t1 THEN '+3600
seconds' ... END)``, one branch per DST transition in the range. Either way a post at 23:30 UTC
is on the next local day in Asia/Tokyo, and a day in Europe/Berlin that has 23 or 25 hours is one
day. Ranges of local days are turned into half-open UTC bounds in Python
(:func:`soash.timewindow.utc_bounds`), so filtering by day uses the plain ``posted_at`` index.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, Integer, case, cast, extract, func, literal
from sqlalchemy.orm import InstrumentedAttribute

Column = ColumnElement[Any] | InstrumentedAttribute[Any]

# Coarse enough to be cheap over ten years, fine enough that no zone changes twice between steps.
_STEP = timedelta(hours=6)


class Granularity(StrEnum):
    day = "day"
    week = "week"
    month = "month"


def _offset(tz: ZoneInfo, instant: datetime) -> int:
    delta = instant.astimezone(tz).utcoffset()
    return int(delta.total_seconds()) if delta else 0


def offsets(tz: ZoneInfo, lo: datetime, hi: datetime) -> list[tuple[datetime | None, int]]:
    """The UTC offsets (seconds) in force over [lo, hi): ``[(until, offset), ..., (None, last)]``,
    each offset holding before its ``until`` instant."""
    segments: list[tuple[datetime | None, int]] = []
    current = _offset(tz, lo)
    t = lo
    while t < hi:
        nxt = min(t + _STEP, hi)
        if _offset(tz, nxt) != current:
            # Bisect to the second: the first instant with the new offset.
            a, b = int(t.timestamp()), int(nxt.timestamp())
            while b - a > 1:
                mid = (a + b) // 2
                if _offset(tz, datetime.fromtimestamp(mid, UTC)) == current:
                    a = mid
                else:
                    b = mid
            change = datetime.fromtimestamp(b, UTC)
            segments.append((change, current))
            current = _offset(tz, change)
            t = change
            continue
        t = nxt
    segments.append((None, current))
    return segments


def local_timestamp(
    column: Column, tz: ZoneInfo, *, dialect: str, lo: datetime, hi: datetime
) -> ColumnElement[Any]:
    """``column`` (a UTC timestamp) as a local wall-clock timestamp in ``tz``; correct for the
    rows with ``lo <= column < hi`` (on PostgreSQL for every row)."""
    if dialect == "postgresql":
        result: ColumnElement[Any] = func.timezone(tz.key, column)
        return result
    segments = offsets(tz, lo, hi)
    last = f"{segments[-1][1]:+d} seconds"
    modifier: ColumnElement[Any]
    if len(segments) == 1:
        modifier = literal(last)
    else:
        modifier = case(
            *((column < until, f"{offset:+d} seconds") for until, offset in segments[:-1]),
            else_=last,
        )
    result = func.datetime(column, modifier)
    return result


def bucket(expr: Column, granularity: Granularity, *, dialect: str) -> Any:
    """The first day of the day/ISO week (Monday)/month that a local timestamp or a date is in."""
    if dialect == "postgresql":
        if granularity is Granularity.day:
            return cast(expr, Date)
        return cast(func.date_trunc(granularity.value, expr), Date)
    if granularity is Granularity.day:
        return func.date(expr)
    if granularity is Granularity.week:
        return func.date(expr, "-6 days", "weekday 1")
    return func.date(expr, "start of month")


def iso_weekday(local: ColumnElement[Any], *, dialect: str) -> Any:
    """1 = Monday ... 7 = Sunday."""
    if dialect == "postgresql":
        return cast(extract("isodow", local), Integer)
    return (cast(func.strftime("%w", local), Integer) + 6) % 7 + 1


def hour(local: ColumnElement[Any], *, dialect: str) -> Any:
    if dialect == "postgresql":
        return cast(extract("hour", local), Integer)
    return cast(func.strftime("%H", local), Integer)


def as_date(value: Any) -> date:
    """A date as either database returns it (SQLite: an ISO string)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def bucket_start(day: date, granularity: Granularity) -> date:
    if granularity is Granularity.day:
        return day
    if granularity is Granularity.week:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_bucket(start: date, granularity: Granularity) -> date:
    if granularity is Granularity.day:
        return start + timedelta(days=1)
    if granularity is Granularity.week:
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def buckets(start: date, end: date, granularity: Granularity) -> list[tuple[date, date, date]]:
    """Every bucket touching [start, end]: (bucket key, first day, last day), the days clipped
    to the range."""
    out = []
    key = bucket_start(start, granularity)
    while key <= end:
        following = next_bucket(key, granularity)
        out.append((key, max(key, start), min(following - timedelta(days=1), end)))
        key = following
    return out
