"""X (API v2) with OAuth 2.0 Authorization Code + PKCE (docs/platforms.md §5).

Soash is a confidential client: the token endpoint gets HTTP Basic auth with the client id and
secret plus the PKCE ``code_verifier``. Refresh tokens rotate (``offline.access``). Errors are
RFC 7807 problem bodies; rate limits come as 429 with ``x-rate-limit-reset`` (epoch seconds)
and no Retry-After. Non-public metrics exist only for the user's own posts younger than 30
days; otherwise X answers 200 with a partial ``not-authorized-for-field`` error per post.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from soash.content.models import ContentType
from soash.iterables import chunks
from soash.social.models import Platform
from soash.social.platforms.base import (
    AccountDay,
    Draft,
    PostMetrics,
    Profile,
    Published,
    RemotePost,
    TokenSet,
)
from soash.social.platforms.errors import (
    PlatformRequestError,
    RateLimited,
    TokenInvalid,
)
from soash.social.platforms.media import fetch_media
from soash.social.platforms.oauth import (
    OAuthClient,
    json_or_none,
    oauth_error,
    objects,
    optional_str,
    profile_snapshot,
    sub_object,
)
from soash.social.platforms.parsing import field, iso_datetime, optional_int

WINDOW_SECONDS = 15 * 60.0  # X's rate-limit window, when the reset header is missing
USAGE_CAP_WAIT_SECONDS = 24 * 3600.0  # the monthly cap: check again tomorrow
NON_PUBLIC_DAYS = 30
LOOKUP_BATCH = 100  # GET /2/tweets?ids= takes at most 100 ids
LIST_PARAMS = {
    "max_results": "100",
    "exclude": "retweets,replies",
    "tweet.fields": "created_at,public_metrics,attachments",
    "expansions": "attachments.media_keys",
    "media.fields": "media_key,type,url,preview_image_url",
}


def classify(response: httpx.Response) -> Exception | None:
    # X's token endpoint answers a dead code or refresh token with 400 invalid_request.
    oauth = oauth_error(response, platform="X", dead=("invalid_grant", "invalid_request"))
    if oauth is not None:
        return oauth
    if response.is_success:
        return None  # partial errors on a 200 are read by the caller
    body = json_or_none(response)
    body = body if isinstance(body, dict) else {}
    problem = optional_str(body, "type") or ""
    detail = optional_str(body, "detail") or optional_str(body, "title") or ""
    if problem.endswith("/usage-capped"):
        return RateLimited(f"X usage cap reached: {detail}", retry_after=USAGE_CAP_WAIT_SECONDS)
    if response.status_code == 429:
        return RateLimited("X rate limit reached", retry_after=_until_reset(response))
    if response.status_code == 401:
        return TokenInvalid(f"X refused the access token: {detail or 'Unauthorized'}")
    return PlatformRequestError(
        f"X refused the request ({response.status_code}): {detail or problem or 'no detail'}"
    )


def _until_reset(response: httpx.Response) -> float:
    try:
        reset = float(response.headers["x-rate-limit-reset"])
    except (KeyError, ValueError):
        return WINDOW_SECONDS
    return max(1.0, reset - time.time())


class XClient(OAuthClient):
    platform = Platform.twitter
    uses_pkce = True
    name = "X"
    classify_response = staticmethod(classify)

    # -- OAuth -------------------------------------------------------------------------------
    def authorize_url(self, *, state: str, redirect_uri: str, code_challenge: str | None) -> str:
        if not code_challenge:
            raise ValueError("X requires PKCE: pass the S256 code_challenge")
        return self._authorize_url(
            {
                "response_type": "code",
                "client_id": self.settings.client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(self.scopes),
                "state": state,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
            }
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str | None) -> TokenSet:
        if not code_verifier:
            raise ValueError("X requires PKCE: pass the code_verifier")
        form = {
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
            "client_id": self.settings.client_id,
        }
        return self._token(form, basic_auth=bool(self.client_secret))

    def refresh(self, tokens: TokenSet) -> TokenSet:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token_of(tokens),
            "client_id": self.settings.client_id,
        }
        return self._token(form, previous=tokens, basic_auth=bool(self.client_secret))

    # -- data --------------------------------------------------------------------------------
    def _get(self, path: str, token: str, params: dict[str, str]) -> dict[str, Any]:
        return self.http.json(
            "GET",
            f"/{self.settings.api_version}{path}",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
        )

    def fetch_profile(self, access_token: str) -> Profile:
        body = self._get(
            "/users/me", access_token, {"user.fields": "profile_image_url,public_metrics"}
        )
        user = field(body, "data", dict, where="X /users/me")
        counts = sub_object(user, "public_metrics", where="X user")
        return Profile(
            platform_user_id=field(user, "id", str, where="X user"),
            username=optional_str(user, "username"),
            display_name=optional_str(user, "name"),
            avatar_url=optional_str(user, "profile_image_url"),
            followers=optional_int(counts, "followers_count"),
            following=optional_int(counts, "following_count"),
            post_count=optional_int(counts, "tweet_count"),
        )

    def list_posts(
        self, access_token: str, *, platform_user_id: str, since: datetime
    ) -> Iterator[list[RemotePost]]:
        start = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        params = {"start_time": start, **LIST_PARAMS}
        while True:
            body = self._get(f"/users/{platform_user_id}/tweets", access_token, params)
            includes = sub_object(body, "includes", where="X timeline")
            media = {m.get("media_key"): m for m in objects(includes.get("media"), where="X media")}
            page = [_post(t, media) for t in objects(body.get("data"), where="X timeline")]
            page = [p for p in page if p.posted_at >= since]
            if page:
                yield page
            next_token = optional_str(sub_object(body, "meta", where="X timeline"), "next_token")
            if next_token is None:
                return
            params = {**params, "pagination_token": next_token}

    def fetch_post_metrics(
        self, access_token: str, posts: list[RemotePost]
    ) -> dict[str, PostMetrics]:
        """Public metrics for every post; non-public ones asked for only on posts younger
        than 30 days, and dropped for any post X refuses them for."""
        cutoff = datetime.now(UTC) - timedelta(days=NON_PUBLIC_DAYS)
        recent = [p.platform_post_id for p in posts if p.posted_at >= cutoff]
        older = [p.platform_post_id for p in posts if p.posted_at < cutoff]
        result: dict[str, PostMetrics] = {}
        for ids, fields in (
            (recent, "public_metrics,non_public_metrics,created_at"),
            (older, "public_metrics,created_at"),
        ):
            for batch in chunks(ids, LOOKUP_BATCH):
                params = {"ids": ",".join(batch), "tweet.fields": fields}
                body = self._get("/tweets", access_token, params)
                refused = {
                    str(e.get("resource_id"))
                    for e in objects(body.get("errors"), where="X /tweets errors")
                    if str(e.get("type", "")).endswith("/not-authorized-for-field")
                }
                for tweet in objects(body.get("data"), where="X /tweets"):
                    tweet_id = field(tweet, "id", str, where="X post")
                    result[tweet_id] = _metrics(tweet, refused=tweet_id in refused)
        return result

    def fetch_account_day(
        self, access_token: str, *, platform_user_id: str, day: date
    ) -> AccountDay:
        """X has no account-insights endpoint: today's public_metrics, nothing else."""
        return profile_snapshot(self.fetch_profile(access_token), day)

    # -- publishing (POST /2/media/upload, then POST /2/tweets; docs/platforms.md §8) -------
    def prepare(self, access_token: str, *, platform_user_id: str, draft: Draft) -> str:
        """Upload each image (X takes up to 4 a post) and answer ``tweet:<media ids>``; a
        text post has nothing to upload. Videos need X's chunked upload, not supported yet."""
        if draft.kind == "video":
            raise PlatformRequestError("Publishing videos to X is not supported yet.")
        ids = []
        for url in draft.media_urls:
            data = fetch_media(url)
            body = self.http.json(
                "POST",
                f"/{self.settings.api_version}/media/upload",
                json={
                    "media": base64.b64encode(data).decode(),
                    "media_category": "tweet_image",
                    "media_type": "image/jpeg",
                },
                headers={"Authorization": f"Bearer {access_token}"},
            )
            media = field(body, "data", dict, where="X media upload")
            ids.append(field(media, "id", str, where="X media upload"))
        return "tweet:" + ",".join(ids)

    def publish(
        self, access_token: str, *, platform_user_id: str, draft: Draft, container_id: str
    ) -> Published:
        request: dict[str, Any] = {"text": draft.text}
        media_ids = [m for m in container_id.removeprefix("tweet:").split(",") if m]
        if media_ids:
            request["media"] = {"media_ids": media_ids}
        body = self.http.json(
            "POST",
            f"/{self.settings.api_version}/tweets",
            json=request,
            headers={"Authorization": f"Bearer {access_token}"},
            once=True,
        )
        data = field(body, "data", dict, where="X create post")
        return _published(field(data, "id", str, where="X create post"))

    def find_published(
        self,
        access_token: str,
        *,
        platform_user_id: str,
        draft: Draft,
        container_id: str,
        since: datetime,
    ) -> Published | None:
        """X has no idempotency key: look for a post with this text since the attempt."""
        for page in self.list_posts(
            access_token, platform_user_id=platform_user_id, since=since - timedelta(minutes=1)
        ):
            for post in page:
                if (post.caption or "").strip() == draft.text.strip():
                    return _published(post.platform_post_id)
        return None


