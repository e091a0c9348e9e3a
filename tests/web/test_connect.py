"""Connecting an account from the web app: out to the platform's authorize page and back to a
page (connect.redirect_uri(platform, web=True)), not to the API's JSON callback."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from soash.config import Settings
from soash.db import session_scope
from soash.social.models import SocialAccount
from soash.users.models import User
from tests.factories import make_user
from tests.fakes.x import XFake
from tests.web.test_csrf import signed_in


def _accounts() -> int:
    with session_scope() as db:
        return db.scalar(select(func.count()).select_from(SocialAccount)) or 0


def _start(client: TestClient, token: str, platform: str = "twitter") -> dict[str, str]:
    response = client.post(
        f"/accounts/connect/{platform}", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


@pytest.mark.usefixtures("inline_jobs")
def test_connect_goes_out_and_comes_back_to_the_accounts_page(
    client: TestClient, x_fake: XFake, settings: Settings
) -> None:
    make_user("ana@example.com")
    token = signed_in(client, "ana@example.com")
    query = _start(client, token)
    assert query["redirect_uri"] == f"{settings.base_url}/accounts/callback/twitter"
    code = x_fake.authorize(query["redirect_uri"], query["code_challenge"])
    back = client.get(
        "/accounts/callback/twitter",
        params={"code": code, "state": query["state"]},
        follow_redirects=False,
    )
    assert back.status_code == 303
    assert back.headers["location"] == "/accounts"
    page = client.get("/accounts")
    assert "Connected X @XDevelopers. Its first sync has started." in page.text
    assert "Synced just now" in page.text
    assert _accounts() == 1
    replay = client.get(
        "/accounts/callback/twitter", params={"code": code, "state": query["state"]}
    )
    assert "invalid, expired or already used" in replay.text
    assert _accounts() == 1


def test_a_refusal_at_the_platform_is_told_on_the_page(client: TestClient, x_fake: XFake) -> None:
    make_user("ana@example.com")
    token = signed_in(client, "ana@example.com")
    query = _start(client, token)
    page = client.get(
        "/accounts/callback/twitter",
        params={
            "error": "access_denied",
            "error_description": "The user denied access",
            "state": query["state"],
        },
    )
    assert page.status_code == 200
    assert "X was not connected: The user denied access." in page.text
    assert _accounts() == 0


def test_an_unverified_user_or_an_unset_platform_gets_a_clear_message(
    client: TestClient, x_fake: XFake
) -> None:
    make_user("ana@example.com")
    token = signed_in(client, "ana@example.com")
    page = client.post("/accounts/connect/linkedin", data={"csrf_token": token})
    assert "SOASH_LINKEDIN_CLIENT_ID" in page.text
    with session_scope() as db:
        db.scalars(select(User)).one().is_verified = False
    page = client.post("/accounts/connect/twitter", data={"csrf_token": token})
    assert "Confirm your email address first" in page.text
    assert _accounts() == 0


def _finish(client: TestClient, x_fake: XFake, query: dict[str, str]) -> str:
    code = x_fake.authorize(query["redirect_uri"], query["code_challenge"])
    params = {"code": code, "state": query["state"]}
    page: str = client.get("/accounts/callback/twitter", params=params).text
    return page


@pytest.mark.usefixtures("inline_jobs")
def test_sync_pause_resume_reconnect_and_disconnect(client: TestClient, x_fake: XFake) -> None:
    make_user("ana@example.com")
    token = signed_in(client, "ana@example.com")
    _finish(client, x_fake, _start(client, token))
    with session_scope() as db:
        account_id = db.scalars(select(SocialAccount.id)).one()
    form = {"csrf_token": token}

    assert "Sync started." in client.post(f"/accounts/{account_id}/sync", data=form).text
    paused = client.post(f"/accounts/{account_id}/pause", data=form).text
    assert "Paused: it will not sync" in paused and ">Resume<" in paused
    assert "Resumed" in client.post(f"/accounts/{account_id}/resume", data=form).text

    # The grant dies: the next sync pauses the account and asks for a reconnect.
    for access in list(x_fake.grants._access):
        x_fake.grants.revoke(access)
    page = client.post(f"/accounts/{account_id}/sync", data=form).text
    assert "Paused: reconnect needed" in page
    again = client.post(
        f"/accounts/{account_id}/reconnect", data=form, follow_redirects=False
    ).headers["location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(again).query).items()}
    assert "Connected X @XDevelopers" in _finish(client, x_fake, query)
    with session_scope() as db:
        account = db.get_one(SocialAccount, account_id)
        assert account.is_active and account.sync_error is None
    assert _accounts() == 1

    gone = client.post(f"/accounts/{account_id}/disconnect", data=form).text
    assert "Disconnected. Its history stays" in gone and "Disconnected</span>" in gone
    with session_scope() as db:
        assert db.get_one(SocialAccount, account_id).access_token is None
