"""Referral codes: the ERD's format, unique and unguessable, listed, deactivated."""

from __future__ import annotations

import re
import uuid

from soash.referrals import service
from soash.referrals.service import MAX_ACTIVE_CODES
from soash.users.models import User
from tests.helpers import Api
from tests.users.conftest import assert_problem

CODES = "/api/v1/referral-codes"
FORMAT = re.compile(r"^[A-Z]{2,6}[0-9A-HJKMNP-TV-Z]{6}-REF$")


def test_a_new_code_has_the_erd_format_with_the_users_name(api: Api) -> None:
    dana = api.user("dana.baker@example.com", first_name="Dana")

    response = api.client.post(CODES, headers=dana.headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert FORMAT.match(body["code"]), body["code"]
    assert body["code"].startswith("DANA")
    assert body["is_active"] is True
    assert api.client.get(CODES, headers=dana.headers).json() == [body]


def test_the_prefix_falls_back_to_the_email_then_to_user() -> None:
    assert service.new_code(User(email="zoe@example.com")).startswith("ZOE")
    assert service.new_code(User(email="Émile@example.com", first_name="Émile")).startswith("EMILE")
    assert service.new_code(User(email="7@example.com")).startswith("USER")


def test_codes_are_unique_and_not_derived_from_each_other() -> None:
    user = User(email="sam@example.com", first_name="Sam")
    codes = [service.new_code(user) for _ in range(2000)]
    assert len(set(codes)) == len(codes)
    randoms = [c.removeprefix("SAM").removesuffix("-REF") for c in codes]
    assert all(len(r) == 6 for r in randoms)
    # Every position takes many values: nothing about one code predicts the next.
    for position in range(6):
        assert len({r[position] for r in randoms}) > 25


def test_deactivate_and_reactivate_a_code(api: Api) -> None:
    user = api.user()
    code = api.client.post(CODES, headers=user.headers).json()

    off = api.client.patch(f"{CODES}/{code['id']}", json={"is_active": False}, headers=user.headers)
    assert off.status_code == 200, off.text
    assert off.json()["is_active"] is False
    assert api.client.get(CODES, headers=user.headers).json()[0]["is_active"] is False

    on = api.client.patch(f"{CODES}/{code['id']}", json={"is_active": True}, headers=user.headers)
    assert on.json()["is_active"] is True


def test_patch_explains_bad_input(api: Api) -> None:
    user = api.user()
    code = api.client.post(CODES, headers=user.headers).json()
    path = f"{CODES}/{code['id']}"

    assert (
        "is_active"
        in assert_problem(
            api.client.patch(path, json={"is_active": "maybe"}, headers=user.headers), 422
        )["detail"]
    )
    assert_problem(api.client.patch(path, json={}, headers=user.headers), 422)
    assert_problem(
        api.client.patch(path, json={"is_active": False, "code": "MINE"}, headers=user.headers),
        422,
    )
    missing = api.client.patch(
        f"{CODES}/{uuid.uuid4()}", json={"is_active": False}, headers=user.headers
    )
    assert_problem(missing, 404)


def test_active_codes_are_capped(api: Api) -> None:
    user = api.user()
    ids = [
        api.client.post(CODES, headers=user.headers).json()["id"] for _ in range(MAX_ACTIVE_CODES)
    ]

    refused = api.client.post(CODES, headers=user.headers)
    assert "Deactivate one" in assert_problem(refused, 409)["detail"]

    api.client.patch(f"{CODES}/{ids[0]}", json={"is_active": False}, headers=user.headers)
    assert api.client.post(CODES, headers=user.headers).status_code == 201
    again = api.client.patch(f"{CODES}/{ids[0]}", json={"is_active": True}, headers=user.headers)
    assert_problem(again, 409)
