"""The social-accounts API: who may connect, plan limits, pausing, disconnecting, syncing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from soash.config import Settings
from soash.db import session_scope
from soash.jobs import huey
from soash.social.models import SocialAccount
from soash.system.models import JobStatus, SystemJob
from tests.helpers import Api
from tests.social.conftest import make_account


@pytest.fixture
def configured(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings.instagram, "client_id", "app-id")
    monkeypatch.setattr(settings.instagram, "client_secret", SecretStr("app-secret"))


@pytest.fixture
def queue_only() -> Iterator[None]:
    """Tasks are queued for a worker (none runs in these tests)."""
    huey.storage.flush_queue()
    yield
    huey.storage.flush_queue()


def test_an_unverified_user_cannot_connect_an_account(api: Api) -> None:
    user = api.user(verified=False)
    response = api.client.get("/api/v1/social-accounts/connect/instagram", headers=user.headers)
    assert response.status_code == 403
    assert "Confirm your email" in response.json()["detail"]


def test_an_unconfigured_platform_says_what_to_set(api: Api) -> None:
    user = api.user()
    response = api.client.get("/api/v1/social-accounts/connect/tiktok", headers=user.headers)
    assert response.status_code == 503
    assert "SOASH_TIKTOK_CLIENT_ID" in response.json()["detail"]


def test_an_unknown_platform_is_a_clear_422(api: Api) -> None:
    user = api.user()
    response = api.client.get("/api/v1/social-accounts/connect/myspace", headers=user.headers)
    assert response.status_code == 422
    assert "platform" in response.json()["detail"]


@pytest.mark.usefixtures("configured")
def test_the_plan_limit_on_connected_accounts_is_enforced(api: Api) -> None:
    user = api.user()
    for n in range(3):
        make_account(uuid.UUID(user.id), platform_user_id=f"demo-{n}")
    response = api.client.get("/api/v1/social-accounts/connect/instagram", headers=user.headers)
    assert response.status_code == 403
    body = response.json()
    assert (body["limit"], body["tier"]) == (3, "free")
    assert "free plan allows 3" in body["detail"]


def test_list_read_pause_and_resume(api: Api) -> None:
    user = api.user()
    account_id = make_account(uuid.UUID(user.id))
    listed = api.client.get("/api/v1/social-accounts", headers=user.headers).json()
    assert [a["id"] for a in listed] == [str(account_id)]
    assert listed[0]["connected"] is True
    assert "access_token" not in listed[0]
    path = f"/api/v1/social-accounts/{account_id}"
    paused = api.client.patch(path, json={"is_active": False}, headers=user.headers)
    assert paused.json()["is_active"] is False
    resumed = api.client.patch(path, json={"is_active": True}, headers=user.headers)
    assert resumed.json()["is_active"] is True


def test_disconnect_forgets_the_tokens_but_keeps_the_history(api: Api) -> None:
    user = api.user()
    account_id = make_account(uuid.UUID(user.id))
    path = f"/api/v1/social-accounts/{account_id}"
    assert api.client.delete(path, headers=user.headers).status_code == 204
    with session_scope() as db:
        row = db.get_one(SocialAccount, account_id)
        assert row.access_token is None and row.refresh_token is None
        assert not row.is_active
    again = api.client.patch(path, json={"is_active": True}, headers=user.headers)
    assert again.status_code == 409


def test_disconnect_with_delete_data_removes_the_account(api: Api) -> None:
    user = api.user()
    account_id = make_account(uuid.UUID(user.id))
    path = f"/api/v1/social-accounts/{account_id}?delete_data=true"
    assert api.client.delete(path, headers=user.headers).status_code == 204
    with session_scope() as db:
        assert db.get(SocialAccount, account_id) is None


@pytest.mark.usefixtures("queue_only")
def test_sync_now_queues_one_job_at_a_time(api: Api) -> None:
    user = api.user()
    account_id = make_account(uuid.UUID(user.id))
    path = f"/api/v1/social-accounts/{account_id}/sync"
    first = api.client.post(path, headers=user.headers)
    assert first.status_code == 202
    assert first.json()["status"] == "pending"
    assert huey.pending_count() == 1
    second = api.client.post(path, headers=user.headers)
    assert second.status_code == 409
    assert "already pending" in second.json()["detail"]
    with session_scope() as db:
        assert [j.status for j in db.scalars(select(SystemJob))] == [JobStatus.pending]


@pytest.mark.usefixtures("configured")
def test_a_cancelled_paid_plan_gets_the_free_limit_and_says_why(api: Api) -> None:
    from soash.users.models import SubscriptionStatus, SubscriptionTier, User

    user = api.user()
    with session_scope() as db:
        row = db.get_one(User, uuid.UUID(user.id))
        row.subscription_tier = SubscriptionTier.pro
        row.subscription_status = SubscriptionStatus.cancelled
    for n in range(3):
        make_account(uuid.UUID(user.id), platform_user_id=f"demo-{n}")
    response = api.client.get("/api/v1/social-accounts/connect/instagram", headers=user.headers)
    assert response.status_code == 403
    assert "pro subscription is cancelled, so the free plan's limit" in response.json()["detail"]
