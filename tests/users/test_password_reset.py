"""POST /api/v1/auth/password-reset and /auth/password-reset/confirm."""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from soash.config import Settings
from soash.db import session_scope, utcnow
from soash.models import PasswordReset
from tests.helpers import Api, User, last_token, outbox_messages
from tests.users.conftest import assert_problem, count_rows, free_port

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


def test_five_concurrent_confirms_of_one_token_change_the_password_once(
    api: Api, user: User
) -> None:
    token = _reset_token(api, user.email)
    app = api.client.app
    start = threading.Barrier(5)

    def confirm(n: int) -> int:
        with TestClient(app) as client:
            start.wait()
            body = {"token": token, "new_password": f"racing-pass-phrase-{n}"}
            return int(client.post(CONFIRM, json=body).status_code)

    with ThreadPoolExecutor(5) as pool:
        statuses = sorted(pool.map(confirm, range(5)))

    assert statuses == [200, 400, 400, 400, 400]
    winners = [n for n in range(5) if api.login(user.email, f"racing-pass-phrase-{n}").is_success]
    assert len(winners) == 1


def test_an_older_token_stops_working_once_a_newer_one_is_used(api: Api, user: User) -> None:
    older = _reset_token(api, user.email)
    newer = _reset_token(api, user.email)
    assert api.client.post(CONFIRM, json={"token": newer, "new_password": NEW_PASSWORD}).is_success

    response = api.client.post(CONFIRM, json={"token": older, "new_password": "sneaky-phrase-77"})

    assert_problem(response, 400)
    assert api.login(user.email, NEW_PASSWORD).status_code == 200
    assert count_rows("password_resets", used_at=None) == 0


def test_a_password_change_kills_every_reset_link_still_out(api: Api, user: User) -> None:
    token = _reset_token(api, user.email)
    changed = api.client.patch(
        "/api/v1/me",
        headers=user.headers,
        json={"current_password": user.password, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 200, changed.text

    response = api.client.post(CONFIRM, json={"token": token, "new_password": "sneaky-phrase-77"})

    assert_problem(response, 400)
    assert api.login(user.email, NEW_PASSWORD).status_code == 200


def test_an_email_change_signs_out_other_sessions_and_kills_reset_links(
    api: Api, user: User
) -> None:
    other = api.login(user.email).json()["access_token"]
    api.client.cookies.clear()
    token = _reset_token(api, user.email)

    changed = api.client.patch(
        "/api/v1/me",
        headers=user.headers,
        json={"current_password": user.password, "email": "moved@example.com"},
    )

    assert changed.status_code == 200, changed.text
    assert api.client.get("/api/v1/me", headers=user.headers).status_code == 200  # this one stays
    assert_problem(api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}), 401)
    response = api.client.post(CONFIRM, json={"token": token, "new_password": "sneaky-phrase-77"})
    assert_problem(response, 400)


def test_reset_request_sends_no_mail_in_the_request(
    api: Api, user: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the mail server down, a known and an unknown email get the same answer: the link
    is written and mailed by a job, after the request."""
    outbox_messages()  # the verification email of the fixture's sign-up
    monkeypatch.setattr(settings.smtp, "host", "127.0.0.1")
    monkeypatch.setattr(settings.smtp, "port", free_port())  # nothing listens there

    known = api.client.post(REQUEST, json={"email": user.email})
    unknown = api.client.post(REQUEST, json={"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert known.headers["content-type"] == unknown.headers["content-type"]
    # Both queued one job, which looks the email up; no link was written yet.
    assert count_rows("password_resets") == 0
    assert count_rows("system_jobs", status="pending", job_type="send_email") == 2


def test_reset_request_takes_as_long_for_a_known_and_an_unknown_email(
    api: Api, user: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.rate_limit, "per_ip", 1000)
    monkeypatch.setattr(settings.rate_limit, "per_email_and_ip", 1000)

    def seconds(email: str) -> float:
        started = time.perf_counter()
        assert api.client.post(REQUEST, json={"email": email}).status_code == 202
        return time.perf_counter() - started

    seconds("warm-up@example.com")
    # Interleaved, so that a busy moment of the machine weighs on both alike.
    pairs = [(seconds("nobody@example.com"), seconds(user.email)) for _ in range(15)]
    unknown = statistics.median(u for u, _ in pairs)
    known = statistics.median(k for _, k in pairs)

    assert 0.4 < known / unknown < 2.5, (known, unknown)
