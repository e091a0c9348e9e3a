"""Trends are reported only when the change is real."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

from soash.insights.figures import PostFigure
from soash.insights.trends import engagement_trend, follower_trend
from soash.social.models import Platform

TODAY = date(2026, 11, 20)


def _gains(before: float, after: float, seed: int) -> dict[date, int]:
    rng = random.Random(seed)
    gains = {}
    for back in range(1, 57):
        day = TODAY - timedelta(days=back)
        mean = after if back <= 28 else before
        gains[day] = round(rng.gauss(mean, 6))
    return gains


def test_follower_growth_speeding_up_is_reported() -> None:
    trend = follower_trend(_gains(20, 40, seed=1), today=TODAY)
    assert trend is not None
    assert trend.direction == "up"
    assert 30 < trend.after < 50 and 10 < trend.before < 30
    assert trend.p_value < 0.05


def test_follower_growth_slowing_down_is_reported() -> None:
    trend = follower_trend(_gains(40, 18, seed=2), today=TODAY)
    assert trend is not None
    assert trend.direction == "down"


def test_steady_follower_growth_reports_nothing() -> None:
    assert [follower_trend(_gains(30, 30, seed=s), today=TODAY) for s in range(10)].count(None) >= 9


def test_too_few_days_reports_nothing() -> None:
    gains = {d: v for d, v in _gains(10, 50, seed=3).items() if (TODAY - d).days < 20}
    assert follower_trend(gains, today=TODAY) is None


def _figures(before: float, after: float, seed: int) -> list[PostFigure]:
    rng = random.Random(seed)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    out = []
    for i in range(60):
        posted = now - timedelta(days=8 + i)
        base = after if i < 28 else before
        out.append(
            PostFigure(
                post_id=uuid.uuid4(),
                platform=Platform.instagram,
                account_id=uuid.UUID(int=1),
                content_type=None,
                hashtags=(),
                posted_at=posted,
                rate=base * 2.718 ** rng.gauss(0, 0.3),
            )
        )
    return out


def test_engagement_up_is_reported_with_its_size() -> None:
    trend = engagement_trend(_figures(0.03, 0.045, seed=4), now=datetime(2026, 11, 20, tzinfo=UTC))
    assert trend is not None
    assert trend.direction == "up"
    assert 0.2 < trend.change < 0.9


def test_flat_engagement_reports_nothing() -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    results = [engagement_trend(_figures(0.03, 0.03, seed=s), now=now) for s in range(10)]
    assert results.count(None) >= 9
