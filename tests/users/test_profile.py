"""GET/PUT /api/v1/profile and POST /api/v1/profile/complete-onboarding."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Api, User
from tests.users.conftest import assert_problem

PROFILE = "/api/v1/profile"
ONBOARDING = "/api/v1/profile/complete-onboarding"

FULL: dict[str, Any] = {
    "brand_name": "Sunny Bakes",
    "brand_description": "Small-batch sourdough from Lisbon.",
    "industry": "Food & drink",
    "target_audience": "Home bakers, 25-45",
    "brand_values": ["craft", "honesty"],
    "business_goals": ["grow followers", "sell workshops"],
    "timezone": "Europe/Lisbon",
    "avatar_url": "https://cdn.example.com/avatar.png",
}


def test_get_profile_starts_empty(api: Api, user: User) -> None:
    response = api.client.get(PROFILE, headers=user.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["timezone"] == "UTC"
    assert body["brand_values"] == []
    assert body["business_goals"] == []
    assert body["onboarding_completed"] is False
    for field in ("brand_name", "brand_description", "industry", "target_audience", "avatar_url"):
        assert body[field] is None


def test_put_profile_stores_every_field(api: Api, user: User) -> None:
    response = api.client.put(PROFILE, json=FULL, headers=user.headers)

    assert response.status_code == 200, response.text
    stored = api.client.get(PROFILE, headers=user.headers).json()
    for field, value in FULL.items():
        assert stored[field] == value, field


def test_put_profile_replaces_the_whole_profile(api: Api, user: User) -> None:
    api.client.put(PROFILE, json=FULL, headers=user.headers)

    response = api.client.put(PROFILE, json={"brand_name": "Renamed"}, headers=user.headers)

    body = response.json()
    assert body["brand_name"] == "Renamed"
    assert body["industry"] is None
    assert body["brand_values"] == []
    assert body["timezone"] == "UTC"


@pytest.mark.parametrize("timezone", ["Mars/Olympus", "CEST", "../etc/passwd", ""])
def test_put_profile_refuses_an_unknown_timezone(api: Api, user: User, timezone: str) -> None:
    response = api.client.put(PROFILE, json={"timezone": timezone}, headers=user.headers)

    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "timezone"
    assert "IANA" in body["detail"]
    assert api.client.get(PROFILE, headers=user.headers).json()["timezone"] == "UTC"


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a.png", "javascript:alert(1)", "not a url", "//example.com/a"]
)
def test_put_profile_refuses_a_non_http_avatar_url(api: Api, user: User, url: str) -> None:
    response = api.client.put(PROFILE, json={"avatar_url": url}, headers=user.headers)

    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "avatar_url"


def test_put_profile_refuses_brand_values_that_are_not_a_list(api: Api, user: User) -> None:
    response = api.client.put(PROFILE, json={"brand_values": "craft"}, headers=user.headers)

    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "brand_values"


def test_put_profile_refuses_a_list_of_non_strings(api: Api, user: User) -> None:
    response = api.client.put(PROFILE, json={"business_goals": [{"a": 1}]}, headers=user.headers)

    body = assert_problem(response, 422)
    assert body["errors"][0]["field"].startswith("business_goals")


def test_put_profile_refuses_an_unknown_field(api: Api, user: User) -> None:
    response = api.client.put(PROFILE, json={**FULL, "brand_colour": "red"}, headers=user.headers)

    body = assert_problem(response, 422)
    assert body["errors"] == [
        {"field": "brand_colour", "message": "is not a field this endpoint accepts; remove it"}
    ]
    assert api.client.get(PROFILE, headers=user.headers).json()["brand_name"] is None


def test_complete_onboarding_lists_the_missing_fields(api: Api, user: User) -> None:
    api.client.put(PROFILE, json={"brand_name": "Sunny Bakes"}, headers=user.headers)

    response = api.client.post(ONBOARDING, headers=user.headers)

    body = assert_problem(response, 422)
    assert body["missing"] == ["industry"]
    assert "industry" in body["detail"]
    assert api.client.get(PROFILE, headers=user.headers).json()["onboarding_completed"] is False


def test_complete_onboarding_on_an_empty_profile_lists_everything_missing(
    api: Api, user: User
) -> None:
    body = assert_problem(api.client.post(ONBOARDING, headers=user.headers), 422)

    assert body["missing"] == ["brand_name", "industry"]  # timezone defaults to UTC


def test_complete_onboarding_succeeds_once_the_fields_are_set(api: Api, user: User) -> None:
    profile = {"brand_name": "Sunny Bakes", "industry": "Food", "timezone": "Asia/Tokyo"}
    api.client.put(PROFILE, json=profile, headers=user.headers)

    response = api.client.post(ONBOARDING, headers=user.headers)

    assert response.status_code == 200, response.text
    assert response.json()["onboarding_completed"] is True
    assert api.client.get(PROFILE, headers=user.headers).json()["onboarding_completed"] is True


def test_clearing_a_required_field_reopens_onboarding(api: Api, user: User) -> None:
    api.client.put(PROFILE, json=FULL, headers=user.headers)
    assert api.client.post(ONBOARDING, headers=user.headers).status_code == 200

    response = api.client.put(PROFILE, json={**FULL, "industry": None}, headers=user.headers)

    assert response.json()["onboarding_completed"] is False
