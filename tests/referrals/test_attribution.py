"""Sign-up attribution: one per mailbox, ever; no self-referral; unknown codes leak nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from soash.db import session_scope
from soash.referrals.models import ConversionStatus, ReferralSignup
from soash.referrals.service import canonical_email, mask_email
from soash.users.models import User
from tests.factories import make_user
from tests.helpers import Api
from tests.referrals.factories import make_code
from tests.users.conftest import count_rows

REFERRALS = "/api/v1/referrals"


def _signups() -> list[ReferralSignup]:
    with session_scope() as db:
        return list(db.scalars(select(ReferralSignup)))


def test_sign_up_with_a_code_records_a_pending_signup(api: Api) -> None:
    referrer = api.user("ref@example.com")
    code = api.client.post("/api/v1/referral-codes", headers=referrer.headers).json()["code"]

    created = api.register("jane.doe@example.org", referral_code=code.lower())

    assert created.status_code == 201, created.text
    [signup] = _signups()
    with session_scope() as db:
        referee = db.scalars(select(User).where(User.email == "jane.doe@example.org")).one()
    assert signup.referee_user_id == referee.id
    assert signup.conversion_status is ConversionStatus.pending
    listed = api.client.get(REFERRALS, headers=referrer.headers).json()
    assert [(s["code"], s["referee"], s["status"]) for s in listed["signups"]] == [
        (code, "j***@e***.org", "pending")
    ]
    assert "jane" not in str(listed)
    assert listed["totals"]["pending"] == {"count": 1, "commission": {}}


@pytest.mark.parametrize("code", ["NOPE123-REF", "inactive"])
def test_unknown_and_inactive_codes_are_ignored_exactly_like_no_code(api: Api, code: str) -> None:
    owner = make_user("owner@example.com")
    inactive = make_code(owner, "INACTV7K3QXZ-REF", active=False)
    sent = inactive if code == "inactive" else code

    with_code = api.register("a@example.com", referral_code=sent)
    without = api.register("b@example.com")

    assert with_code.status_code == without.status_code == 201
    assert set(with_code.json()) == set(without.json())
    assert "referral" not in with_code.text.lower()
    assert count_rows("referral_signups") == 0


@pytest.mark.parametrize(
    ("referrer", "referee"),
    [
        ("jane.doe@gmail.com", "janedoe@gmail.com"),
        ("jane.doe@gmail.com", "j.a.n.e.doe+promo@googlemail.com"),
        ("janedoe@gmail.com", "Jane.Doe+x@Gmail.com"),
        ("sam@example.com", "sam+second@example.com"),
        ("sam@example.com", "Sam+2@Example.com"),
    ],
)
def test_self_referral_under_an_alias_is_ignored(api: Api, referrer: str, referee: str) -> None:
    code = make_code(make_user(referrer))

    assert api.register(referee, referral_code=code).status_code == 201

    assert count_rows("referral_signups") == 0


def test_dots_count_where_the_provider_does_not_ignore_them(api: Api) -> None:
    code = make_code(make_user("sam.lee@example.com"))

    assert api.register("samlee@example.com", referral_code=code).status_code == 201

    assert count_rows("referral_signups") == 1


def test_one_attribution_per_mailbox_ever(api: Api) -> None:
    first_code = make_code(make_user("first@example.com"))
    second_code = make_code(make_user("second@example.com"))
    referee = api.user("kim.lo@gmail.com", referral_code=first_code)
    [original] = _signups()

    # The referee deletes their account and signs up again, through another code and an alias.
    assert api.client.delete("/api/v1/me", headers=referee.headers).status_code == 204
    again = api.register("kimlo+new@gmail.com", referral_code=second_code)

    assert again.status_code == 201
    [kept] = _signups()
    assert kept.id == original.id
    assert kept.referee_user_id is None  # the referrer's record survives, unlinked


def test_a_deleted_referee_shows_as_deleted_to_the_referrer(api: Api) -> None:
    referrer = api.user()
    code = api.client.post("/api/v1/referral-codes", headers=referrer.headers).json()["code"]
    referee = api.user(referral_code=code)
    api.client.delete("/api/v1/me", headers=referee.headers)

    listed = api.client.get(REFERRALS, headers=referrer.headers).json()["signups"]

    assert [s["referee"] for s in listed] == ["(account deleted)"]


def test_the_referrer_deleting_their_account_removes_their_referral_data(api: Api) -> None:
    referrer = api.user()
    code = api.client.post("/api/v1/referral-codes", headers=referrer.headers).json()["code"]
    api.user(referral_code=code)

    assert api.client.delete("/api/v1/me", headers=referrer.headers).status_code == 204

    assert count_rows("referral_codes") == 0
    assert count_rows("referral_signups") == 0


def test_the_export_does_not_hand_the_referees_identity_to_the_referrer(api: Api) -> None:
    referrer = api.user()
    code = api.client.post("/api/v1/referral-codes", headers=referrer.headers).json()["code"]
    referee = api.user("secret.person@example.com", referral_code=code)

    exported = api.client.get("/api/v1/me/export", headers=referrer.headers).json()

    [row] = exported["referral_signups"]
    assert "referee_user_id" not in row
    assert "referee_email_hash" not in row
    assert referee.id not in str(exported)


@pytest.mark.parametrize(
    ("email", "canonical"),
    [
        ("A.B+tag@Gmail.com", "ab@gmail.com"),
        ("a.b@googlemail.com", "ab@gmail.com"),
        ("a.b+x@example.com", "a.b@example.com"),
        ("  Someone@Example.COM ", "someone@example.com"),
    ],
)
def test_canonical_email(email: str, canonical: str) -> None:
    assert canonical_email(email) == canonical


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("jane.doe@example.com", "j***@e***.com"),
        ("x@localhost", "x***@l***"),
        (None, "(account deleted)"),
    ],
)
def test_mask_email(email: str | None, masked: str) -> None:
    assert mask_email(email) == masked


def test_signups_page(api: Api) -> None:
    referrer = api.user()
    code = api.client.post("/api/v1/referral-codes", headers=referrer.headers).json()["code"]
    for n in range(3):
        api.register(f"friend{n}-{uuid.uuid4().hex[:4]}@example.com", referral_code=code)

    page = api.client.get(f"{REFERRALS}?limit=2&offset=2", headers=referrer.headers).json()

    assert len(page["signups"]) == 1
    assert page["totals"]["pending"]["count"] == 3
    assert api.client.get(f"{REFERRALS}?limit=0", headers=referrer.headers).status_code == 422
