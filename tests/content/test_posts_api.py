"""GET /api/v1/posts and /api/v1/posts/{id}: filters, sorting, cursor pagination, history."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from soash.content.models import ContentType
from soash.social.models import Platform
from soash.users.models import SubscriptionTier
from tests.analytics.conftest import get, ok
from tests.analytics.data import account, metric, post, set_tier, set_timezone, utc
from tests.helpers import Api, User
from tests.users.conftest import assert_problem


@pytest.fixture
def alice(api: Api) -> User:
    user = api.user()
    set_tier(user.id, SubscriptionTier.enterprise)
    return user


def _ids(body: dict[str, Any]) -> list[str]:
    return [p["id"] for p in body["items"]]


def _all_pages(api: Api, user: User, **params: Any) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(50):
        body = ok(api, user, "/posts", cursor=cursor, **params)
        seen += _ids(body)
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("paging did not end")


def test_a_post_with_its_latest_figures_and_categories(api: Api, alice: User) -> None:
    set_timezone(alice.id, "Asia/Tokyo")
    acct = account(alice.id, platform=Platform.tiktok)
    p = post(acct, utc(2026, 3, 1, 23, 30), content_type=ContentType.reel, hashtags=("bread",))
    metric(p, date(2026, 3, 2), likes=1, reach=10)
    metric(
        p, date(2026, 3, 3), likes=8, comments=1, shares=None, saves=1, reach=100, impressions=130
    )
    body = ok(api, alice, "/posts")
    assert body["next_cursor"] is None
    [item] = body["items"]
    assert item["id"] == str(p)
    assert item["platform"] == "tiktok"
    assert item["social_account_id"] == str(acct)
    assert item["content_type"] == "reel"
    assert item["hashtags"] == ["bread"]
    assert item["posted_at_local"] == "2026-03-02T08:30:00+09:00"
    assert item["categories"] == []
    assert item["latest"] == {
        "metric_date": "2026-03-03",
        "likes": 8,
        "comments": 1,
        "shares": None,
        "saves": 1,
        "reach": 100,
        "impressions": 130,
        "engagement": 10,
        "engagement_rate": 0.1,
    }


def test_detail_has_the_metric_history_oldest_first(api: Api, alice: User) -> None:
    acct = account(alice.id)
    p = post(acct, utc(2026, 3, 1))
    metric(p, date(2026, 3, 3), likes=30, reach=300)
    metric(p, date(2026, 3, 1), likes=5, reach=100)
    metric(p, date(2026, 3, 2), likes=None, comments=None, reach=200)
    detail = ok(api, alice, f"/posts/{p}")
    assert [
        (m["metric_date"], m["engagement"], m["engagement_rate"]) for m in detail["metrics"]
    ] == [
        ("2026-03-01", 5, 0.05),
        ("2026-03-02", None, None),
        ("2026-03-03", 30, 0.1),
    ]
    assert detail["latest"]["metric_date"] == "2026-03-03"
    assert detail["notes"] == []
    assert_problem(get(api, alice, f"/posts/{uuid.uuid4()}"), 404)
    assert_problem(get(api, alice, "/posts/not-a-uuid"), 422)


def test_filters(api: Api, alice: User) -> None:
    set_timezone(alice.id, "Asia/Tokyo")
    ig, tt = account(alice.id), account(alice.id, platform=Platform.tiktok)
    a = post(ig, utc(2026, 3, 1, 14), content_type=ContentType.image)  # Mar 1, 23:00 JST
    b = post(ig, utc(2026, 3, 1, 15), content_type=ContentType.reel)  # Mar 2, 00:00 JST
    c = post(tt, utc(2026, 3, 5), content_type=ContentType.reel)
    assert set(_ids(ok(api, alice, "/posts", account_id=str(ig)))) == {str(a), str(b)}
    assert set(_ids(ok(api, alice, "/posts", content_type="reel"))) == {str(b), str(c)}
    assert _ids(ok(api, alice, "/posts", from_="2026-03-01", to="2026-03-01")) == [str(a)]
    assert _ids(ok(api, alice, "/posts", from_="2026-03-02", to="2026-03-04")) == [str(b)]
    category = api.client.post(
        "/api/v1/categories", json={"name": "Reels"}, headers=alice.headers
    ).json()
    api.client.put(
        f"/api/v1/posts/{c}/categories",
        json={"category_ids": [category["id"]]},
        headers=alice.headers,
    )
    tagged = ok(api, alice, "/posts", category_id=category["id"])
    assert _ids(tagged) == [str(c)]
    assert tagged["items"][0]["categories"] == [
        {"id": category["id"], "name": "Reels", "color_code": None}
    ]
    assert_problem(get(api, alice, "/posts", category_id=str(uuid.uuid4())), 404)
    assert_problem(get(api, alice, "/posts", account_id=str(uuid.uuid4())), 404)


def test_search_matches_every_word_of_the_caption_case_insensitively(api: Api, alice: User) -> None:
    ig = account(alice.id)
    a = post(ig, utc(2026, 3, 1), caption="Crumb shot! 36 hours #Sourdough")
    b = post(ig, utc(2026, 3, 2), caption="Saturday queue #sourdough #bakery")
    post(ig, utc(2026, 3, 3), caption="100% rye, no wheat_flour")
    assert set(_ids(ok(api, alice, "/posts", q="#sourdough"))) == {str(a), str(b)}
    assert _ids(ok(api, alice, "/posts", q="sourdough CRUMB")) == [str(a)]
    assert _ids(ok(api, alice, "/posts", q="%")) != _ids(ok(api, alice, "/posts"))  # literal %
    assert _ids(ok(api, alice, "/posts", q="wheat_")) != []
    assert _ids(ok(api, alice, "/posts", q="heat_x")) == []  # _ is not a wildcard
    assert_problem(get(api, alice, "/posts", q="x" * 201), 422)


def test_sort_by_date_and_by_engagement(api: Api, alice: User) -> None:
    acct = account(alice.id)
    low = post(acct, utc(2026, 3, 1))
    metric(low, date(2026, 3, 1), likes=1)
    high = post(acct, utc(2026, 3, 2))
    metric(high, date(2026, 3, 2), likes=100)
    bare = post(acct, utc(2026, 3, 3))  # no figures: last either way
    mid = post(acct, utc(2026, 3, 4))
    metric(mid, date(2026, 3, 4), likes=50)
    assert _ids(ok(api, alice, "/posts")) == [str(mid), str(bare), str(high), str(low)]
    assert _ids(ok(api, alice, "/posts", order="asc")) == [str(low), str(high), str(bare), str(mid)]
    assert _ids(ok(api, alice, "/posts", sort="engagement")) == [
        str(high),
        str(mid),
        str(low),
        str(bare),
    ]
    assert _ids(ok(api, alice, "/posts", sort="engagement", order="asc")) == [
        str(bare),
        str(low),
        str(mid),
        str(high),
    ]


@pytest.mark.parametrize(("sort", "order"), [("date", "desc"), ("engagement", "asc")])
def test_cursor_pages_cover_every_post_once_and_stay_stable(
    api: Api, alice: User, sort: str, order: str
) -> None:
    acct = account(alice.id)
    posts = []
    for n in range(23):
        # Pairs of posts share a time and an engagement, so the id breaks the ties.
        p = post(acct, utc(2026, 3, 1 + n // 2))
        metric(p, date(2026, 3, 20), likes=n // 2 * 10)
        posts.append(str(p))
    first = ok(api, alice, "/posts", sort=sort, order=order, limit=10)
    assert len(first["items"]) == 10
    # A post that arrives while paging does not shift the later pages.
    newcomer = post(acct, utc(2026, 2, 1) if order == "desc" else utc(2026, 4, 1))
    rest = _all_pages_from(api, alice, first["next_cursor"], sort=sort, order=order, limit=10)
    seen = _ids(first) + rest
    assert len(seen) == len(set(seen))
    assert set(seen) - {str(newcomer)} == set(posts)
    unpaged = _ids(ok(api, alice, "/posts", sort=sort, order=order, limit=100))
    assert [p for p in seen if p != str(newcomer)] == [p for p in unpaged if p != str(newcomer)]


def _all_pages_from(api: Api, user: User, cursor: str, **params: Any) -> list[str]:
    seen: list[str] = []
    while cursor:
        body = ok(api, user, "/posts", cursor=cursor, **params)
        seen += _ids(body)
        cursor = body["next_cursor"]
    return seen


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "101"},
        {"limit": "0"},
        {"sort": "likes"},
        {"order": "up"},
        {"cursor": "garbage!"},
        {"cursor": "WyJkYXRlIl0"},  # base64 of a JSON list with the wrong shape
        {"from": "2026-03-02", "to": "2026-03-01"},
        {"content_type": "gif"},
        {"account_id": "123"},
    ],
)
def test_bad_input_is_a_422_problem(api: Api, alice: User, params: dict[str, str]) -> None:
    response = api.client.get("/api/v1/posts", params=params, headers=alice.headers)
    assert_problem(response, 422)


def test_a_cursor_only_continues_its_own_sort(api: Api, alice: User) -> None:
    acct = account(alice.id)
    for n in range(3):
        post(acct, utc(2026, 3, 1) + timedelta(hours=n))
    cursor = ok(api, alice, "/posts", limit=1)["next_cursor"]
    response = get(api, alice, "/posts", limit=1, cursor=cursor, sort="engagement")
    assert "keep the same sort" in assert_problem(response, 422)["detail"]
    assert len(_all_pages(api, alice, limit=1)) == 3
