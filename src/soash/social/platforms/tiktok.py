"""TikTok: Login Kit OAuth v2 and the Display API v2 (docs/platforms.md §4).

Web apps do not use PKCE. Access and refresh tokens rotate on refresh. The Display API has no
insights: a video's figures are its public counters (views, likes, comments, shares), so saves
and reach are None; there is no daily account endpoint either, so ``fetch_account_day`` is a
profile snapshot. Every answer carries ``error.code``, which must be ``ok`` even on HTTP 200.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import httpx

from soash.config import SyncSettings, TikTokSettings
from soash.content.models import ContentType
from soash.iterables import chunks
from soash.social.models import Platform
from soash.social.platforms.base import AccountDay, PostMetrics, Profile, RemotePost, TokenSet
from soash.social.platforms.errors import (
    PlatformRequestError,
    RateLimited,
    TokenInvalid,
)
from soash.social.platforms.http import PlatformHttp
from soash.social.platforms.oauth import (
    OAuthClient,
    json_or_none,
    oauth_error,
    objects,
    optional_str,
    profile_snapshot,
)
from soash.social.platforms.parsing import epoch_datetime, field, optional_int

# No rate-limit headers are documented: the window is one minute (600 requests per endpoint).
RATE_LIMIT_WAIT_SECONDS = 60.0
PAGE_SIZE = 20  # /video/list/ max_count and /video/query/ video_ids are both capped at 20
USER_FIELDS = {
    "user.info.basic": ("open_id", "avatar_url", "display_name"),
    "user.info.profile": ("username",),
    "user.info.stats": ("follower_count", "following_count", "likes_count", "video_count"),
}
LIST_FIELDS = (
    "id,create_time,title,video_description,duration,cover_image_url,share_url,embed_link,"
    "like_count,comment_count,share_count,view_count"
)
# TikTok field -> PostMetrics attribute. TikTok has no saves or reach.
METRIC_FIELDS = {
    "like_count": "likes",
    "comment_count": "comments",
    "share_count": "shares",
    "view_count": "impressions",
}


class TikTokApiError(PlatformRequestError):
    """A non-``ok`` ``error.code`` that is not about the token or the rate limit."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(
            f"TikTok refused the request: {code}" + (f" ({message})" if message else "")
        )
        self.code = code
        self.detail = message


class ScopeMissing(TokenInvalid):
    """The user did not grant a scope a requested field needs."""


def classify(response: httpx.Response) -> Exception | None:
    oauth = oauth_error(response, platform="TikTok")
    if oauth is not None:
        return oauth
    body = json_or_none(response)
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = optional_str(error, "code")
    message = optional_str(error, "message") or ""
    if response.status_code == 429 or code == "rate_limit_exceeded":
        return RateLimited("TikTok's rate limit was reached", retry_after=RATE_LIMIT_WAIT_SECONDS)
    if response.is_success and code in (None, "ok"):
        return None
    if code == "access_token_invalid" or (code is None and response.status_code == 401):
        return TokenInvalid(f"TikTok says the access token is invalid: {message or code}")
    if code in ("scope_not_authorized", "scope_permission_missed"):
        return ScopeMissing(f"TikTok: a permission was not granted ({message or code})")
    return TikTokApiError(code or f"HTTP {response.status_code}", message)


