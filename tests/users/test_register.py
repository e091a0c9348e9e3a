"""POST /api/v1/auth/register."""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import select

from soash.config import Settings
from soash.db import session_scope
from soash.models import ReferralCode, ReferralSignup, User
from soash.security import hash_password
from tests.helpers import PASSWORD, Api, outbox_messages, token_in
from tests.users.conftest import assert_problem, count_rows


def test_register_answers_201_and_creates_the_account(api: Api) -> None:
    response = api.register("new@example.com", first_name="Ada", last_name="Lovelace")

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "new@example.com"
    assert "check your inbox" in body["message"].lower()
    assert "password" not in response.text
    with session_scope() as db:
        user = db.scalars(select(User)).one()
        assert (user.first_name, user.last_name, user.is_verified) == ("Ada", "Lovelace", False)


def test_register_normalises_the_email_case(api: Api) -> None:
    response = api.register("  Mixed.Case@Example.COM ")

    assert response.status_code == 201, response.text
    assert response.json()["email"] == "mixed.case@example.com"
    assert count_rows("users", email="mixed.case@example.com") == 1


def test_register_answers_a_known_email_exactly_as_a_new_one_and_mails_its_owner(
    api: Api,
) -> None:
    first = api.register("taken@example.com", first_name="Secretive")
    new = api.register("fresh@example.com")
    sent_before = len(outbox_messages("taken@example.com"))

    again = api.register("TAKEN@Example.com", first_name="Mallory")

    assert again.status_code == new.status_code == first.status_code == 201
    assert again.headers["content-type"] == new.headers["content-type"]
    assert set(again.json()) == set(new.json())
    assert again.json() == {**new.json(), **_for("taken@example.com", new.json())}
    assert "Secretive" not in again.text
    assert count_rows("users") == 2
    assert count_rows("users", email="taken@example.com", first_name="Secretive") == 1
    # The owner hears about it; no new link is made for the address.
    [note] = outbox_messages("taken@example.com")[sent_before:]
    assert "tried to sign up" in note["Subject"]
    body = note.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "/forgot-password" in body.decode() and "token=" not in body.decode()


def _for(email: str, body: dict[str, str]) -> dict[str, str]:
    """``body`` as it would read for ``email``."""
    return {k: v.replace("fresh@example.com", email) for k, v in body.items()}


def test_register_does_the_same_work_for_a_known_and_a_new_email(
    api: Api, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.rate_limit, "per_ip", 1000)
    monkeypatch.setattr(settings.rate_limit, "per_email_and_ip", 1000)
    api.register("taken@example.com")

    def seconds(email: str) -> float:
        started = time.perf_counter()
        assert api.register(email).status_code == 201
        return time.perf_counter() - started

    seconds("warm-up@example.com")
    # Interleaved, so that a busy moment of the machine weighs on both alike.
    pairs = [(seconds(f"new{n}@example.com"), seconds("taken@example.com")) for n in range(9)]
    new = statistics.median(n for n, _ in pairs)
    known = statistics.median(k for _, k in pairs)

    # Both hash the password and queue one email; neither talks to a mail server.
    assert 0.4 < known / new < 2.5, (known, new)


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
        referee = db.scalars(select(User).where(User.email == "referee@example.com")).one()
        assert signup.referee_user_id == referee.id


def test_register_ignores_an_unknown_referral_code_silently(api: Api) -> None:
    response = api.register("referee@example.com", referral_code="NO-SUCH-CODE")

    assert response.status_code == 201, response.text
    assert "referral" not in response.text.lower()
    assert count_rows("referral_signups") == 0
    assert count_rows("users") == 1
