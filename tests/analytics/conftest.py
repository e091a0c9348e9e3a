"""Signed-in users for the analytics tests. Most tests use fixed dates in 2026, so their users
are on the enterprise plan (no history limit); tests of the limit set the plan themselves."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import Response

from soash.users.models import SubscriptionTier
from tests.analytics.data import set_tier
from tests.helpers import Api, User


@pytest.fixture
def alice(api: Api) -> User:
    user = api.user()
    set_tier(user.id, SubscriptionTier.enterprise)
    return user


def get(api: Api, user: User, path: str, **params: Any) -> Response:
    response: Response = api.client.get(
        f"/api/v1{path}",
        params={k.rstrip("_"): v for k, v in params.items() if v is not None},
        headers=user.headers,
    )
    return response


def ok(api: Api, user: User, path: str, **params: Any) -> dict[str, Any]:
    response = get(api, user, path, **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
