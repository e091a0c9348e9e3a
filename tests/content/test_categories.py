"""Content categories: CRUD at /api/v1/categories and tagging posts with them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from httpx import Response

from tests.analytics.data import account, post, utc
from tests.helpers import Api, User
from tests.users.conftest import assert_problem, count_rows

CATEGORIES = "/api/v1/categories"


@pytest.fixture
def alice(api: Api) -> User:
    return api.user()


def create(api: Api, user: User, **body: Any) -> Response:
    response: Response = api.client.post(CATEGORIES, json=body, headers=user.headers)
    return response


def tag(api: Api, user: User, post_id: uuid.UUID | str, ids: list[str]) -> Response:
    response: Response = api.client.put(
        f"/api/v1/posts/{post_id}/categories", json={"category_ids": ids}, headers=user.headers
    )
    return response


def test_create_read_update_delete(api: Api, alice: User) -> None:
    created = create(api, alice, name="  Recipes ", color_code="#1e90ff")
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["name"], body["color_code"], body["posts"]) == ("Recipes", "#1E90FF", 0)
    path = f"{CATEGORIES}/{body['id']}"
    assert api.client.get(path, headers=alice.headers).json() == body

    renamed = api.client.patch(path, json={"name": "Bakes"}, headers=alice.headers)
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["color_code"]) == ("Bakes", "#1E90FF")
    cleared = api.client.patch(path, json={"color_code": None}, headers=alice.headers).json()
    assert (cleared["name"], cleared["color_code"]) == ("Bakes", None)

    create(api, alice, name="apples")
    assert [c["name"] for c in api.client.get(CATEGORIES, headers=alice.headers).json()] == [
        "apples",
        "Bakes",
    ]
    assert api.client.delete(path, headers=alice.headers).status_code == 204
    assert_problem(api.client.get(path, headers=alice.headers), 404)
    assert_problem(api.client.delete(path, headers=alice.headers), 404)


def test_names_are_unique_per_user_ignoring_case(api: Api, alice: User) -> None:
    first = create(api, alice, name="Recipes").json()
    assert (
        "already have a category named"
        in assert_problem(create(api, alice, name="recipes"), 409)["detail"]
    )
    other = create(api, alice, name="Team").json()
    clash = api.client.patch(
        f"{CATEGORIES}/{other['id']}", json={"name": "RECIPES"}, headers=alice.headers
    )
    assert_problem(clash, 409)
    same = api.client.patch(
        f"{CATEGORIES}/{first['id']}", json={"name": "recipes"}, headers=alice.headers
    )
    assert same.status_code == 200  # renaming to itself in another case is fine
    bob = api.user()
    assert create(api, bob, name="Recipes").status_code == 201  # another user's names are theirs
    assert count_rows("content_categories") == 3


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "color_code": "red"},
        {"name": "x", "color_code": "#12345"},
        {"name": "x", "color_code": "#GGGGGG"},
        {"name": "x", "color_code": "1E90FF"},
        {"name": ""},
        {"name": "x" * 101},
        {"color_code": "#000000"},
        {"name": "x", "colour": "#000000"},
    ],
)
def test_bad_categories_are_a_422_problem(api: Api, alice: User, body: dict[str, Any]) -> None:
    assert_problem(create(api, alice, **body), 422)
    assert count_rows("content_categories") == 0


def test_patch_refuses_a_null_name(api: Api, alice: User) -> None:
    cat = create(api, alice, name="Recipes").json()
    response = api.client.patch(
        f"{CATEGORIES}/{cat['id']}", json={"name": None}, headers=alice.headers
    )
    assert_problem(response, 422)


def test_tagging_a_post_replaces_its_categories(api: Api, alice: User) -> None:
    p = post(account(alice.id), utc(2026, 3, 1))
    a, b, c = (create(api, alice, name=n).json()["id"] for n in ("A", "B", "C"))
    tagged = tag(api, alice, p, [b, a, a])
    assert tagged.status_code == 200, tagged.text
    assert [t["name"] for t in tagged.json()] == ["A", "B"]
    assert [t["name"] for t in tag(api, alice, p, [c]).json()] == ["C"]
    counts = {
        x["name"]: x["posts"] for x in api.client.get(CATEGORIES, headers=alice.headers).json()
    }
    assert counts == {"A": 0, "B": 0, "C": 1}
    assert tag(api, alice, p, []).json() == []
    assert count_rows("post_categories") == 0


def test_deleting_a_category_untags_its_posts(api: Api, alice: User) -> None:
    p = post(account(alice.id), utc(2026, 3, 1))
    cat = create(api, alice, name="A").json()
    tag(api, alice, p, [cat["id"]])
    api.client.delete(f"{CATEGORIES}/{cat['id']}", headers=alice.headers)
    assert count_rows("post_categories") == 0
    assert count_rows("posts") == 1


def test_only_own_posts_and_categories_can_be_tagged(api: Api, alice: User) -> None:
    bob = api.user()
    mine = post(account(alice.id), utc(2026, 3, 1))
    theirs = post(account(bob.id), utc(2026, 3, 1))
    my_cat = create(api, alice, name="Mine").json()["id"]
    their_cat = create(api, bob, name="Theirs").json()["id"]
    tag(api, alice, mine, [my_cat])

    refused = tag(api, alice, mine, [my_cat, their_cat])
    assert their_cat in assert_problem(refused, 404)["detail"]
    assert_problem(tag(api, alice, theirs, [my_cat]), 404)
    assert_problem(tag(api, alice, uuid.uuid4(), [my_cat]), 404)
    assert count_rows("post_categories") == 1  # nothing changed
    assert_problem(tag(api, alice, mine, ["nope"]), 422)
    assert_problem(tag(api, alice, mine, [str(uuid.uuid4())] * 101), 422)


def test_a_name_taken_at_the_same_moment_is_a_409_not_a_500(
    api: Api, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soash.content import service

    create(api, alice, name="Recipes")
    # As if another request took the name between this one's check and its insert.
    monkeypatch.setattr(service, "_check_name_free", lambda *args, **kwargs: None)
    assert_problem(create(api, alice, name="Recipes"), 409)
    assert count_rows("content_categories") == 1
