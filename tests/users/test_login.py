"""POST /api/v1/auth/login and /auth/logout, cookie sessions with CSRF, and attempt limits."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from soash.config import Settings
from soash.deps import CSRF_COOKIE, SESSION_COOKIE
from tests.helpers import PASSWORD, Api, User
from tests.users.conftest import assert_problem, auth

LOGIN = "/api/v1/auth/login"
LOGOUT = "/api/v1/auth/logout"


def _set_cookie_headers(response: Response) -> list[str]:
    return response.headers.get_list("set-cookie")


def test_login_returns_a_bearer_token(api: Api, user: User) -> None:
    response = api.login(user.email)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert len(body["access_token"]) >= 40
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at > datetime.now(UTC) + timedelta(days=1)
    assert api.client.get("/api/v1/me", headers=auth(body["access_token"])).status_code == 200


def test_login_accepts_the_email_in_any_case(api: Api, user: User) -> None:
    response = api.login(user.email.upper())

    assert response.status_code == 200, response.text


def test_login_sets_an_httponly_session_cookie_and_a_csrf_cookie(api: Api, user: User) -> None:
    response = api.login(user.email)

    cookies = {c.split("=", 1)[0]: c for c in _set_cookie_headers(response)}
    session = cookies[SESSION_COOKIE].lower()
    assert f"{SESSION_COOKIE}={response.json()['access_token']}".lower() in session
    assert "httponly" in session
    assert "samesite=lax" in session
    csrf = cookies[CSRF_COOKIE].lower()
    assert "httponly" not in csrf  # the page's script must read it
    assert api.client.cookies.get(CSRF_COOKIE)


def test_login_updates_last_login_at(api: Api, user: User) -> None:
    before = api.client.get("/api/v1/me", headers=user.headers).json()["last_login_at"]

    api.login(user.email)

    after = api.client.get("/api/v1/me", headers=user.headers).json()["last_login_at"]
    assert before is not None
    assert after is not None
    assert datetime.fromisoformat(after) > datetime.fromisoformat(before)
    assert abs(datetime.now(UTC) - datetime.fromisoformat(after)) < timedelta(minutes=1)


def test_unverified_user_can_sign_in(api: Api) -> None:
    unverified = api.user("unverified@example.com", verified=False)

    me = api.client.get("/api/v1/me", headers=unverified.headers)

    assert me.status_code == 200
    assert me.json()["is_verified"] is False


def test_wrong_email_and_wrong_password_get_the_same_answer(api: Api, user: User) -> None:
    wrong_email = api.login("nobody@example.com")
    wrong_password = api.login(user.email, "not-the-password-77")

    body = assert_problem(wrong_email, 401)
    assert wrong_password.status_code == wrong_email.status_code
    assert wrong_password.json() == body
    assert wrong_password.headers["content-type"] == wrong_email.headers["content-type"]
    assert _set_cookie_headers(wrong_email) == _set_cookie_headers(wrong_password) == []


def test_wrong_email_and_wrong_password_take_about_as_long(
    api: Api, user: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.rate_limit, "per_ip", 1000)
    monkeypatch.setattr(settings.rate_limit, "per_email", 1000)

    def median_seconds(email: str, password: str) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            assert api.login(email, password).status_code == 401
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    api.login("warm-up@example.com")
    unknown = median_seconds("nobody@example.com", "not-the-password-77")
    known = median_seconds(user.email, "not-the-password-77")

    assert 0.33 < unknown / known < 3, (unknown, known)


def test_login_is_limited_per_email(
    api: Api, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.rate_limit, "per_email", 2)
    target = api.register("target@example.com").json()["email"]
    for _ in range(2):
        assert api.login(target, "not-the-password-77").status_code == 401

    response = api.login(target)  # even the right password waits

    body = assert_problem(response, 429)
    assert 0 < int(response.headers["Retry-After"]) <= settings.rate_limit.window_seconds
    assert response.headers["Retry-After"] in body["detail"]
    assert api.login("someone-else@example.com").status_code == 401


def test_login_is_limited_per_ip(
    api: Api, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.rate_limit, "per_ip", 3)
    for n in range(3):
        assert api.login(f"user{n}@example.com").status_code == 401

    response = api.login("user99@example.com")

    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0


def test_register_is_limited_per_ip(
    api: Api, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.rate_limit, "per_ip", 2)
    for n in range(2):
        assert api.register(f"user{n}@example.com").status_code == 201

    response = api.register("user99@example.com")

    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0


def test_logout_revokes_the_token(api: Api, user: User) -> None:
    response = api.client.post(LOGOUT, headers=user.headers)

    assert response.status_code == 204
    assert_problem(api.client.get("/api/v1/me", headers=user.headers), 401)


def test_logout_leaves_other_sessions_signed_in(api: Api, user: User) -> None:
    other = api.login(user.email).json()["access_token"]
    api.client.cookies.clear()

    assert api.client.post(LOGOUT, headers=user.headers).status_code == 204

    assert api.client.get("/api/v1/me", headers=auth(other)).status_code == 200


def test_cookie_session_reads_without_a_csrf_header(api: Api, user: User) -> None:
    assert api.login(user.email).status_code == 200

    response = api.client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["email"] == user.email


def test_cookie_session_refuses_an_unsafe_request_without_csrf_header(api: Api, user: User) -> None:
    assert api.login(user.email).status_code == 200

    response = api.client.patch("/api/v1/me", json={"first_name": "Mallory"})

    body = assert_problem(response, 403)
    assert "X-CSRF-Token" in body["detail"]
    assert api.client.get("/api/v1/me").json()["first_name"] != "Mallory"


def test_cookie_session_refuses_a_wrong_csrf_header(api: Api, user: User) -> None:
    assert api.login(user.email).status_code == 200

    response = api.client.post(LOGOUT, headers={"X-CSRF-Token": "x" * 40})

    assert_problem(response, 403)
    assert api.client.get("/api/v1/me").status_code == 200


def test_cookie_session_accepts_the_csrf_header(api: Api, user: User) -> None:
    assert api.login(user.email).status_code == 200
    csrf = api.client.cookies[CSRF_COOKIE]

    response = api.client.patch(
        "/api/v1/me", json={"first_name": "Grace"}, headers={"X-CSRF-Token": csrf}
    )

    assert response.status_code == 200, response.text
    assert response.json()["first_name"] == "Grace"


def test_cookie_logout_with_csrf_header_ends_the_session(api: Api, user: User) -> None:
    assert api.login(user.email).status_code == 200
    session_token = api.client.cookies[SESSION_COOKIE]
    csrf = api.client.cookies[CSRF_COOKIE]

    response = api.client.post(LOGOUT, headers={"X-CSRF-Token": csrf})

    assert response.status_code == 204
    assert SESSION_COOKIE not in api.client.cookies
    assert_problem(api.client.get("/api/v1/me", headers=auth(session_token)), 401)


def test_bearer_token_needs_no_csrf_header(client: TestClient, user: User) -> None:
    response = client.patch("/api/v1/me", json={"first_name": "Api"}, headers=user.headers)

    assert response.status_code == 200


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Token abc", "Bearer ", "Bearer"])
def test_authorization_header_with_a_wrong_scheme_is_401(
    client: TestClient, user: User, header: str
) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": header})

    body = assert_problem(response, 401)
    assert "Bearer" in body["detail"]


def test_unknown_bearer_token_is_401(client: TestClient) -> None:
    response = client.get("/api/v1/me", headers=auth("x" * 43))

    assert_problem(response, 401)


def test_no_credentials_is_401_with_a_hint(client: TestClient) -> None:
    body = assert_problem(client.get("/api/v1/me"), 401)

    assert "/api/v1/auth/login" in body["detail"]


def test_wrong_password_signs_nobody_in(api: Api, user: User) -> None:
    response = api.login(user.email, PASSWORD + "x")

    assert_problem(response, 401)
    assert SESSION_COOKIE not in api.client.cookies