def _published(post_id: str) -> Published:
    return Published(post_id, f"https://x.com/i/web/status/{post_id}")


def _post(tweet: dict[str, Any], media: dict[Any, dict[str, Any]]) -> RemotePost:
    where = "X post"
    keys = sub_object(tweet, "attachments", where=where).get("media_keys") or []
    attached = [media[k] for k in keys if k in media]
    return RemotePost(
        platform_post_id=field(tweet, "id", str, where=where),
        posted_at=iso_datetime(field(tweet, "created_at", str, where=where), where=where),
        content_type=content_type([str(m.get("type")) for m in attached]),
        caption=optional_str(tweet, "text"),
        media_urls=tuple(
            url
            for m in attached
            if (url := optional_str(m, "url") or optional_str(m, "preview_image_url"))
        ),
        kind="tweet",
    )


def content_type(media_types: list[str]) -> ContentType | None:
    """Video or GIF → video; two or more photos → carousel; one → image; none (text) → None."""
    if any(t in ("video", "animated_gif") for t in media_types):
        return ContentType.video
    photos = media_types.count("photo")
    if photos >= 2:
        return ContentType.carousel
    return ContentType.image if photos == 1 else None


def _metrics(tweet: dict[str, Any], *, refused: bool) -> PostMetrics:
    public = sub_object(tweet, "public_metrics", where="X post")
    private = {} if refused else sub_object(tweet, "non_public_metrics", where="X post")
    impressions = optional_int(public, "impression_count")
    if impressions is None:
        impressions = optional_int(private, "impression_count")
    retweets, quotes = optional_int(public, "retweet_count"), optional_int(public, "quote_count")
    return PostMetrics(
        likes=optional_int(public, "like_count"),
        comments=optional_int(public, "reply_count"),
        shares=None if retweets is None and quotes is None else (retweets or 0) + (quotes or 0),
        saves=optional_int(public, "bookmark_count"),
        impressions=impressions,
        unavailable={"impressions"} if refused and impressions is None else set(),
    )
