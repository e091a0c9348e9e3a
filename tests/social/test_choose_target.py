"""A login that manages several accounts (Facebook Pages, LinkedIn organizations): the user
picks one, through the API and the web app; the pick is single-use and bound to its sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from soash.config import Settings
from soash.db import session_scope
from soash.social.models import SocialAccount
from soash.social.tokens import load_tokens
from tests.factories import make_user
from tests.fakes.facebook import FacebookFake
from tests.helpers import Api, User
from tests.web.test_csrf import signed_in

SECOND = "2222222222"


@pytest.fixture
def fb_fake(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[FacebookFake]:
    fake = FacebookFake()
    fake.start()
    for name, value in fake.settings():
        monkeypatch.setattr(settings.facebook, name, value)
    yield fake
    fake.stop()


def _state(api: Api, user: User) -> str:
    started = api.client.get("/api/v1/social-accounts/connect/facebook", headers=user.headers)
    assert started.status_code == 200, started.text
    return str(parse_qs(urlsplit(started.json()["authorize_url"]).query)["state"][0])


def _callback(api: Api, user: User, state: str) -> dict:  # type: ignore[type-arg]
    response = api.client.get(
        "/api/v1/social-accounts/callback/facebook",
        params={"code": "fb-code", "state": state},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    body: dict = response.json()  # type: ignore[type-arg]
    return body


def test_the_api_offers_every_page_and_connects_the_one_picked(
    api: Api, fb_fake: FacebookFake
) -> None:
    second_token = fb_fake.add_page(SECOND, name="Second page", username="second", followers=12)
    user = api.user()
    state = _state(api, user)
    offered = _callback(api, user, state)
    assert offered["account"] is None and offered["sync_job"] is None
    assert [c["platform_user_id"] for c in offered["choices"]][1] == SECOND
    assert offered["choices"][1]["display_name"] == "Second page"
    assert "token" not in str(offered["choices"]).lower()
    with session_scope() as db:
        assert db.scalars(select(SocialAccount)).all() == []  # nothing until the pick

    picked = api.client.post(
        "/api/v1/social-accounts/connect/facebook/choose",
        json={"state": state, "platform_user_id": SECOND},
        headers=user.headers,
    )
    assert picked.status_code == 200, picked.text
    assert picked.json()["account"]["platform_user_id"] == SECOND
    assert picked.json()["sync_job"]["status"] == "pending"
    with session_scope() as db:
        account = db.scalars(select(SocialAccount)).one()
        tokens = load_tokens(account)
    assert tokens is not None and tokens.access_token == second_token  # the Page's own token

    again = api.client.post(
        "/api/v1/social-accounts/connect/facebook/choose",
        json={"state": state, "platform_user_id": SECOND},
        headers=user.headers,
    )
    assert again.status_code == 400  # single-use


def test_a_pick_outside_the_offer_or_by_someone_else_is_refused(
    api: Api, fb_fake: FacebookFake
) -> None:
    fb_fake.add_page(SECOND, name="Second page")
    user, other = api.user(), api.user()
    state = _state(api, user)
    _callback(api, user, state)
    path = "/api/v1/social-accounts/connect/facebook/choose"
    outside = api.client.post(
        path, json={"state": state, "platform_user_id": "999"}, headers=user.headers
    )
    assert outside.status_code == 400
    assert "Pick one of the accounts" in outside.json()["detail"]
    foreign = api.client.post(
        path, json={"state": state, "platform_user_id": SECOND}, headers=other.headers
    )
    assert foreign.status_code == 400
    with session_scope() as db:
        assert db.scalars(select(SocialAccount)).all() == []


def test_a_login_with_one_page_connects_it_at_once(api: Api, fb_fake: FacebookFake) -> None:
    user = api.user()
    connected = _callback(api, user, _state(api, user))
    assert connected["choices"] == []
    assert connected["account"]["display_name"] == "Acme"


def test_the_web_app_asks_which_page_and_connects_it(
    client: TestClient, fb_fake: FacebookFake
) -> None:
    fb_fake.add_page(SECOND, name="Second page", username="second", followers=12)
    make_user("ana@example.com")
    token = signed_in(client, "ana@example.com")
    started = client.post(
        "/accounts/connect/facebook", data={"csrf_token": token}, follow_redirects=False
    )
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    page = client.get("/accounts/callback/facebook", params={"code": "fb-code", "state": state})
    assert page.status_code == 200
    assert "Which Facebook account?" in page.text and "Second page" in page.text
    done = client.post(
        "/accounts/connect/facebook/choose",
        data={"csrf_token": token, "state": state, "platform_user_id": SECOND},
    )
    assert "Connected Facebook @second." in done.text
    with session_scope() as db:
        assert db.scalars(select(SocialAccount.platform_user_id)).all() == [SECOND]
