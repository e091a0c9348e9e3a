"""Automatic categories: rules tag past posts when written and new posts at the insight run;
bulk tagging; suggestions from frequent hashtags; bad input is a clear 4xx."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from soash.insights.generate import generate_insights
from tests.analytics.data import account, post
from tests.helpers import Api, User

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _posts(user: User, n: int, **kwargs: object) -> list[uuid.UUID]:
    account_id = account(user.id)
    return [post(account_id, NOW - timedelta(days=i + 1), **kwargs) for i in range(n)]  # type: ignore[arg-type]


def _category(api: Api, user: User, name: str) -> str:
    created = api.client.post("/api/v1/categories", json={"name": name}, headers=user.headers)
    return str(created.json()["id"])


def _count(api: Api, user: User, category: str) -> int:
    found = api.client.get(f"/api/v1/categories/{category}", headers=user.headers)
    return int(found.json()["posts"])


def test_a_rule_tags_past_posts_now_and_new_posts_at_the_next_run(api: Api) -> None:
    user = api.user()
    account_id = account(user.id, username="bakery")
    post(account_id, NOW - timedelta(days=3), hashtags=("Recipe", "bread"))
    post(account_id, NOW - timedelta(days=2), caption="Our weekend SALE starts now")
    post(account_id, NOW - timedelta(days=1), hashtags=("bread",))
    recipes, offers = _category(api, user, "Recipes"), _category(api, user, "Offers")
    by_tag = api.client.post(
        "/api/v1/category-rules",
        json={"category_id": recipes, "kind": "hashtag", "pattern": "#recipe"},
        headers=user.headers,
    )
    assert by_tag.status_code == 201
    assert (by_tag.json()["pattern"], by_tag.json()["posts_tagged"]) == ("recipe", 1)
    by_word = api.client.post(
        "/api/v1/category-rules",
        json={"category_id": offers, "kind": "keyword", "pattern": "sale"},
        headers=user.headers,
    )
    assert by_word.json()["posts_tagged"] == 1
    again = api.client.post(
        "/api/v1/category-rules",
        json={"category_id": recipes, "kind": "hashtag", "pattern": "RECIPE"},
        headers=user.headers,
    )
    assert again.status_code == 409
    post(account_id, NOW, hashtags=("recipe",))  # a new post, synced later
    report = generate_insights(uuid.UUID(user.id), now=NOW + timedelta(days=1))
    assert report["posts_categorised"] == 1
    assert (_count(api, user, recipes), _count(api, user, offers)) == (2, 1)
    rules = api.client.get("/api/v1/category-rules", headers=user.headers).json()
    assert [r["pattern"] for r in rules] == ["recipe", "sale"]
    gone = api.client.delete(f"/api/v1/category-rules/{rules[0]['id']}", headers=user.headers)
    assert gone.status_code == 204
    assert _count(api, user, recipes) == 2  # the tags it made stay


def test_bulk_tagging_adds_a_category_to_many_posts(api: Api) -> None:
    user = api.user()
    ids = _posts(user, 4)
    category = _category(api, user, "Launch")
    path = f"/api/v1/categories/{category}/posts"
    body = {"post_ids": [str(i) for i in ids[:3]]}
    assert api.client.post(path, json=body, headers=user.headers).json() == {"tagged": 3}
    body = {"post_ids": [str(i) for i in ids]}
    assert api.client.post(path, json=body, headers=user.headers).json() == {"tagged": 1}
    unknown = api.client.post(path, json={"post_ids": [str(uuid.uuid4())]}, headers=user.headers)
    assert unknown.status_code == 404 and _count(api, user, category) == 4
    empty = api.client.post(path, json={"post_ids": []}, headers=user.headers)
    assert empty.status_code == 422


def test_suggestions_are_frequent_hashtags_no_rule_covers(api: Api) -> None:
    user = api.user()
    account_id = account(user.id)
    for i in range(6):
        tags = ("sourdough", "bread") if i < 5 else ("sourdough",)
        post(account_id, NOW - timedelta(days=i + 1), hashtags=tags)
    path = "/api/v1/category-rules/suggestions"
    first = api.client.get(path, headers=user.headers).json()
    assert first == [{"hashtag": "sourdough", "posts": 6}, {"hashtag": "bread", "posts": 5}]
    category = _category(api, user, "Bread")
    api.client.post(
        "/api/v1/category-rules",
        json={"category_id": category, "kind": "hashtag", "pattern": "sourdough"},
        headers=user.headers,
    )
    assert [s["hashtag"] for s in api.client.get(path, headers=user.headers).json()] == ["bread"]


def test_bad_rules_are_clear_4xx_and_change_nothing(api: Api) -> None:
    user = api.user()
    category = _category(api, user, "Recipes")
    for body in (
        {"category_id": category, "kind": "emoji", "pattern": "x"},
        {"category_id": category, "kind": "hashtag", "pattern": ""},
        {"category_id": category, "kind": "hashtag", "pattern": "a\x00b"},
        {"category_id": category, "kind": "keyword", "pattern": "x" * 101},
    ):
        response = api.client.post("/api/v1/category-rules", json=body, headers=user.headers)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
    missing = {"category_id": str(uuid.uuid4()), "kind": "hashtag", "pattern": "x"}
    assert (
        api.client.post("/api/v1/category-rules", json=missing, headers=user.headers).status_code
        == 404
    )
    assert api.client.get("/api/v1/category-rules", headers=user.headers).json() == []
