"""POST /api/v1/auth/verify and /auth/resend-verification."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from soash.db import session_scope, utcnow
from soash.models import User
from tests.helpers import Api, last_token, outbox_messages
from tests.users.conftest import assert_problem, count_rows

VERIFY = "/api/v1/auth/verify"
RESEND = "/api/v1/auth/resend-verification"


def test_verify_marks_the_account_verified(api: Api) -> None:
    api.register("v@example.com")
    token = last_token("v@example.com", "verify")

    response = api.client.post(VERIFY, json={"token": token})

    assert response.status_code == 200, response.text
    assert response.json()["email"] == "v@example.com"
    assert response.json()["is_verified"] is True
    assert count_rows("users", is_verified=True) == 1
    assert count_rows("users", verification_token=None, verification_expires_at=None) == 1


def test_verify_token_works_only_once(api: Api) -> None:
    api.register("v@example.com")
    token = last_token("v@example.com", "verify")
    assert api.client.post(VERIFY, json={"token": token}).status_code == 200

    response = api.client.post(VERIFY, json={"token": token})

    body = assert_problem(response, 400)
    assert "resend-verification" in body["detail"]


def test_verify_refuses_an_expired_token(api: Api) -> None:
    api.register("v@example.com")
    token = last_token("v@example.com", "verify")
    with session_scope() as db:
        db.execute(update(User).values(verification_expires_at=utcnow() - timedelta(minutes=1)))

    response = api.client.post(VERIFY, json={"token": token})

    assert_problem(response, 400)
    assert count_rows("users", is_verified=False) == 1


def test_verify_refuses_an_unknown_token(api: Api) -> None:
    api.register("v@example.com")

    response = api.client.post(VERIFY, json={"token": "x" * 43})

    assert_problem(response, 400)
    assert count_rows("users", is_verified=False) == 1


def test_resend_verification_answers_202_for_an_unknown_email(api: Api) -> None:
    response = api.client.post(RESEND, json={"email": "nobody@example.com"})

    assert response.status_code == 202, response.text
    assert "message" in response.json()
    assert outbox_messages() == []


def test_resend_verification_sends_a_new_link_to_an_unverified_user(api: Api) -> None:
    api.register("v@example.com")
    old_token = last_token("v@example.com", "verify")

    response = api.client.post(RESEND, json={"email": "V@Example.com"})

    assert response.status_code == 202, response.text
    assert len(outbox_messages("v@example.com")) == 2
    new_token = last_token("v@example.com", "verify")
    assert new_token != old_token
    assert_problem(api.client.post(VERIFY, json={"token": old_token}), 400)
    assert api.client.post(VERIFY, json={"token": new_token}).status_code == 200


def test_resend_verification_sends_nothing_to_a_verified_user(api: Api) -> None:
    verified = api.user("done@example.com")
    sent_before = len(outbox_messages(verified.email))

    response = api.client.post(RESEND, json={"email": verified.email})

    assert response.status_code == 202
    assert response.json() == api.client.post(RESEND, json={"email": "nobody@x.org"}).json()
    assert len(outbox_messages(verified.email)) == sent_before
