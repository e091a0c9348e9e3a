"""Performance patterns: which content types, posting times and hashtags work for a user.

Built on :mod:`soash.insights.stats` (the statistics) and :mod:`soash.insights.figures` (every
post's engagement rate 7 days after posting). Posting times are in the profile's timezone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from soash.insights.figures import PostFigure, figures_at_age
from soash.insights.models import PatternType, PerformancePattern
from soash.insights.stats import GroupEstimate, apply_fdr, estimate_groups, log_ratios_by_account
from soash.ownership import owned_by
from soash.users.models import User
from soash.users.service import get_profile

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WINDOW_HOURS = 3
# Added to rates before taking logs, so a post with no engagement still counts (as very low).
EPSILON = 1e-4
OTHER_TYPE = "text/other"


@dataclass(frozen=True)
class Pattern:
    pattern_type: PatternType
    estimate: GroupEstimate

    @property
    def name(self) -> str:
        return self.estimate.name


def hour_window(hour: int) -> str:
    start = hour - hour % WINDOW_HOURS
    return f"{start:02d}:00-{start + WINDOW_HOURS:02d}:00"


def _groups(
    figures: Sequence[PostFigure], ratios: Sequence[float], tz: ZoneInfo
) -> dict[PatternType, dict[str, list[float]]]:
    groups: dict[PatternType, dict[str, list[float]]] = {t: {} for t in PatternType}
    for figure, y in zip(figures, ratios, strict=True):
        local = figure.posted_at.astimezone(tz)
        kind = figure.content_type.value if figure.content_type else OTHER_TYPE
        groups[PatternType.content_type].setdefault(kind, []).append(y)
        groups[PatternType.posting_time].setdefault(WEEKDAYS[local.weekday()], []).append(y)
        groups[PatternType.posting_time].setdefault(hour_window(local.hour), []).append(y)
        for tag in set(figure.hashtags):
            groups[PatternType.hashtag].setdefault(f"#{tag}", []).append(y)
    return groups


def compute_patterns(figures: Sequence[PostFigure], timezone: str) -> list[Pattern]:
    """Every group's estimate, ranked: significant winners first, then by lift; groups with
    too little data last."""
    if not figures:
        return []
    ratios = log_ratios_by_account([(f.account_id, f.rate + EPSILON) for f in figures])
    tz = ZoneInfo(timezone)
    estimated: list[tuple[PatternType, GroupEstimate]] = []
    for pattern_type, groups in _groups(figures, ratios, tz).items():
        # Weekdays and hour windows are two dimensions: each gets its own shrinkage prior.
        if pattern_type is PatternType.posting_time:
            days = {k: v for k, v in groups.items() if k in WEEKDAYS}
            hours = {k: v for k, v in groups.items() if k not in WEEKDAYS}
            estimates = estimate_groups(days) + estimate_groups(hours)
        else:
            estimates = estimate_groups(groups)
        estimated.extend((pattern_type, e) for e in estimates)
    corrected = apply_fdr([e for _, e in estimated])
    patterns = [Pattern(t, e) for (t, _), e in zip(estimated, corrected, strict=True)]
    return sorted(patterns, key=_rank)


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
    return None if value is None else Decimal(str(value)).quantize(Decimal(places))


def refresh_patterns(
    db: Session, user: User, *, now: datetime, figures: Sequence[PostFigure] | None = None
) -> list[Pattern]:
    """Recompute and store the user's patterns (replacing the previous set)."""
    profile = get_profile(db, user)
    if figures is None:
        figures = figures_at_age(db, user, now=now)
    patterns = compute_patterns(figures, profile.timezone)
    db.execute(delete(PerformancePattern).where(owned_by(PerformancePattern.user_id, user)))
    for p in patterns:
        e = p.estimate
        db.add(
            PerformancePattern(
                user_id=user.id,
                pattern_type=p.pattern_type,
                pattern_name=p.name,
                success_rate=_dec(e.success_rate, "0.0001"),
                sample_size=e.n,
                lift=_dec(e.lift, "0.0001"),
                ci_low=_dec(e.ci_low, "0.0001"),
                ci_high=_dec(e.ci_high, "0.0001"),
                q_value=_dec(e.q_value, "0.0000000001"),
                significant=e.significant,
            )
        )
    db.flush()
    return patterns


def stored_patterns(db: Session, user: User) -> list[PerformancePattern]:
    rows = db.scalars(select(PerformancePattern).where(owned_by(PerformancePattern.user_id, user)))
    return sorted(
        rows,
        key=lambda r: rank_key(
            significant=r.significant,
            lift=float(r.lift) if r.lift is not None else None,
            n=r.sample_size,
        ),
    )
