"""OAuth 2 and HTTP plumbing the TikTok, X and LinkedIn clients share.

:class:`OAuthClient` builds the authorize URL, calls the token endpoint and reads its answer
into a :class:`TokenSet`; :func:`oauth_error` maps the RFC 6749 error body
(``{"error": "invalid_grant", "error_description": …}``) that all three token endpoints use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import httpx

from soash.config import PlatformSettings, SyncSettings
from soash.social.platforms.base import AccountDay, Profile, TokenSet
from soash.social.platforms.errors import MalformedResponse, PlatformRequestError, TokenInvalid
from soash.social.platforms.http import PlatformHttp
from soash.social.platforms.parsing import field, optional_int

T = TypeVar("T")
Classify = Callable[[httpx.Response], Exception | None]


class OAuthClient:
    """The constructor and OAuth half of a platform client.

    ``http`` is optional: without it the client builds a :class:`PlatformHttp` on
    ``settings.api_base`` with the timeout and retries of ``sync`` and this platform's
    ``classify`` (the argument, else the class's ``classify_response``). A test passes its own
    (short timeout, recording ``sleep``), built with the platform module's ``classify``.
    Token requests go to the absolute ``settings.token_url``.
    """

    uses_pkce = False
    name = "platform"
    classify_response: Classify | None = None

    def __init__(
        self,
        settings: PlatformSettings,
        classify: Classify | None = None,
        *,
        http: PlatformHttp | None = None,
        sync: SyncSettings | None = None,
    ) -> None:
        self.settings = settings
        if http is None:
            classify = classify or self.classify_response
            if classify is None:
                raise TypeError(f"{type(self).__name__} has no classify hook")
            sync = sync or SyncSettings()
            http = PlatformHttp(
                base_url=settings.api_base,
                classify=classify,
                timeout=sync.http_timeout_seconds,
                retries=sync.http_retries,
            )
        self.http = http

    def close(self) -> None:
        self.http.close()

    @property
    def scopes(self) -> list[str]:
        return split_scopes(self.settings.scopes)

    @property
    def client_secret(self) -> str:
        return self.settings.client_secret.get_secret_value()

    def _authorize_url(self, params: dict[str, str]) -> str:
        base = self.settings.authorize_url
        return f"{base}{'&' if '?' in base else '?'}{urlencode(params, quote_via=quote)}"

    def _token(
        self,
        form: dict[str, str],
        *,
        previous: TokenSet | None = None,
        basic_auth: bool = False,
        user_id_field: str | None = None,
    ) -> TokenSet:
        auth = (self.settings.client_id, self.client_secret) if basic_auth else None
        body = self.http.json("POST", self.settings.token_url, data=form, auth=auth)
        return read_token_response(
            self._token_body(body), previous=previous, user_id_field=user_id_field
        )

    def _token_body(self, body: dict[str, Any]) -> dict[str, Any]:
        """The token endpoint's answer as RFC 6749 fields; a platform that wraps them says how."""
        return body

    def _refresh_token_of(self, tokens: TokenSet) -> str:
        if not tokens.refresh_token:
            raise TokenInvalid(
                f"{self.name} gave Soash no refresh token for this account: reconnect it"
            )
        return tokens.refresh_token


def read_token_response(
    body: dict[str, Any],
    *,
    previous: TokenSet | None = None,
    user_id_field: str | None = None,
    now: datetime | None = None,
) -> TokenSet:
    """A token endpoint's success body as a TokenSet. What the answer leaves out (a refresh
    token that did not rotate, the granted scope, the user id) is kept from ``previous``."""
    access = field(body, "access_token", str, where="token response")
    refresh = body.get("refresh_token")
    if not isinstance(refresh, str) or not refresh:
        refresh = previous.refresh_token if previous else None
    expires_in = optional_int(body, "expires_in")
    now = now or datetime.now(UTC)
    user_id = body.get(user_id_field) if user_id_field else None
    if not isinstance(user_id, str) or not user_id:
        user_id = previous.platform_user_id if previous else None
    scope = body.get("scope")
    scopes = tuple(split_scopes(scope)) if isinstance(scope, str) else ()
    return TokenSet(
        access_token=access,
        refresh_token=refresh,
        expires_at=now + timedelta(seconds=expires_in) if expires_in is not None else None,
        platform_user_id=user_id,
        scopes=scopes or (previous.scopes if previous else ()),
    )


def oauth_error(
    response: httpx.Response, *, platform: str, dead: Sequence[str] = ("invalid_grant",)
) -> Exception | None:
    """The error of an RFC 6749 token-endpoint body, or None when the body is not one.
    Codes in ``dead`` mean the code or refresh token is gone: TokenInvalid."""
    body = json_or_none(response)
    if not isinstance(body, dict):
        return None
    code = body.get("error")
    if not isinstance(code, str) or not code:
        return None
    detail = body.get("error_description")
    message = f"{platform} refused the token request: {code}" + (
        f" ({detail})" if isinstance(detail, str) and detail else ""
    )
    return TokenInvalid(message) if code in dead else PlatformRequestError(message)


def json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def split_scopes(scopes: str) -> list[str]:
    """Scopes as a list, whichever of comma or space the platform separates them with."""
    return [s for s in re.split(r"[\s,]+", scopes) if s]


def optional_str(obj: dict[str, Any], name: str) -> str | None:
    """A string field, or None when it is missing, empty or not a string."""
    value = obj.get(name)
    return value if isinstance(value, str) and value else None


def profile_snapshot(profile: Profile, day: date) -> AccountDay:
    """An AccountDay for a platform with no daily account metrics (TikTok, X): today's
    follower, following and post counts; reach, impressions and engagement unknown."""
    return AccountDay(
        day=day,
        followers=profile.followers,
        following=profile.following,
        total_posts=profile.post_count,
    )


def sub_object(obj: dict[str, Any], name: str, *, where: str) -> dict[str, Any]:
    """A nested object that may be missing (→ empty); anything but an object is malformed."""
    value = obj.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedResponse(f"{where}: '{name}' is not an object")
    return value


def objects(value: Any, *, where: str) -> list[dict[str, Any]]:
    """A list of objects that may be missing (→ empty); anything else is malformed."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise MalformedResponse(f"{where}: expected a list of objects")
    return value
