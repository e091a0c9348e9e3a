"""Fixtures for publishing tests: a signed-in user with an X account on the X fake."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from soash.social.models import Platform
from soash.social.platforms.base import TokenSet
from tests.fakes.x import XFake
from tests.helpers import Api, User
from tests.social.conftest import make_account


def later(hours: float = 2) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def x_account(user: User, fake: XFake | None = None) -> uuid.UUID:
    token = fake.token() if fake else "tok-1"
    return make_account(
        uuid.UUID(user.id),
        platform=Platform.twitter,
        platform_user_id=fake.user["id"] if fake else f"x-{user.id}",
        tokens=TokenSet(access_token=token),
    )


def new_post(api: Api, user: User, account: uuid.UUID, **fields: Any) -> Any:
    body = {
        "social_account_id": str(account),
        "content_type": "text",
        "caption": "Hello from Soash #launch",
        "scheduled_for": later(),
        **fields,
    }
    return api.client.post("/api/v1/scheduled-posts", json=body, headers=user.headers)


@pytest.fixture
def owner(api: Api) -> User:
    return api.user()
