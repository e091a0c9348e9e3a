"""Performance patterns: which content types, posting times and hashtags work for a user.

Every post's engagement rate 7 days after posting (:mod:`soash.insights.figures`) goes into one
effect model (:mod:`soash.insights.effects`). Posting times are read in the profile's timezone.
With posts on several platforms, each platform with enough posts also gets its own model; the
others are covered by the pooled model only ("all").
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from soash.insights.effects import WEEKDAYS, Dimension, Effect, Observation, Window, fit_effects
from soash.insights.figures import PostFigure, figures_at_age
from soash.insights.models import PatternType, PerformancePattern
from soash.insights.stats import log_ratios_by_account
from soash.ownership import owned_by
from soash.users.models import User
from soash.users.service import get_profile

__all__ = ["WEEKDAYS", "Pattern", "Window", "compute_patterns", "refresh_patterns"]

# Added to rates before taking logs, so a post with no engagement still counts (as very low).
EPSILON = 1e-4
OTHER_TYPE = "text/other"
ALL = "all"
# A platform needs this many posts for a model of its own; below, it is only in the pooled one.
MIN_PLATFORM_POSTS = 60
PATTERN_TYPES = {
    Dimension.content_type: PatternType.content_type,
    Dimension.window: PatternType.posting_time,
    Dimension.weekday: PatternType.posting_time,
    Dimension.hashtag: PatternType.hashtag,
}


@dataclass(frozen=True)
class Pattern:
    pattern_type: PatternType
    estimate: Effect
    scope: str = ALL

    @property
    def name(self) -> str:
        return self.estimate.name


def observations(figures: Sequence[PostFigure], timezone: str) -> list[Observation]:
    tz = ZoneInfo(timezone)
    ratios = log_ratios_by_account([(f.account_id, f.rate + EPSILON) for f in figures])
    out = []
    for figure, y in zip(figures, ratios, strict=True):
        local = figure.posted_at.astimezone(tz)
        out.append(
            Observation(
                account=figure.account_id,
                y=y,
                content_type=figure.content_type.value if figure.content_type else OTHER_TYPE,
                weekday=local.weekday(),
                hour=local.hour,
                hashtags=frozenset(figure.hashtags),
            )
        )
    return out


def compute_patterns(
    figures: Sequence[PostFigure], timezone: str, *, scope: str = ALL
) -> list[Pattern]:
    """Every group's estimate from one model, ranked: significant winners first, then by
    effect; groups with too little data last."""
    if not figures:
        return []
    effects = fit_effects(observations(figures, timezone))
    patterns = [Pattern(PATTERN_TYPES[e.dimension], e, scope) for e in effects]
    return sorted(patterns, key=_rank)


def platform_scopes(figures: Sequence[PostFigure]) -> list[str]:
    """The platforms that get a model of their own: only when there are several, and only
    those with enough posts."""
    counts = Counter(f.platform.value for f in figures)
    if len(counts) < 2:
        return []
    return sorted(p for p, n in counts.items() if n >= MIN_PLATFORM_POSTS)


def compute_all_patterns(figures: Sequence[PostFigure], timezone: str) -> list[Pattern]:
    """The pooled patterns, then each platform's own where it has enough posts."""
    out = compute_patterns(figures, timezone)
    for platform in platform_scopes(figures):
        mine = [f for f in figures if f.platform.value == platform]
        out.extend(compute_patterns(mine, timezone, scope=platform))
    return out


def rank_key(*, significant: bool, lift: float | None, n: int) -> tuple[int, float]:
    """Significant winners (biggest lift first), then undecided groups (largest effect first),
    then significant losers, then groups with too little data."""
    if lift is None:
        return (3, -n)
    if significant and lift > 1:
        return (0, -lift)
    if significant:
        return (2, lift)
    return (1, -abs(math.log(lift)))


def _rank(p: Pattern) -> tuple[int, float]:
    return rank_key(significant=p.estimate.significant, lift=p.estimate.lift, n=p.estimate.n)


def _dec(value: float | None, places: str) -> Decimal | None:
    if value is None:
        return None
    return min(Decimal(str(value)).quantize(Decimal(places)), Decimal("999999"))


def refresh_patterns(
    db: Session, user: User, *, now: datetime, figures: Sequence[PostFigure] | None = None
) -> list[Pattern]:
    """Recompute and store the user's patterns (replacing the previous set)."""
    profile = get_profile(db, user)
    if figures is None:
        figures = figures_at_age(db, user, now=now)
    patterns = compute_all_patterns(figures, profile.timezone)
    db.execute(delete(PerformancePattern).where(owned_by(PerformancePattern.user_id, user)))
    for p in patterns:
        e = p.estimate
        db.add(
            PerformancePattern(
                user_id=user.id,
                scope=p.scope,
                pattern_type=p.pattern_type,
                pattern_name=p.name,
                success_rate=_dec(e.success_rate, "0.0001"),
                sample_size=e.n,
                lift=_dec(e.lift, "0.0001"),
                ci_low=_dec(e.ci_low, "0.0001"),
                ci_high=_dec(e.ci_high, "0.0001"),
                ci_level=_dec(e.ci_level, "0.000001"),
                p_value=_dec(e.p_value, "0.0000000001"),
                q_value=_dec(e.q_value, "0.0000000001"),
                significant=e.significant,
                raw_lift=_dec(e.raw_lift, "0.0001"),
            )
        )
    db.flush()
    return patterns


def stored_patterns(db: Session, user: User) -> list[PerformancePattern]:
    rows = db.scalars(select(PerformancePattern).where(owned_by(PerformancePattern.user_id, user)))
    return sorted(
        rows,
        key=lambda r: (
            r.scope != ALL,
            r.scope,
            rank_key(
                significant=r.significant,
                lift=float(r.lift) if r.lift is not None else None,
                n=r.sample_size,
            ),
        ),
    )
