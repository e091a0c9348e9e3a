"""A reconnect while the account's sync is still queued keeps the new tokens (the OAuth code
is spent: losing them would lose the connection) and points at the queued sync."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import select

from soash.db import session_scope
from soash.social.models import SocialAccount
from soash.social.tokens import load_tokens
from soash.system.models import JobStatus, SystemJob
from tests.factories import make_user
from tests.fakes.x import XFake
from tests.helpers import Api
from tests.social.test_end_to_end import _connect
from tests.web.test_connect import _finish, _start
from tests.web.test_csrf import signed_in


def _access_token() -> str:
    with session_scope() as db:
        tokens = load_tokens(db.scalars(select(SocialAccount)).one())
    assert tokens is not None
    return tokens.access_token


def _jobs() -> list[SystemJob]:
    with session_scope() as db:
        return list(db.scalars(select(SystemJob)))


def _code(x_fake: XFake) -> object:
    return lambda q: x_fake.authorize(q["redirect_uri"], q["code_challenge"])


def test_an_api_reconnect_while_a_sync_is_pending_keeps_the_new_tokens(
    api: Api, x_fake: XFake
) -> None:
    user = api.user()
    first = _connect(api, user, "twitter", _code(x_fake))
    old_token = _access_token()
    [pending] = _jobs()
    assert pending.status is JobStatus.pending  # no worker in this test: it waits

    again = _connect(api, user, "twitter", _code(x_fake))
    assert again["account"]["id"] == first["account"]["id"]
    assert again["sync_job"]["id"] == str(pending.id)  # the queued sync, not a second one
    assert _access_token() != old_token
    assert [j.id for j in _jobs()] == [pending.id]


def test_a_web_reconnect_while_a_sync_is_pending_keeps_the_new_tokens(
    client: TestClient, x_fake: XFake
) -> None:
    make_user("ana@example.com")
    token = signed_in(client, "ana@example.com")
    _finish(client, x_fake, _start(client, token))
    old_token = _access_token()
    with session_scope() as db:
        account_id = db.scalars(select(SocialAccount.id)).one()
    response = client.post(
        f"/accounts/{account_id}/reconnect", data={"csrf_token": token}, follow_redirects=False
    )
    query = {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}
    page = _finish(client, x_fake, query)
    assert "Connected X @XDevelopers." in page
    assert _access_token() != old_token
    assert len(_jobs()) == 1