class TikTokClient(OAuthClient):
    platform = Platform.tiktok
    uses_pkce = False
    name = "TikTok"
    classify_response = staticmethod(classify)

    def __init__(
        self,
        settings: TikTokSettings,
        *,
        http: PlatformHttp | None = None,
        sync: SyncSettings | None = None,
    ) -> None:
        super().__init__(settings, http=http, sync=sync)
        self._dropped: set[str] = set()  # metric fields TikTok refused as invalid_params

    # -- OAuth -------------------------------------------------------------------------------
    def authorize_url(self, *, state: str, redirect_uri: str, code_challenge: str | None) -> str:
        return self._authorize_url(
            {
                "client_key": self.settings.client_id,
                "response_type": "code",
                "scope": ",".join(self.scopes),
                "redirect_uri": redirect_uri,
                "state": state,
            }
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str | None) -> TokenSet:
        form = {
            "client_key": self.settings.client_id,
            "client_secret": self.client_secret,
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": redirect_uri,
        }
        if code_verifier:
            form["code_verifier"] = code_verifier
        return self._token(form, user_id_field="open_id")

    def refresh(self, tokens: TokenSet) -> TokenSet:
        form = {
            "client_key": self.settings.client_id,
            "client_secret": self.client_secret,
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token_of(tokens),
        }
        return self._token(form, previous=tokens, user_id_field="open_id")

    def _token_body(self, body: dict[str, Any]) -> dict[str, Any]:
        """TikTok's pages disagree: the v2 token page shows the fields flat, others wrap them
        in ``data{}`` (with ``message``): both are read."""
        data = body.get("data")
        if "access_token" not in body and isinstance(data, dict) and "access_token" in data:
            return data
        return body

    # -- data --------------------------------------------------------------------------------
    def _data(
        self, method: str, path: str, token: str, fields: str, body: Any = None
    ) -> dict[str, Any]:
        answer = self.http.json(
            method,
            f"/{self.settings.api_version}{path}",
            params={"fields": fields},
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        data: dict[str, Any] = field(answer, "data", dict, where=f"TikTok {path}")
        return data

    def fetch_profile(self, access_token: str) -> Profile:
        wanted = [f for scope in self.scopes for f in USER_FIELDS.get(scope, ())]
        try:
            data = self._data("GET", "/user/info/", access_token, ",".join(wanted))
        except ScopeMissing:  # the user granted fewer scopes than asked: basic fields only
            basic = ",".join(USER_FIELDS["user.info.basic"])
            data = self._data("GET", "/user/info/", access_token, basic)
        user = field(data, "user", dict, where="TikTok /user/info/")
        return Profile(
            platform_user_id=field(user, "open_id", str, where="TikTok user"),
            username=optional_str(user, "username"),
            display_name=optional_str(user, "display_name"),
            avatar_url=optional_str(user, "avatar_url"),
            followers=optional_int(user, "follower_count"),
            following=optional_int(user, "following_count"),
            post_count=optional_int(user, "video_count"),
        )

    def list_posts(
        self, access_token: str, *, platform_user_id: str, since: datetime
    ) -> Iterator[list[RemotePost]]:
        body: dict[str, int] = {"max_count": PAGE_SIZE}
        while True:
            data = self._data("POST", "/video/list/", access_token, LIST_FIELDS, body)
            videos = objects(data.get("videos"), where="TikTok /video/list/")
            posts = [_post(video) for video in videos]  # newest first
            page = [p for p in posts if p.posted_at >= since]
            if page:
                yield page
            if len(page) < len(posts) or not data.get("has_more"):
                return
            body = {"max_count": PAGE_SIZE, "cursor": field(data, "cursor", int, where="TikTok")}

    def fetch_post_metrics(
        self, access_token: str, posts: list[RemotePost]
    ) -> dict[str, PostMetrics]:
        result: dict[str, PostMetrics] = {}
        for batch in chunks([p.platform_post_id for p in posts], PAGE_SIZE):
            for video in self._query(access_token, list(batch)):
                result[field(video, "id", str, where="TikTok video")] = PostMetrics(
                    likes=optional_int(video, "like_count"),
                    comments=optional_int(video, "comment_count"),
                    shares=optional_int(video, "share_count"),
                    impressions=optional_int(video, "view_count"),
                    unavailable={METRIC_FIELDS[f] for f in self._dropped},
                )
        return result

    def _query(self, token: str, ids: list[str]) -> list[dict[str, Any]]:
        """``/video/query/``; a metric field TikTok rejects as ``invalid_params`` is dropped
        (for the rest of this client's life) and the request retried without it."""
        while True:
            fields = ["id", *(f for f in METRIC_FIELDS if f not in self._dropped)]
            try:
                data = self._data(
                    "POST",
                    "/video/query/",
                    token,
                    ",".join(fields),
                    {"filters": {"video_ids": ids}},
                )
            except TikTokApiError as exc:
                named = {f for f in fields[1:] if re.search(rf"\b{f}\b", exc.detail)}
                if exc.code != "invalid_params" or not named:
                    raise
                self._dropped |= named
                continue
            return objects(data.get("videos"), where="TikTok /video/query/")

    def fetch_account_day(
        self, access_token: str, *, platform_user_id: str, day: date
    ) -> AccountDay:
        """TikTok has no daily account metrics: today's profile figures, nothing else."""
        return profile_snapshot(self.fetch_profile(access_token), day)


def _post(video: Any) -> RemotePost:
    where = "TikTok video"
    return RemotePost(
        platform_post_id=field(video, "id", str, where=where),
        posted_at=epoch_datetime(field(video, "create_time", int, where=where), where=where),
        # The Display API lists videos; photo-mode posts are undocumented there.
        content_type=ContentType.video,
        caption=optional_str(video, "video_description") or optional_str(video, "title"),
        kind="video",
    )
