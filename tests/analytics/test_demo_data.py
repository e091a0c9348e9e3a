"""On a year of realistic demo data (Europe/Berlin, both DST changes), the SQL aggregates equal
a plain Python computation over the same rows."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console
from sqlalchemy import select

from soash.content.engagement import engagement
from soash.content.models import Post, PostMetric
from soash.db import session_scope
from soash.demo import seed_demo
from tests.analytics.conftest import ok
from tests.helpers import Api, User

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
START, END = date(2026, 1, 1), date(2026, 11, 15)
BERLIN = ZoneInfo("Europe/Berlin")
EMAIL, PASSWORD = "demo@example.com", "sourdough-starter-42"


@pytest.fixture
def demo(api: Api) -> User:
    seed_demo(email=EMAIL, password=PASSWORD, console=Console(quiet=True), accounts=1, now=NOW)
    token = api.login(EMAIL, PASSWORD).json()["access_token"]
    return User(EMAIL, PASSWORD, token, "", {"Authorization": f"Bearer {token}"})


def _expected_posts() -> list[dict[str, Any]]:
    """Every post published in [START, END] (Berlin days) with its latest snapshot <= END."""
    with session_scope() as db:
        posts = db.scalars(select(Post)).all()
        snapshots: dict[Any, list[PostMetric]] = defaultdict(list)
        for m in db.scalars(select(PostMetric).where(PostMetric.metric_date <= END)):
            snapshots[m.post_id].append(m)
        out = []
        for p in posts:
            assert p.posted_at is not None
            local = p.posted_at.astimezone(BERLIN)
            if not START <= local.date() <= END:
                continue
            latest = max(snapshots[p.id], key=lambda m: m.metric_date, default=None)
            out.append(
                {
                    "local": local,
                    "hashtags": p.hashtags,
                    "reach": latest.reach if latest else None,
                    "engagement": engagement(
                        latest.likes_count,
                        latest.comments_count,
                        latest.shares_count,
                        latest.saves_count,
                    )
                    if latest
                    else None,
                    "rate": latest.engagement_rate if latest else None,
                }
            )
        return out


def _close(actual: float | None, expected: Decimal | float | None) -> bool:
    if expected is None:
        return actual is None
    return actual is not None and abs(actual - float(expected)) <= 1.5e-6


def test_sql_aggregates_match_python_over_the_demo_year(api: Api, demo: User) -> None:
    posts = _expected_posts()
    assert len(posts) > 200
    span = {"from_": str(START), "to": str(END)}

    metrics = ok(api, demo, "/analytics/overview", **span)["metrics"]
    assert metrics["posts"]["current"] == len(posts)
    assert metrics["reach"]["current"] == sum(p["reach"] for p in posts)
    assert metrics["engagement"]["current"] == sum(p["engagement"] for p in posts)
    assert _close(metrics["engagement_rate"]["current"], statistics.mean(p["rate"] for p in posts))

    weekly = ok(api, demo, "/analytics/timeseries", metric="reach", granularity="week", **span)
    by_week: dict[date, int] = defaultdict(int)
    for p in posts:
        day = p["local"].date()
        by_week[date.fromordinal(day.toordinal() - day.weekday())] += p["reach"]
    assert {p["start"]: p["value"] for p in weekly["points"][1:]} == {
        str(k): v for k, v in sorted(by_week.items()) if k > START
    }

    def check(by: str, key_of: Any) -> None:
        groups: dict[Any, list[Decimal]] = defaultdict(list)
        for p in posts:
            for key in key_of(p):
                groups[key].append(p["rate"])
        body = ok(api, demo, "/analytics/breakdown", by=by, limit=200, **span)["groups"]
        found = {g["key"]: g for g in body if g["posts"]}
        assert set(found) == set(groups)
        for key, rates in groups.items():
            assert found[key]["posts"] == len(rates)
            assert _close(found[key]["median_engagement_rate"], statistics.median(rates))
            assert _close(found[key]["mean_engagement_rate"], statistics.mean(rates))

    check("hour", lambda p: [p["local"].hour])
    check("weekday", lambda p: [p["local"].isoweekday()])
    check("hashtag", lambda p: sorted(set(p["hashtags"])) or [None])
