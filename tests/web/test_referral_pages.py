"""Referrals page: create a code, share the link, see who signed up with it (masked)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.factories import make_user
from tests.helpers import PASSWORD
from tests.web.test_csrf import signed_in, token_in


def test_create_a_code_share_it_and_see_the_sign_up(client: TestClient) -> None:
    make_user("ana@example.com")
    token = signed_in(client, "ana@example.com")
    assert "Create my referral code" in client.get("/referrals").text
    page = client.post("/referrals/codes", data={"csrf_token": token}).text
    code = re.search(r'id="ref-code">([A-Z0-9-]+)<', page)
    assert code, page
    link = f"http://testserver/sign-up?ref={code.group(1)}"
    assert f'value="{link}"' in page and 'data-copy="#ref-link"' in page

    client.cookies.clear()
    form = token_in(client.get(link).text)
    client.post(
        "/sign-up",
        data={
            "csrf_token": form,
            "email": "bea@example.org",
            "password": PASSWORD,
            "referral_code": code.group(1),
        },
    )
    client.cookies.clear()
    signed_in(client, "ana@example.com")
    page = client.get("/referrals").text
    assert "b***@e***.org" in page and "Pending" in page and "1 person" in page
