"""What the TikTok, X and LinkedIn fakes and their tests share.

:class:`Grants` is the OAuth bookkeeping: consent codes, access and refresh tokens, rotation,
revocation and PKCE checks; each fake wraps the outcome in its platform's own token-endpoint
body. Tests use :meth:`Grants.authorize` for "the user clicked Allow" (it returns the code the
callback would receive) and :meth:`Grants.issue` for a ready access token.

:class:`PlatformFake` is their base; :func:`client_fixtures` gives a test module its
``server`` (one running fake per module: stopping one takes half a second), ``fake`` (that
server, reset per test), ``sleeps`` (what the client slept, recorded instead) and ``client``;
:func:`fault_tests` the fault tests every client must pass.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest

from soash.config import PlatformSettings
from soash.social.platforms.errors import MalformedResponse, TokenInvalid, TransientError
from soash.social.platforms.http import PlatformHttp
from soash.social.platforms.oauth import OAuthClient
from tests.fakes.server import FakeServer, Response


class PlatformFake(FakeServer):
    """A fake platform a test module shares: ``reset()`` between tests, ``settings()`` for a
    client pointed at it."""

    def reset(self) -> None:
        """Forget the recorded requests and queued faults; subclasses also reset their data."""
        self.requests.clear()
        self.clear_faults()

    def settings(self) -> PlatformSettings:
        raise NotImplementedError


P = TypeVar("P", bound=PlatformFake)


@dataclass
class Grant:
    user_id: str
    scopes: tuple[str, ...]
    access_token: str = ""
    refresh_token: str | None = None


@dataclass
class _Code:
    grant: Grant
    redirect_uri: str
    code_challenge: str | None


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Grants:
    def __init__(self, prefix: str, *, rotate: bool = True) -> None:
        self.prefix = prefix
        self.rotate = rotate  # a refresh issues a new refresh token and kills the old one
        self.send_refresh = True  # token answers include the refresh token
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, Grant] = {}
        self._refresh: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def _new(self, kind: str) -> str:
        return f"{self.prefix}{kind}.{secrets.token_urlsafe(12)}"

    def _mint(self, grant: Grant, *, new_refresh: bool) -> Grant:
        grant.access_token = self._new("at")
        self._access[grant.access_token] = grant
        if new_refresh:
            grant.refresh_token = self._new("rt")
            self._refresh[grant.refresh_token] = grant
        return grant

    def authorize(
        self,
        *,
        user_id: str,
        scopes: tuple[str, ...],
        redirect_uri: str,
        code_challenge: str | None = None,
    ) -> str:
        code = self._new("code")
        with self._lock:
            self._codes[code] = _Code(Grant(user_id, scopes), redirect_uri, code_challenge)
        return code

    def issue(self, user_id: str, scopes: tuple[str, ...]) -> str:
        with self._lock:
            return self._mint(Grant(user_id, scopes), new_refresh=True).access_token

    def exchange(self, form: dict[str, str]) -> Grant | str:
        """Run a token request: the grant, or the RFC 6749 error code to answer with."""
        with self._lock:
            if form.get("grant_type") == "authorization_code":
                pending = self._codes.pop(form.get("code", ""), None)  # single use
                if pending is None or pending.redirect_uri != form.get("redirect_uri"):
                    return "invalid_grant"
                challenge = pending.code_challenge
                if challenge and s256(form.get("code_verifier", "")) != challenge:
                    return "invalid_grant"
                return self._mint(pending.grant, new_refresh=True)
            if form.get("grant_type") == "refresh_token":
                grant = self._refresh.get(form.get("refresh_token", ""))
                if grant is None:
                    return "invalid_grant"
                self._access.pop(grant.access_token, None)
                rotate = self.rotate and self.send_refresh  # never rotate to a token not sent
                if rotate and grant.refresh_token:
                    del self._refresh[grant.refresh_token]
                return self._mint(grant, new_refresh=rotate)
            return "unsupported_grant_type"

    def user(self, access_token: str | None) -> Grant | None:
        with self._lock:
            return self._access.get(access_token or "")

    def revoke(self, access_token: str) -> None:
        """The user removed the app: the access token and its refresh token die."""
        with self._lock:
            grant = self._access.pop(access_token, None)
            if grant is not None and grant.refresh_token:
                self._refresh.pop(grant.refresh_token, None)

    def refresh_answer(self, grant: Grant) -> dict[str, str]:
        return (
            {"refresh_token": grant.refresh_token}
            if self.send_refresh and grant.refresh_token
            else {}
        )


def oauth_error(status: int, error: str, description: str, **extra: str) -> Response:
    """An RFC 6749 token-endpoint error, as TikTok, X and LinkedIn all send it."""
    return Response(status, {"error": error, "error_description": description, **extra})


def client_http(
    base_url: str,
    classify: Callable[[httpx.Response], Exception | None],
    sleeps: list[float],
) -> PlatformHttp:
    """A PlatformHttp for tests: 1 s timeout (a loaded CI machine can be slow), two retries,
    waits recorded not slept."""
    return PlatformHttp(
        base_url=base_url, classify=classify, timeout=1.0, retries=2, sleep=sleeps.append
    )


def client_fixtures(fake_cls: type[P], client_cls: type[OAuthClient]) -> tuple[Any, ...]:
    """``server, fake, sleeps, client = client_fixtures(TikTokFake, TikTokClient)``."""

    @pytest.fixture(scope="module")
    def server() -> Iterator[P]:
        running = fake_cls()
        running.start()
        try:
            yield running
        finally:
            running.stop()

    @pytest.fixture
    def fake(server: P) -> P:
        server.reset()
        return server

    @pytest.fixture
    def sleeps() -> list[float]:
        return []

    @pytest.fixture
    def client(fake: P, sleeps: list[float]) -> Iterator[OAuthClient]:
        classify = client_cls.classify_response
        assert classify is not None
        made = client_cls(fake.settings(), http=client_http(fake.url, classify, sleeps))
        yield made
        made.close()

    return server, fake, sleeps, client


def fault_tests(call: Callable[[Any, Any], object]) -> tuple[Any, ...]:
    """The faults every client handles the same way; ``call(client, fake)`` makes a request::

    test_500, test_hang, test_malformed, test_token = fault_tests(
        lambda client, fake: client.fetch_profile(fake.token())
    )
    """

    def test_a_500_is_retried(client: Any, fake: Any, sleeps: list[float]) -> None:
        fake.fail_next("server_error")
        call(client, fake)
        assert len(sleeps) == 1

    def test_a_hang_is_a_transient_error_after_bounded_retries(client: Any, fake: Any) -> None:
        fake.fail_next("hang", times=3, seconds=2)  # the client gives up after 1 s, thrice
        with pytest.raises(TransientError):
            call(client, fake)
        assert len(fake.requests) == 3

    def test_malformed_json_is_malformed_response(client: Any, fake: Any) -> None:
        fake.fail_next("malformed")
        with pytest.raises(MalformedResponse):
            call(client, fake)

    def test_an_expired_token_is_token_invalid(client: Any, fake: Any) -> None:
        fake.fail_next("token_expired")
        with pytest.raises(TokenInvalid):
            call(client, fake)

    return (
        test_a_500_is_retried,
        test_a_hang_is_a_transient_error_after_bounded_retries,
        test_malformed_json_is_malformed_response,
        test_an_expired_token_is_token_invalid,
    )
