"""The API against its own OpenAPI document, fuzzed with schemathesis: every operation, signed
in (as a user with posts, metrics, a category and a referral code) and anonymous. No answer may
be a server error, and every answer must be one the document lists, in the shape and content
type it gives. A fixed seed and a bounded number of cases keep it quick and repeatable; it runs
in the normal test step, so on SQLite and on PostgreSQL in CI."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from soash.app import create_app
from soash.config import Settings
from soash.users.models import SubscriptionTier
from tests.analytics.data import set_tier
from tests.content.conftest import (
    ACCOUNT_METRICS,
    POSTS,
    day_row,
    days_file,
    post_row,
    posts_file,
    upload,
)
from tests.helpers import Api

PLATFORMS = ("instagram", "facebook", "tiktok", "x", "linkedin")
CASES_PER_OPERATION = 25  # for each of signed in and anonymous
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

APP = create_app()
SCHEMA = schemathesis.openapi.from_dict(APP.openapi())
SCHEMA.app = APP

pytestmark = pytest.mark.fuzz


def _seed(api: Api) -> dict[str, str]:
    """A signed-in user with something behind every read: posts with figures, account days,
    a category on a post, a referral code."""
    user = api.user()
    set_tier(user.id, SubscriptionTier.enterprise)  # the 2025 posts stay within its history
    rows = [
        post_row(post_id=f"p{i}", day=f"2025-03-0{d}", likes=10 * i + d, posted_at=posted)
        for i, posted in enumerate(("2025-03-01T08:30:00+01:00", "2025-03-02T19:00:00Z"), 1)
        for d in (2, 3)
    ]
    assert upload(api, user, POSTS, posts_file(rows)).status_code == 200
    days = [day_row(day=f"2025-03-0{d}", followers=1000 + d) for d in (1, 2, 3)]
    assert upload(api, user, ACCOUNT_METRICS, days_file(days)).status_code == 200
    category = api.client.post(
        "/api/v1/categories", json={"name": "Bread"}, headers=user.headers
    ).json()
    post = api.client.get("/api/v1/posts", headers=user.headers).json()["items"][0]
    api.client.put(
        f"/api/v1/posts/{post['id']}/categories",
        json={"category_ids": [category["id"]]},
        headers=user.headers,
    )
    api.client.post("/api/v1/referral-codes", headers=user.headers)
    return user.headers


@pytest.fixture
def auth_headers(
    api: Api, settings: Settings, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> dict[str, str]:
    for platform in PLATFORMS:  # every platform set up, so connecting one starts its flow
        monkeypatch.setattr(getattr(settings, platform), "client_id", "fuzz-client")
        monkeypatch.setattr(getattr(settings, platform), "client_secret", SecretStr("fuzz"))
    signed_in: bool = request.param
    return _seed(api) if signed_in else {}


@pytest.mark.parametrize(
    "auth_headers", [True, False], ids=["signed-in", "anonymous"], indirect=True
)
@SCHEMA.parametrize()
@settings(
    max_examples=CASES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_operation_keeps_its_contract(case: Any, auth_headers: dict[str, str]) -> None:
    headers = {**auth_headers, **(case.headers or {})}
    case.call_and_validate(headers=headers, checks=CHECKS)
