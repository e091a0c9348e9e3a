"""Sign-in pages over HTTP: the links in the emails, the reset flow, redirects that stay on the
site, and the pages a signed-out visitor is sent away from."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from soash.config import Settings
from tests.factories import make_user
from tests.helpers import PASSWORD, last_token, outbox_messages
from tests.web.test_csrf import signed_in, token_in


def test_the_verify_link_from_the_email_works_once(client: TestClient) -> None:
    token = token_in(client.get("/sign-up").text)
    created = client.post(
        "/sign-up",
        data={"csrf_token": token, "email": "new@example.com", "password": PASSWORD},
        follow_redirects=False,
    )
    assert created.headers["location"] == "/sign-in?next=/onboarding"
    signed_in(client, "new@example.com")
    link = last_token("new@example.com", "verify")
    assert "Your email is confirmed" in client.get(f"/verify?token={link}").text
    again = client.get(f"/verify?token={link}")
    assert "already confirmed" in again.text
    client.cookies.clear()
    bad = client.get(f"/verify?token={link}")
    assert bad.status_code == 400
    assert "This link did not work" in bad.text


def test_reset_password_from_the_emailed_link(client: TestClient) -> None:
    make_user("ana@example.com")
    token = token_in(client.get("/forgot-password").text)
    sent = client.post("/forgot-password", data={"csrf_token": token, "email": "ana@example.com"})
    assert "a reset link is on its way" in sent.text
    link = last_token("ana@example.com", "reset")
    form = token_in(client.get(f"/reset-password?token={link}").text)
    weak = client.post(
        "/reset-password", data={"csrf_token": form, "token": link, "new_password": "password"}
    )
    assert weak.status_code == 422
    assert 'id="new_password-error"' in weak.text
    done = client.post(
        "/reset-password",
        data={"csrf_token": form, "token": link, "new_password": "a-brand-new-passphrase-1"},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/sign-in"
    used = client.post(
        "/reset-password",
        data={"csrf_token": form, "token": link, "new_password": "a-brand-new-passphrase-2"},
    )
    assert "invalid, already used or expired" in used.text


def test_sign_in_goes_back_only_to_pages_of_this_site(client: TestClient) -> None:
    make_user("ana@example.com")
    for target, expected in (
        ("/posts", "/posts"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example/", "/dashboard"),
    ):
        client.cookies.clear()
        token = token_in(client.get("/sign-in").text)
        response = client.post(
            "/sign-in",
            data={
                "csrf_token": token,
                "email": "ana@example.com",
                "password": PASSWORD,
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == expected


def test_wrong_password_keeps_the_email_and_says_so(client: TestClient) -> None:
    make_user("ana@example.com")
    token = token_in(client.get("/sign-in").text)
    response = client.post(
        "/sign-in", data={"csrf_token": token, "email": "ana@example.com", "password": "nope-nope"}
    )
    assert response.status_code == 401
    assert "The email or password is incorrect." in response.text
    assert 'value="ana@example.com"' in response.text


def test_pages_need_a_sign_in_and_a_browser_gets_pages_not_json(client: TestClient) -> None:
    response = client.get("/insights?x=1", follow_redirects=False)
    assert response.headers["location"] == "/sign-in?next=/insights%3Fx%3D1"
    missing = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "<html" in missing.text
    api = client.get("/api/v1/no-such-thing")
    assert api.headers["content-type"] == "application/problem+json"
    make_user("ana@example.com")
    signed_in(client, "ana@example.com")
    bad_id = client.get("/posts/not-a-uuid")
    assert bad_id.status_code == 404 and "<html" in bad_id.text
    headers = client.get("/dashboard").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"


def test_export_downloads_my_data_and_delete_needs_my_email(client: TestClient) -> None:
    make_user("ana@example.com")
    token = signed_in(client, "ana@example.com")
    export = client.get("/settings/export")
    assert export.headers["content-disposition"].startswith('attachment; filename="soash-export')
    assert export.json()["user"]["email"] == "ana@example.com"
    kept = client.post("/settings/delete", data={"csrf_token": token, "confirm_email": "x@y.z"})
    assert kept.status_code == 422
    gone = client.post(
        "/settings/delete",
        data={"csrf_token": token, "confirm_email": "ANA@example.com"},
        follow_redirects=False,
    )
    assert gone.headers["location"] == "/sign-up"
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_sign_up_with_a_taken_email_looks_like_a_new_sign_up(client: TestClient) -> None:
    make_user("ana@example.com")

    def sign_up(email: str) -> Response:
        client.cookies.clear()
        form = token_in(client.get("/sign-up").text)
        response: Response = client.post(
            "/sign-up",
            data={"csrf_token": form, "email": email, "password": PASSWORD},
            follow_redirects=False,
        )
        return response

    new, taken = sign_up("new@example.com"), sign_up("ana@example.com")

    assert new.status_code == taken.status_code == 303
    assert new.headers["location"] == taken.headers["location"] == "/sign-in?next=/onboarding"
    cookies = [
        sorted(c.split("=", 1)[0] for c in r.headers.get_list("set-cookie")) for r in (new, taken)
    ]
    assert cookies[0] == cookies[1]
    assert "soash_session" not in str(cookies)  # no session for either
    assert "tried to sign up" in outbox_messages("ana@example.com")[-1]["Subject"]
    assert "confirm" in outbox_messages("new@example.com")[-1]["Subject"].lower()


def test_guessing_the_current_password_in_settings_is_limited(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.rate_limit, "per_email_and_ip", 2)
    make_user("ana@example.com")
    token = signed_in(client, "ana@example.com")

    def change(path: str, **fields: str) -> int:
        response = client.post(path, data={"csrf_token": token, **fields})
        return int(response.status_code)

    assert (
        change("/settings/password", current_password="guess-1", new_password="a-new-phrase-1")
        == 403
    )
    assert change("/settings/email", current_password="guess-2", email="b@example.com") == 403
    assert (
        change("/settings/password", current_password=PASSWORD, new_password="a-new-phrase-1")
        == 429
    )
    assert change("/settings/name", first_name="Ana") == 200  # no password, no limit
