"""Trends: is follower growth speeding up or slowing down, is engagement up or down — and is
the change real (Mann-Whitney U on the two periods, p < 0.05, and big enough to matter)?"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from soash.insights.figures import PostFigure
from soash.insights.stats import compare_periods, log_ratios_by_account, median
from soash.ownership import owned_by
from soash.social.models import PlatformMetric, SocialAccount
from soash.users.models import User

PERIOD_DAYS = 28


@dataclass(frozen=True)
class Trend:
    key: str  # "followers" or "engagement"
    direction: str  # "up" or "down"
    before: float
    after: float
    p_value: float
    n_before: int
    n_after: int

    @property
    def change(self) -> float:
        """Relative change of the typical value (e.g. +0.23 = up 23%)."""
        return self.after / self.before - 1 if self.before else math.inf


def daily_follower_gains(db: Session, user: User, *, today: date) -> dict[date, int]:
    """Net new followers per day, summed over the user's accounts (days with data only)."""
    start = today - timedelta(days=2 * PERIOD_DAYS + 1)
    rows = db.execute(
        select(
            PlatformMetric.social_account_id,
            PlatformMetric.metric_date,
            PlatformMetric.follower_count,
        )
        .join(SocialAccount, SocialAccount.id == PlatformMetric.social_account_id)
        .where(
            owned_by(SocialAccount.user_id, user),
            PlatformMetric.metric_date >= start,
            PlatformMetric.metric_date < today,
            PlatformMetric.follower_count.is_not(None),
        )
        .order_by(PlatformMetric.social_account_id, PlatformMetric.metric_date)
    ).all()
    gains: dict[date, int] = {}
    previous: dict[uuid.UUID, tuple[date, int]] = {}
    for account_id, day, followers in rows:
        if followers is None:
            continue
        last = previous.get(account_id)
        if last is not None and (day - last[0]).days == 1:
            gains[day] = gains.get(day, 0) + followers - last[1]
        previous[account_id] = (day, followers)
    return gains


def follower_trend(gains: dict[date, int], *, today: date) -> Trend | None:
    split = today - timedelta(days=PERIOD_DAYS)
    before = [
        float(v) for d, v in gains.items() if split - timedelta(days=PERIOD_DAYS) <= d < split
    ]
    after = [float(v) for d, v in gains.items() if d >= split]
    change = compare_periods(before, after, min_n=14)
    if change is None or not change.real or change.before <= 0:
        return None
    return Trend(
        key="followers",
        direction="up" if change.after > change.before else "down",
        before=change.before,
        after=change.after,
        p_value=change.p_value,
        n_before=len(before),
        n_after=len(after),
    )


def engagement_trend(figures: Sequence[PostFigure], *, now: datetime) -> Trend | None:
    """Posts of the last 4 weeks (that are 7 days old) against the 4 weeks before, each post
    relative to its own account's median, so a change in which account posts more does not
    masquerade as a trend."""
    if not figures:
        return None
    ratios = log_ratios_by_account([(f.account_id, f.rate + 1e-4) for f in figures])
    split = now - timedelta(days=PERIOD_DAYS + 7)
    start = split - timedelta(days=PERIOD_DAYS)
    before = [y for f, y in zip(figures, ratios, strict=True) if start <= f.posted_at < split]
    after = [y for f, y in zip(figures, ratios, strict=True) if f.posted_at >= split]
    change = compare_periods(before, after, min_change=0)
    if change is None or not change.real:
        return None
    typical = median([f.rate for f in figures])
    moved = math.exp(median(after) - median(before))
    if abs(moved - 1) < 0.1:
        return None
    return Trend(
        key="engagement",
        direction="up" if moved > 1 else "down",
        before=typical,
        after=typical * moved,
        p_value=change.p_value,
        n_before=len(before),
        n_after=len(after),
    )
