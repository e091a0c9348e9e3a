"""POST /api/v1/auth/password-reset and /auth/password-reset/confirm."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from soash.db import session_scope, utcnow
from soash.models import PasswordReset
from tests.helpers import Api, User, last_token, outbox_messages
from tests.users.conftest import assert_problem, count_rows

REQUEST = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
NEW_PASSWORD = "another-long-phrase-42"


def _reset_token(api: Api, email: str) -> str:
    assert api.client.post(REQUEST, json={"email": email}).status_code == 202
    return last_token(email, "reset")


def test_reset_request_answers_202_and_sends_a_link(api: Api, user: User) -> None:
    response = api.client.post(REQUEST, json={"email": user.email.upper()})

    assert response.status_code == 202, response.text
    message = outbox_messages(user.email)[-1]
    assert "reset" in message["Subject"].lower()
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "http://testserver/reset-password?token=" in body.decode()
    assert count_rows("password_resets") == 1


def test_reset_request_for_an_unknown_email_looks_the_same(api: Api, user: User) -> None:
    known = api.client.post(REQUEST, json={"email": user.email})
    sent = len(outbox_messages())

    unknown = api.client.post(REQUEST, json={"email": "nobody@example.com"})

    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    assert len(outbox_messages()) == sent
    assert count_rows("password_resets") == 1


def test_reset_confirm_refuses_a_weak_password(api: Api, user: User) -> None:
    token = _reset_token(api, user.email)

    response = api.client.post(CONFIRM, json={"token": token, "new_password": "qwertyuiop"})

    body = assert_problem(response, 422)
    assert body["field"] == "new_password"
    assert api.login(user.email).status_code == 200  # old password unchanged
    assert count_rows("password_resets", used_at=None) == 1  # token still usable


def test_reset_confirm_changes_the_password(api: Api, user: User) -> None:
    token = _reset_token(api, user.email)

    response = api.client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD})

    assert response.status_code == 200, response.text
    assert api.login(user.email, NEW_PASSWORD).status_code == 200
    assert_problem(api.login(user.email), 401)


def test_reset_confirm_signs_out_every_session(api: Api, user: User) -> None:
    second = api.login(user.email).json()["access_token"]
    api.client.cookies.clear()
    token = _reset_token(api, user.email)

    assert api.client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD}).is_success

    assert_problem(api.client.get("/api/v1/me", headers=user.headers), 401)
    assert_problem(api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}), 401)
    assert count_rows("user_sessions", revoked_at=None) == 0


def test_reset_token_works_only_once(api: Api, user: User) -> None:
    token = _reset_token(api, user.email)
    first = api.client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD})
    assert first.status_code == 200

    response = api.client.post(
        CONFIRM, json={"token": token, "new_password": "third-pass-phrase-9"}
    )

    assert_problem(response, 400)
    assert api.login(user.email, NEW_PASSWORD).status_code == 200


def test_reset_refuses_an_expired_token(api: Api, user: User) -> None:
    token = _reset_token(api, user.email)
    with session_scope() as db:
        db.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))

    response = api.client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD})

    body = assert_problem(response, 400)
    assert "expired" in body["detail"]
    assert api.login(user.email).status_code == 200


def test_reset_refuses_an_unknown_token(api: Api, user: User) -> None:
    response = api.client.post(CONFIRM, json={"token": "y" * 43, "new_password": NEW_PASSWORD})

    assert_problem(response, 400)
    assert api.login(user.email).status_code == 200
