"""Attempt limits: re-entering the password on PATCH /me, sign-in limited per (email, IP)
under a far higher per-email ceiling, and the client IP taken from X-Forwarded-For only when a
trusted proxy sent it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from soash.app import create_app
from soash.config import Settings
from tests.helpers import Api, User
from tests.users.conftest import assert_problem, free_port

ME = "/api/v1/me"
LOGIN = "/api/v1/auth/login"
WRONG = "not-the-password-77"


def _from(ip: str) -> TestClient:
    """A client whose connection comes from ``ip``."""
    return TestClient(create_app(), client=(ip, 40000))


def _login(client: TestClient, email: str, password: str, **headers: str) -> int:
    response = client.post(LOGIN, json={"email": email, "password": password}, headers=headers)
    return int(response.status_code)


@pytest.mark.parametrize(
    "change", [{"new_password": "another-long-phrase-42"}, {"email": "moved@example.com"}]
)
def test_guessing_the_current_password_on_patch_me_is_limited(
    api: Api,
    user: User,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    change: dict[str, str],
) -> None:
    monkeypatch.setattr(settings.rate_limit, "per_email_and_ip", 3)
    for n in range(3):
        guess = {**change, "current_password": f"guess-number-{n}"}
        assert api.client.patch(ME, headers=user.headers, json=guess).status_code == 403

    right = {**change, "current_password": user.password}
    response = api.client.patch(ME, headers=user.headers, json=right)

    body = assert_problem(response, 429)
    assert 0 < int(response.headers["Retry-After"]) <= settings.rate_limit.window_seconds
    assert response.headers["Retry-After"] in body["detail"]
    assert api.client.get(ME, headers=user.headers).json()["email"] == user.email
    # A change of name needs no password, and is not limited.
    assert api.client.patch(ME, headers=user.headers, json={"first_name": "Ada"}).is_success


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out(
    api: Api, user: User, settings: Settings
) -> None:
    attacker, owner = _from("203.0.113.9"), _from("198.51.100.7")
    allowed = settings.rate_limit.per_email_and_ip
    assert allowed < settings.rate_limit.per_email
    for _ in range(allowed):
        assert _login(attacker, user.email, WRONG) == 401

    assert _login(attacker, user.email, WRONG) == 429
    assert _login(attacker, user.email, user.password) == 429  # that address is held off
    assert _login(owner, user.email, user.password) == 200  # the owner signs in


def test_the_per_email_ceiling_stops_a_guesser_spread_over_many_addresses(
    api: Api, user: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.rate_limit, "per_email_and_ip", 2)
    monkeypatch.setattr(settings.rate_limit, "per_email", 6)  # the fixture's sign-in is one
    for n in range(5):
        assert _login(_from(f"203.0.113.{n + 10}"), user.email, WRONG) == 401

    assert _login(_from("203.0.113.99"), user.email, WRONG) == 429


def test_x_forwarded_for_from_an_untrusted_peer_changes_nothing(
    api: Api, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.rate_limit, "per_ip", 3)
    client = _from("127.0.0.1")
    for n in range(3):
        assert (
            _login(client, f"u{n}@example.com", WRONG, **{"X-Forwarded-For": f"10.0.0.{n}"}) == 401
        )

    assert _login(client, "u9@example.com", WRONG, **{"X-Forwarded-For": "10.0.0.9"}) == 429


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(
    api: Api, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "trusted_proxies", "10.1.0.0/16, 192.0.2.1")
    monkeypatch.setattr(settings.rate_limit, "per_ip", 2)
    proxy = _from("10.1.2.3")

    def login(forwarded: str) -> int:
        return _login(proxy, "x@example.com", WRONG, **{"X-Forwarded-For": forwarded})

    # The right-most address that is not a trusted proxy is the client; what it wrote to the
    # left of it (here a spoofed 1.1.1.1) is ignored.
    assert login("1.1.1.1, 198.51.100.1, 192.0.2.1") == 401
    assert login("2.2.2.2, 198.51.100.1") == 401
    assert login("198.51.100.1") == 429
    assert login("198.51.100.2") == 401  # another client behind the same proxy
    # Without a forwarded address, the proxy itself is the client.
    assert _login(proxy, "x@example.com", WRONG) == 401


def test_soash_serve_does_not_believe_a_local_client_s_x_forwarded_for(api: Api) -> None:
    """The real server: uvicorn's own proxy handling (which trusts 127.0.0.1) is off."""
    port = free_port()
    env = {**os.environ, "SOASH_RATE_LIMIT_PER_IP": "2", "SOASH_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "soash", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180  # importing the CLI is slow on a busy machine
        while True:
            try:
                httpx.get(f"{base}/api/v1/health", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                if time.monotonic() > deadline:
                    server.kill()
                    pytest.fail(f"soash serve did not start: {server.communicate()[1]!r}")
                time.sleep(0.2)
        statuses = [
            httpx.post(
                f"{base}{LOGIN}",
                json={"email": f"u{n}@example.com", "password": WRONG},
                headers={"X-Forwarded-For": f"10.0.0.{n}"},
            ).status_code
            for n in range(3)
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert statuses == [401, 401, 429]


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    with pytest.raises(ValueError, match="SOASH_TRUSTED_PROXIES"):
        Settings(trusted_proxies="10.0.0.0/8, not-an-address")
    assert Settings(trusted_proxies="").trusted_proxy_networks == ()
