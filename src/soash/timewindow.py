"""The user's calendar: their timezone, today there, how far back their plan lets them look,
and local days as UTC instants. Below the domains: content, analytics and the pages all read
dates through it, so none of them needs another's modules for it.

Times are stored in UTC; anything a person reads about "when" is in their profile's timezone.
A range of local days becomes half-open UTC bounds (:func:`utc_bounds`), so filtering by day
uses plain timestamp indexes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from soash.errors import InvalidInput, LimitReached
from soash.ownership import owned_by_bound, owner_binds
from soash.schemas import OutModel
from soash.users import plans
from soash.users.models import SubscriptionStatus, User, UserProfile


class HistoryOut(OutModel):
    """How far back the user's plan lets analytics look."""

    tier: str
    history_days: int | None = Field(description="null: no limit.")
    earliest: date | None = Field(description="The first day analytics may show (local).")


def utc_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants [start 00:00 local, the day after end 00:00 local)."""
    return local_midnight(start, tz), local_midnight(end + timedelta(days=1), tz)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """When ``day`` begins in ``tz``, in UTC. Where DST skips midnight, fold=0 reads 00:00 with
    the offset before the change, which is the instant the day really begins (at 01:00)."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


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
