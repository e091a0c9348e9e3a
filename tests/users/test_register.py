"""POST /api/v1/auth/register."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from soash.db import session_scope
from soash.models import ReferralCode, ReferralSignup, User
from soash.security import hash_password
from tests.helpers import PASSWORD, Api, outbox_messages, token_in
from tests.users.conftest import assert_problem, count_rows


def test_register_answers_201_with_the_new_account(api: Api) -> None:
    response = api.register("new@example.com", first_name="Ada", last_name="Lovelace")

    assert response.status_code == 201, response.text
    body = response.json()
    assert uuid.UUID(body["id"])
    assert body["email"] == "new@example.com"
    assert body["first_name"] == "Ada"
    assert body["last_name"] == "Lovelace"
    assert body["is_verified"] is False
    assert body["subscription_tier"] == "free"
    assert body["subscription_status"] == "active"
    assert body["last_login_at"] is None
    created = datetime.fromisoformat(body["created_at"])
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)
    assert "password" not in response.text
    assert "password_hash" not in body


def test_register_normalises_the_email_case(api: Api) -> None:
    response = api.register("  Mixed.Case@Example.COM ")

    assert response.status_code == 201, response.text
    assert response.json()["email"] == "mixed.case@example.com"
    assert count_rows("users", email="mixed.case@example.com") == 1


def test_register_refuses_a_duplicate_email_in_any_case(api: Api) -> None:
    first = api.register("taken@example.com", first_name="Secretive")
    assert first.status_code == 201

    response = api.register("TAKEN@Example.com")

    body = assert_problem(response, 409)
    assert count_rows("users") == 1
    # Says what to do, and nothing about the existing account beyond its existence.
    assert "sign in" in body["detail"].lower() or "reset" in body["detail"].lower()
    for leak in ("Secretive", first.json()["id"], "verified", "taken@example.com"):
        assert leak not in response.text


def test_register_refuses_a_short_password_naming_the_field(api: Api) -> None:
    response = api.register("short@example.com", password="Xq7#kp2!")

    body = assert_problem(response, 422)
    assert body["field"] == "password"
    assert "10" in body["detail"]
    assert count_rows("users") == 0


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop", "Password123!"])
def test_register_refuses_a_common_password(api: Api, password: str) -> None:
    response = api.register("common@example.com", password=password)

    body = assert_problem(response, 422)
    assert body["field"] == "password"
    assert "common" in body["detail"]
    assert count_rows("users") == 0


def test_register_sends_a_verification_link(api: Api) -> None:
    response = api.register("welcome@example.com")
    assert response.status_code == 201

    messages = outbox_messages("welcome@example.com")

    assert len(messages) == 1
    body = messages[0].get_payload(decode=True)
    assert isinstance(body, bytes)
    token = token_in(body.decode(), "verify")
    assert "http://testserver/verify?token=" + token in body.decode()
    assert api.client.post("/api/v1/auth/verify", json={"token": token}).status_code == 200


def test_register_records_the_referral_of_a_known_code(api: Api) -> None:
    with session_scope() as db:
        referrer = User(email="referrer@example.com", password_hash=hash_password(PASSWORD))
        db.add(referrer)
        db.flush()
        db.add(ReferralCode(user_id=referrer.id, code="FRIEND10"))

    response = api.register("referee@example.com", referral_code="friend10")

    assert response.status_code == 201, response.text
    with session_scope() as db:
        signup = db.query(ReferralSignup).one()
        assert str(signup.referee_user_id) == response.json()["id"]


def test_register_ignores_an_unknown_referral_code_silently(api: Api) -> None:
    response = api.register("referee@example.com", referral_code="NO-SUCH-CODE")

    assert response.status_code == 201, response.text
    assert "referral" not in response.text.lower()
    assert count_rows("referral_signups") == 0
    assert count_rows("users") == 1
