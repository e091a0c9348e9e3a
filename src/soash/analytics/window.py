"""Which local days an analytics request covers: the profile's timezone, the plan's history
limit, defaults, validation and the previous period of the same length.

Analytics never look further back than the user's plan allows (``soash.users.plans``): a range
that starts earlier is shortened, and the response says so in its ``notes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from soash.analytics.localtime import utc_bounds
from soash.analytics.schemas import HistoryOut
from soash.errors import InvalidInput, LimitReached
from soash.ownership import owned_by_bound, owner_binds
from soash.users import plans
from soash.users.models import SubscriptionStatus, User, UserProfile

DEFAULT_DAYS = 28
MAX_RANGE_DAYS = 3660  # ten years of days is the longest range one request may ask for


@dataclass(frozen=True)
class Period:
    """Local calendar days ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def before(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


@dataclass(frozen=True)
class History:
    tier: str
    days: int | None  # None: no limit
    earliest: date | None


@dataclass
class Clock:
    """The user's local calendar: their timezone, today there, and their plan's history."""

    tz: ZoneInfo
    today: date
    history: History
    notes: list[str] = field(default_factory=list)

    def utc(self, period: Period) -> tuple[datetime, datetime]:
        return utc_bounds(period.start, period.end, self.tz)

    def history_out(self) -> HistoryOut:
        h = self.history
        return HistoryOut(tier=h.tier, history_days=h.days, earliest=h.earliest)

    def clip_start(self, start: date | None) -> date | None:
        """``start`` moved to the plan's earliest day when it is before it (with a note); no
        ``start`` means from the earliest day."""
        earliest = self.history.earliest
        if earliest is None or (start is not None and start >= earliest):
            return start
        if start is not None:
            self.notes.append(
                f"Your {self.history.tier} plan shows the last {self.history.days} days of "
                f"history, so this starts on {earliest} instead of {start}. Upgrade your plan "
                "to see further back."
            )
        return earliest

    def check_end(self, end: date) -> None:
        earliest = self.history.earliest
        if earliest is not None and end < earliest:
            raise LimitReached(
                f"Your {self.history.tier} plan shows the last {self.history.days} days of "
                f"history (from {earliest}); pick dates from then on, or upgrade your plan.",
                earliest=earliest.isoformat(),
                history_days=self.history.days,
                tier=self.history.tier,
            )


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


_TIMEZONE = select(UserProfile.timezone).where(owned_by_bound(UserProfile.user_id))


def user_timezone(db: Session, user: User) -> ZoneInfo:
    """The profile's timezone (UTC without a profile). Asked by every analytics request, so the
    statement is built once."""
    name = db.scalar(_TIMEZONE, owner_binds(user))
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def clock_for(db: Session, user: User, *, today: date | None = None) -> Clock:
    tz = user_timezone(db, user)
    today = today or datetime.now(UTC).astimezone(tz).date()
    tier = user.subscription_tier.value
    if user.subscription_status is not SubscriptionStatus.active:
        tier = f"{tier} ({user.subscription_status.value})"
    return Clock(
        tz=tz,
        today=today,
        history=History(
            tier=tier,
            days=plans.limits_for(user).history_days,
            earliest=plans.history_start(user, today=today),
        ),
    )


def check_order(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise InvalidInput(
            f"'from' ({start}) is after 'to' ({end}); swap them.",
            errors=[{"field": "from", "message": "must be on or before 'to'"}],
        )


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
