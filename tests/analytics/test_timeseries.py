"""GET /api/v1/analytics/timeseries: local buckets, null gaps, week and month buckets."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from soash.content.models import ContentType
from soash.social.models import Platform
from tests.analytics.conftest import get, ok
from tests.analytics.data import account, followers, metric, post, utc
from tests.helpers import Api, User
from tests.users.conftest import assert_problem

SERIES = "/analytics/timeseries"


@pytest.fixture
def ig(alice: User) -> uuid.UUID:
    ig = account(alice.id, platform=Platform.instagram)
    a = post(ig, utc(2026, 3, 2, 9))
    metric(a, date(2026, 3, 2), likes=10, reach=100, impressions=120)
    metric(a, date(2026, 3, 4), likes=20, comments=5, reach=250, impressions=300)
    b = post(ig, utc(2026, 3, 2, 18), content_type=ContentType.reel)
    metric(b, date(2026, 3, 3), likes=50, reach=200, impressions=210)
    c = post(ig, utc(2026, 3, 4, 12))
    metric(c, date(2026, 3, 4), likes=9, reach=None, impressions=None, followers=900)
    post(ig, utc(2026, 3, 9, 12))  # no snapshot at all
    followers(ig, date(2026, 3, 1), 1000)
    followers(ig, date(2026, 3, 2), 1010)
    followers(ig, date(2026, 3, 4), 1030)
    followers(ig, date(2026, 3, 9), 1090)
    return ig


def _points(body: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    return [(p["start"], p["value"], p["posts"]) for p in body["points"]]


def series(api: Api, user: User, metric: str, **params: Any) -> dict[str, Any]:
    return ok(api, user, SERIES, metric=metric, **params)


def test_daily_post_figures_with_null_gaps(api: Api, alice: User, ig: uuid.UUID) -> None:
    week = {"from_": "2026-03-01", "to": "2026-03-05"}
    assert _points(series(api, alice, "reach", **week)) == [
        ("2026-03-01", None, 0),
        ("2026-03-02", 450, 2),  # 250 (latest of a) + 200
        ("2026-03-03", None, 0),
        ("2026-03-04", None, 1),  # c has no reach
        ("2026-03-05", None, 0),
    ]
    assert _points(series(api, alice, "engagement", **week))[1:4] == [
        ("2026-03-02", 75, 2),
        ("2026-03-03", None, 0),
        ("2026-03-04", 9, 1),
    ]
    # mean of 25/250 and 50/200; c falls back to its followers: 9/900
    assert _points(series(api, alice, "engagement_rate", **week))[1:4] == [
        ("2026-03-02", 0.175, 2),
        ("2026-03-03", None, 0),
        ("2026-03-04", 0.01, 1),
    ]


def test_the_range_end_picks_each_posts_snapshot(api: Api, alice: User, ig: uuid.UUID) -> None:
    early = series(api, alice, "reach", from_="2026-03-02", to="2026-03-03")
    assert _points(early) == [("2026-03-02", 300, 2), ("2026-03-03", None, 0)]  # 100 + 200


def test_followers_are_the_last_report_of_each_bucket(api: Api, alice: User, ig: uuid.UUID) -> None:
    tt = account(alice.id, platform=Platform.tiktok)
    followers(tt, date(2026, 3, 2), 500)
    followers(tt, date(2026, 3, 3), None)  # a day without a follower figure is a gap
    daily = series(api, alice, "followers", from_="2026-03-01", to="2026-03-04")
    assert _points(daily) == [
        ("2026-03-01", 1000, None),
        ("2026-03-02", 1510, None),
        ("2026-03-03", None, None),
        ("2026-03-04", 1030, None),
    ]
    weekly = series(
        api, alice, "followers", from_="2026-03-01", to="2026-03-10", granularity="week"
    )
    assert [(p["start"], p["end"], p["value"]) for p in weekly["points"]] == [
        ("2026-03-01", "2026-03-01", 1000),  # Sunday: the tail of the week of Feb 23
        ("2026-03-02", "2026-03-08", 1530),  # instagram's 4th + tiktok's 2nd
        ("2026-03-09", "2026-03-10", 1090),
    ]
    only_tt = series(
        api, alice, "followers", from_="2026-03-01", to="2026-03-02", account_id=str(tt)
    )
    assert _points(only_tt) == [("2026-03-01", None, None), ("2026-03-02", 500, None)]


def test_weeks_start_on_monday_and_months_on_the_first(
    api: Api, alice: User, ig: uuid.UUID
) -> None:
    weekly = series(
        api, alice, "impressions", from_="2026-02-25", to="2026-03-10", granularity="week"
    )
    assert [(p["start"], p["end"], p["value"], p["posts"]) for p in weekly["points"]] == [
        ("2026-02-25", "2026-03-01", None, 0),
        ("2026-03-02", "2026-03-08", 510, 3),  # 300 + 210, c has none
        ("2026-03-09", "2026-03-10", None, 1),
    ]
    monthly = series(api, alice, "reach", from_="2026-02-15", to="2026-04-02", granularity="month")
    assert [(p["start"], p["end"], p["value"]) for p in monthly["points"]] == [
        ("2026-02-15", "2026-02-28", None),
        ("2026-03-01", "2026-03-31", 450),
        ("2026-04-01", "2026-04-02", None),
    ]
    assert monthly["granularity"] == "month"


def test_the_daily_points_add_up_to_the_overview(api: Api, alice: User, ig: uuid.UUID) -> None:
    span = {"from_": "2026-03-01", "to": "2026-03-10"}
    overview = ok(api, alice, "/analytics/overview", **span)["metrics"]
    for name in ("reach", "impressions", "engagement"):
        points = series(api, alice, name, **span)["points"]
        assert sum(p["value"] or 0 for p in points) == overview[name]["current"]
        assert sum(p["posts"] for p in points) == overview["posts"]["current"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"metric": "likes"}, "metric"),
        ({}, "metric"),
        ({"metric": "reach", "granularity": "hour"}, "granularity"),
        ({"metric": "reach", "from": "2026-03-02", "to": "2026-03-01"}, "from"),
    ],
)
def test_bad_input_is_a_422_problem(
    api: Api, alice: User, params: dict[str, str], field: str
) -> None:
    response = api.client.get(f"/api/v1{SERIES}", params=params, headers=alice.headers)
    assert assert_problem(response, 422)["errors"][0]["field"].endswith(field)


def test_unknown_account_is_a_404(api: Api, alice: User) -> None:
    response = get(api, alice, SERIES, metric="reach", account_id=str(uuid.uuid4()))
    assert_problem(response, 404)
