"""Which local days an analytics request covers: defaults, validation and the previous period
of the same length, on the user's calendar (``soash.timewindow``: timezone, plan history).

Analytics never look further back than the user's plan allows (``soash.users.plans``): a range
that starts earlier is shortened, and the response says so in its ``notes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from soash.errors import InvalidInput
from soash.timewindow import Clock, Period, check_order, clock_for
from soash.users.models import User

DEFAULT_DAYS = 28
MAX_RANGE_DAYS = 3660  # ten years of days is the longest range one request may ask for


@dataclass
class Window:
    clock: Clock
    period: Period
    previous: Period | None

    @property
    def tz(self) -> ZoneInfo:
        return self.clock.tz

    @property
    def notes(self) -> list[str]:
        return self.clock.notes


def resolve(
    db: Session,
    user: User,
    *,
    start: date | None,
    end: date | None,
    compare: bool = False,
    today: date | None = None,
) -> Window:
    """The days a request covers, in the user's timezone. Defaults: the last 28 days up to
    today; with only ``start``, from it to today; with only ``end``, the 28 days ending then."""
    check_order(start, end)
    clock = clock_for(db, user, today=today)
    if end is None:
        end = clock.today if start is None else max(start, clock.today)
    if start is None:
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput(
            f"The range {start} to {end} is longer than {MAX_RANGE_DAYS} days; ask for less.",
            errors=[{"field": "from", "message": f"at most {MAX_RANGE_DAYS} days before 'to'"}],
        )
    clock.check_end(end)
    clipped = clock.clip_start(start)
    assert clipped is not None
    period = Period(clipped, end)
    previous = period.before() if compare else None
    earliest = clock.history.earliest
    if previous is not None and earliest is not None and previous.start < earliest:
        clock.notes.append(
            f"The previous period ({previous.start} to {previous.end}) reaches beyond the "
            f"{clock.history.days} days of history your {clock.history.tier} plan shows, so "
            "there is no comparison with it."
        )
        previous = None
    return Window(clock=clock, period=period, previous=previous)
