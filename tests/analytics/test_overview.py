"""GET /api/v1/analytics/overview: exact figures from hand-built data, the previous period,
the latest-snapshot rule, filters and followers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from soash.content.models import ContentType
from soash.social.models import Platform
from tests.analytics.conftest import get, ok
from tests.analytics.data import account, followers, metric, post, utc
from tests.helpers import Api, User
from tests.users.conftest import assert_problem

OVERVIEW = "/analytics/overview"
MARCH = {"from_": "2026-03-01", "to": "2026-03-07"}  # previous period: Feb 22-28


@dataclass
class World:
    ig: uuid.UUID
    tt: uuid.UUID
    p1: uuid.UUID
    p2: uuid.UUID
    p3: uuid.UUID
    p4: uuid.UUID


@pytest.fixture
def world(alice: User) -> World:
    ig = account(alice.id, platform=Platform.instagram)
    tt = account(alice.id, platform=Platform.tiktok)
    # P1: two snapshots in the period and one after it, which the period must not see.
    p1 = post(ig, utc(2026, 3, 2, 10), content_type=ContentType.image)
    metric(
        p1, date(2026, 3, 2), likes=10, comments=2, shares=1, saves=1, reach=100, impressions=150
    )
    metric(
        p1, date(2026, 3, 5), likes=40, comments=5, shares=3, saves=2, reach=500, impressions=700
    )
    metric(p1, date(2026, 3, 9), likes=100, reach=1000, impressions=1300)
    p2 = post(tt, utc(2026, 3, 6, 20), content_type=ContentType.reel)
    metric(
        p2, date(2026, 3, 7), likes=30, comments=0, shares=0, saves=0, reach=200, impressions=260
    )
    p3 = post(ig, utc(2026, 3, 4), content_type=ContentType.carousel)  # no figures yet
    # Previous period: its figures are its latest snapshot up to Feb 28, not the later one.
    p4 = post(ig, utc(2026, 2, 25), content_type=ContentType.image)
    metric(p4, date(2026, 2, 26), likes=20, reach=400, impressions=500)
    metric(p4, date(2026, 3, 3), likes=60, reach=800, impressions=900)
    post(ig, utc(2026, 2, 10))  # before both periods
    post(ig, utc(2026, 3, 8, 0, 30))  # after
    for day, count in ((21, 1000), (28, 1100)):
        followers(ig, date(2026, 2, day), count)
    followers(ig, date(2026, 3, 7), 1200)
    followers(ig, date(2026, 3, 8), 9999)  # after the period
    followers(tt, date(2026, 2, 28), 500)
    followers(tt, date(2026, 3, 3), 520)
    followers(tt, date(2026, 3, 6), 560)  # tiktok has not reported on the 7th
    return World(ig, tt, p1, p2, p3, p4)


def _metric(body: dict[str, Any], name: str) -> tuple[Any, ...]:
    m = body["metrics"][name]
    return m["current"], m["previous"], m["change"], m["change_pct"]


def test_overview_figures_and_previous_period(api: Api, alice: User, world: World) -> None:
    body = ok(api, alice, OVERVIEW, **MARCH)
    assert body["period"] == {"start": "2026-03-01", "end": "2026-03-07", "days": 7}
    assert body["previous_period"] == {"start": "2026-02-22", "end": "2026-02-28", "days": 7}
    assert body["timezone"] == "UTC"
    assert body["notes"] == []
    assert _metric(body, "posts") == (3, 1, 2, 200.0)
    assert _metric(body, "reach") == (700, 400, 300, 75.0)
    assert _metric(body, "impressions") == (960, 500, 460, 92.0)
    assert _metric(body, "engagement") == (80, 20, 60, 300.0)
    # mean of the posts' rates: (50/500 + 30/200) / 2, against 20/400
    assert _metric(body, "engagement_rate") == (0.125, 0.05, 0.075, 150.0)
    # Instagram 1200 + TikTok's last report 560; a period before: 1100 + 500.
    assert _metric(body, "followers") == (1760, 1600, 160, 10.0)
    # gained: (1200 - 1100) + (560 - 500), against (1100 - 1000) + (500 - 500)
    assert _metric(body, "followers_gained") == (160, 100, 60, 60.0)


def test_top_posts_by_engagement_from_their_latest_snapshot(
    api: Api, alice: User, world: World
) -> None:
    top = ok(api, alice, OVERVIEW, **MARCH)["top_posts"]
    assert [(t["id"], t["engagement"], t["reach"]) for t in top] == [
        (str(world.p1), 50, 500),
        (str(world.p2), 30, 200),
    ]
    assert top[0]["engagement_rate"] == 0.1
    assert top[0]["platform"] == "instagram"
    assert top[1]["content_type"] == "reel"
    assert [t["id"] for t in ok(api, alice, OVERVIEW, top=1, **MARCH)["top_posts"]] == [
        str(world.p1)
    ]


def test_a_later_period_end_sees_the_later_snapshot(api: Api, alice: User, world: World) -> None:
    body = ok(api, alice, OVERVIEW, from_="2026-03-01", to="2026-03-09")
    # P1 now has its Mar 9 snapshot (100 likes, reach 1000); P2 unchanged; the Mar 8 post counts.
    assert body["metrics"]["posts"]["current"] == 4
    assert body["metrics"]["engagement"]["current"] == 130
    assert body["metrics"]["reach"]["current"] == 1200


def test_filter_by_account_and_platform(api: Api, alice: User, world: World) -> None:
    ig = ok(api, alice, OVERVIEW, account_id=str(world.ig), **MARCH)
    assert _metric(ig, "posts") == (2, 1, 1, 100.0)
    assert _metric(ig, "engagement") == (50, 20, 30, 150.0)
    assert _metric(ig, "followers") == (1200, 1100, 100, 9.09)
    assert ig["account_id"] == str(world.ig)
    tiktok = ok(api, alice, OVERVIEW, platform="tiktok", **MARCH)
    assert _metric(tiktok, "posts") == (1, 0, 1, None)
    assert _metric(tiktok, "reach") == (200, None, None, None)
    assert _metric(tiktok, "followers_gained") == (60, 0, 60, None)
    assert [t["id"] for t in tiktok["top_posts"]] == [str(world.p2)]
    nothing = ok(api, alice, OVERVIEW, platform="linkedin", **MARCH)
    assert _metric(nothing, "posts") == (0, 0, 0, None)
    assert _metric(nothing, "followers") == (None, None, None, None)
    assert nothing["top_posts"] == []


def test_default_period_is_the_last_28_days(api: Api, alice: User) -> None:
    body = ok(api, alice, OVERVIEW)
    start, end = (
        date.fromisoformat(body["period"]["start"]),
        date.fromisoformat(body["period"]["end"]),
    )
    assert (end - start).days == 27
    assert body["period"]["days"] == 28
    assert body["previous_period"]["days"] == 28
    only_to = ok(api, alice, OVERVIEW, to="2026-03-07")["period"]
    assert only_to == {"start": "2026-02-08", "end": "2026-03-07", "days": 28}


def test_an_empty_account_gets_zero_posts_and_null_figures(api: Api, alice: User) -> None:
    body = ok(api, alice, OVERVIEW, **MARCH)
    assert _metric(body, "posts") == (0, 0, 0, None)
    for name in ("reach", "impressions", "engagement", "engagement_rate", "followers"):
        assert _metric(body, name) == (None, None, None, None)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-03-08", "to": "2026-03-01"}, "from"),
        ({"from": "2026-02-30"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"account_id": "not-a-uuid"}, "account_id"),
        ({"platform": "myspace"}, "platform"),
        ({"top": "21"}, "top"),
        ({"from": "1990-01-01", "to": "2026-01-01"}, "from"),
    ],
)
def test_bad_input_is_a_422_problem(
    api: Api, alice: User, params: dict[str, str], field: str
) -> None:
    response = api.client.get(f"/api/v1{OVERVIEW}", params=params, headers=alice.headers)
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"].endswith(field)


def test_another_users_account_is_a_404(api: Api, alice: User) -> None:
    bob = api.user()
    theirs = account(bob.id)
    response = get(api, alice, OVERVIEW, account_id=str(theirs))
    assert "no social account" in assert_problem(response, 404)["detail"]


def test_no_top_posts_still_gives_the_totals(api: Api, alice: User, world: World) -> None:
    body = ok(api, alice, OVERVIEW, top=0, **MARCH)
    assert body["top_posts"] == []
    assert _metric(body, "engagement") == (80, 20, 60, 300.0)


def test_a_period_with_posts_only_before_it(api: Api, alice: User, world: World) -> None:
    body = ok(api, alice, OVERVIEW, from_="2026-03-10", to="2026-03-11")  # previous: Mar 8-9
    assert _metric(body, "posts") == (0, 1, -1, -100.0)
    assert _metric(body, "reach") == (None, None, None, None)  # the Mar 8 post has no figures
    assert body["top_posts"] == []
