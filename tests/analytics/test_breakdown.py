"""GET /api/v1/analytics/breakdown: posts, median and mean engagement rate per group."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from soash.content.models import ContentType
from tests.analytics.conftest import ok
from tests.analytics.data import account, metric, post, utc
from tests.helpers import Api, User
from tests.users.conftest import assert_problem

BREAKDOWN = "/analytics/breakdown"
MARCH = {"from_": "2026-03-01", "to": "2026-03-31"}


def _rated(
    acct: uuid.UUID,
    day: int,
    likes: int | None,
    kind: ContentType | None = ContentType.image,
    tags: tuple[str, ...] = (),
    hour: int = 12,
) -> uuid.UUID:
    """A post on ``day`` of March with engagement rate likes / 100 (none when likes is None)."""
    p = post(acct, utc(2026, 3, day, hour), content_type=kind, hashtags=tags)
    if likes is not None:
        metric(p, date(2026, 3, day), likes=likes, reach=100)
    return p


def _groups(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            g["key"],
            g["posts"],
            g["rated_posts"],
            g["median_engagement_rate"],
            g["mean_engagement_rate"],
        )
        for g in body["groups"]
    ]


def test_medians_and_means_by_content_type(api: Api, alice: User) -> None:
    acct = account(alice.id)
    for day, likes in ((1, 10), (2, 20), (3, 40)):
        _rated(acct, day, likes, ContentType.image)
    for day, likes in ((4, 10), (5, 30)):
        _rated(acct, day, likes, ContentType.reel)
    for day, likes in ((6, 10), (7, 20), (8, 30), (9, 90)):
        _rated(acct, day, likes, ContentType.carousel)
    _rated(acct, 10, None, ContentType.video)  # no figures: counted, not rated
    _rated(acct, 11, 7, None)
    body = ok(api, alice, BREAKDOWN, by="content_type", **MARCH)
    assert body["by"] == "content_type"
    assert _groups(body) == [
        ("carousel", 4, 4, 0.25, 0.375),  # even n: the mean of the two middle rates
        ("image", 3, 3, 0.2, 0.233333),
        ("reel", 2, 2, 0.2, 0.2),
        ("video", 1, 0, None, None),
        (None, 1, 1, 0.07, 0.07),
    ]
    assert body["groups"][-1]["label"] == "No content type"


def test_hashtags_count_a_post_in_each_of_its_tags(api: Api, alice: User) -> None:
    acct = account(alice.id)
    _rated(acct, 1, 10, tags=("sourdough", "bread"))
    _rated(acct, 2, 30, tags=("sourdough",))
    _rated(acct, 3, 50, tags=("sourdough", "sourdough"))  # a repeated tag counts once
    _rated(acct, 4, 20, tags=())
    body = ok(api, alice, BREAKDOWN, by="hashtag", **MARCH)
    assert _groups(body) == [
        ("sourdough", 3, 3, 0.3, 0.3),
        ("bread", 1, 1, 0.1, 0.1),
        (None, 1, 1, 0.2, 0.2),
    ]
    assert [g["label"] for g in body["groups"]] == ["#sourdough", "#bread", "No hashtags"]
    assert len(ok(api, alice, BREAKDOWN, by="hashtag", limit=1, **MARCH)["groups"]) == 1


def test_categories_group_by_the_users_categories(api: Api, alice: User) -> None:
    acct = account(alice.id)
    a, b, c = _rated(acct, 1, 10), _rated(acct, 2, 30), _rated(acct, 3, 60)
    _rated(acct, 4, 5)
    recipes = api.client.post(
        "/api/v1/categories",
        json={"name": "Recipes", "color_code": "#aa0000"},
        headers=alice.headers,
    ).json()
    team = api.client.post(
        "/api/v1/categories", json={"name": "Team"}, headers=alice.headers
    ).json()
    for p, ids in ((a, [recipes["id"]]), (b, [recipes["id"], team["id"]]), (c, [team["id"]])):
        tagged = api.client.put(
            f"/api/v1/posts/{p}/categories", json={"category_ids": ids}, headers=alice.headers
        )
        assert tagged.status_code == 200, tagged.text
    body = ok(api, alice, BREAKDOWN, by="category", **MARCH)
    assert _groups(body) == [
        (recipes["id"], 2, 2, 0.2, 0.2),
        (team["id"], 2, 2, 0.45, 0.45),
        (None, 1, 1, 0.05, 0.05),
    ]
    assert [(g["label"], g["color_code"]) for g in body["groups"]] == [
        ("Recipes", "#AA0000"),
        ("Team", None),
        ("Uncategorized", None),
    ]


def test_weekdays_and_hours_list_every_slot(api: Api, alice: User) -> None:
    acct = account(alice.id)
    _rated(acct, 2, 10, hour=9)  # Monday
    _rated(acct, 9, 30, hour=9)  # Monday
    _rated(acct, 4, 20, hour=18)  # Wednesday
    weekdays = ok(api, alice, BREAKDOWN, by="weekday", **MARCH)["groups"]
    assert [g["key"] for g in weekdays] == [1, 2, 3, 4, 5, 6, 7]
    assert weekdays[0]["label"] == "Monday"
    assert (weekdays[0]["posts"], weekdays[0]["median_engagement_rate"]) == (2, 0.2)
    assert (weekdays[2]["posts"], weekdays[2]["mean_engagement_rate"]) == (1, 0.2)
    assert weekdays[1] == {
        "key": 2,
        "label": "Tuesday",
        "color_code": None,
        "posts": 0,
        "rated_posts": 0,
        "mean_engagement_rate": None,
        "median_engagement_rate": None,
    }
    hours = ok(api, alice, BREAKDOWN, by="hour", **MARCH)["groups"]
    assert len(hours) == 24
    assert {g["key"]: g["posts"] for g in hours if g["posts"]} == {9: 2, 18: 1}
    assert hours[9]["label"] == "09:00-09:59"


def test_only_posts_of_the_period_count(api: Api, alice: User) -> None:
    acct = account(alice.id)
    _rated(acct, 1, 10)
    p = post(acct, utc(2026, 4, 1))
    metric(p, date(2026, 4, 1), likes=90, reach=100)
    body = ok(api, alice, BREAKDOWN, by="content_type", **MARCH)
    assert _groups(body) == [("image", 1, 1, 0.1, 0.1)]


@pytest.mark.parametrize(
    "params",
    [{"by": "mood"}, {}, {"by": "hour", "limit": "0"}, {"by": "hour", "from": "03/01/2026"}],
)
def test_bad_input_is_a_422_problem(api: Api, alice: User, params: dict[str, str]) -> None:
    response = api.client.get(f"/api/v1{BREAKDOWN}", params=params, headers=alice.headers)
    assert_problem(response, 422)


def test_weekday_by_hour_is_a_full_7x24_grid_in_local_time(api: Api, alice: User) -> None:
    from tests.analytics.data import set_timezone

    set_timezone(alice.id, "Asia/Tokyo")
    acct = account(alice.id)
    # 2026-03-01 is a Sunday; 10:00 UTC is 19:00 in Tokyo; 16:00 UTC is Monday 01:00 there.
    _rated(acct, 1, 10, hour=10)
    _rated(acct, 8, 30, hour=10)
    _rated(acct, 1, 20, hour=16)
    body = ok(api, alice, BREAKDOWN, by="weekday_hour", **MARCH)
    groups = {g["key"]: g for g in body["groups"]}
    assert len(body["groups"]) == 168
    assert list(groups)[:2] == [100, 101]  # Monday 00:00 first
    sunday_evening = groups[719]
    assert sunday_evening["label"] == "Sunday 19:00"
    assert (sunday_evening["posts"], sunday_evening["median_engagement_rate"]) == (2, 0.2)
    assert groups[101]["posts"] == 1
    assert sum(g["posts"] for g in body["groups"]) == 3
