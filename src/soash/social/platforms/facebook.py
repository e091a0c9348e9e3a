"""Facebook Pages through the Graph API (docs/platforms.md §3).

One Soash connection is one Page. OAuth: code -> short-lived user token -> long-lived user token
(``fb_exchange_token``) -> ``/me/accounts`` -> the first Page the user manages, whose token has
no expiry and no refresh (it dies when the user changes password, loses the Page role or
removes the app: code 190, reconnect). The user token rides along in ``grant_token`` only so
that :meth:`FacebookClient.list_targets` can offer every Page; it is not kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from soash.content.models import ContentType
from soash.social.models import Platform
from soash.social.platforms.base import (
    AccountDay,
    PostMetrics,
    Profile,
    RemotePost,
    Target,
    TokenSet,
)
from soash.social.platforms.errors import PlatformRequestError
from soash.social.platforms.meta import MetaClient, MetaErrors, day_window
from soash.social.platforms.oauth import optional_str
from soash.social.platforms.parsing import field, iso_datetime, optional_int

classify = MetaErrors("Facebook")

PAGE_SIZE = 100
PROFILE_FIELDS = "id,name,username,link,picture{url},followers_count,fan_count"
# /me/accounts: each Page the user granted, with its own Page access token.
ACCOUNT_FIELDS = f"{PROFILE_FIELDS},access_token,tasks"
POST_FIELDS = (
    "id,created_time,message,permalink_url,status_type,full_picture,"
    "attachments{media_type,type,url,media,subattachments}"
)
# A Video node has no `shares` field: asking for it there would fail the whole call.
VIDEO_COUNT_FIELDS = (
    "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
)
COUNT_FIELDS = f"{VIDEO_COUNT_FIELDS},shares"
# Insights, metric -> attribute. Feed posts ({page}_{post} ids) have /insights; videos and reels
# published through the video APIs (bare ids) only /video_insights. `*_media_view` replaced
# `*_impressions` (retired 2025); whatever Meta refuses is dropped and reported unavailable.
POST_INSIGHTS = {"post_media_view": "impressions", "post_total_media_view_unique": "reach"}
VIDEO_INSIGHTS = {
    "total_video_impressions": "impressions",
    "total_video_impressions_unique": "reach",
}
PAGE_INSIGHTS = {
    "page_media_view": "impressions",
    "page_total_media_view_unique": "reach",
    "page_post_engagements": "engagement",
    "page_follows": "followers",
}
VIDEO_KINDS = frozenset({"video", "video_inline", "video_autoplay"})


def content_type(post: dict[str, Any]) -> ContentType | None:
    """docs/platforms.md §3.7, from the first attachment. Text, links and shared posts: None."""
    attachment = _first(post.get("attachments"))
    kinds = {str(attachment.get(k, "")).lower() for k in ("media_type", "type")} - {""}
    status = str(post.get("status_type") or "")
    if "/reel/" in str(post.get("permalink_url") or "") or kinds & {"reel", "video_reels"}:
        return ContentType.reel
    if "album" in kinds or len(_data(attachment.get("subattachments"))) >= 2:
        return ContentType.carousel
    if kinds & VIDEO_KINDS or (not kinds and status == "added_video"):
        return ContentType.video
    if "photo" in kinds or (not kinds and status == "added_photos"):
        return ContentType.image
    return None


class FacebookClient(MetaClient):
    platform = Platform.facebook
    uses_pkce = False
    classify_response = staticmethod(classify)
    name = "Facebook"

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str | None) -> TokenSet:
        app = {"client_id": self.settings.client_id, "client_secret": self.client_secret}
        short = self._token_call({**app, "redirect_uri": redirect_uri, "code": code})
        user_token = self._token_call(
            {**app, "grant_type": "fb_exchange_token", "fb_exchange_token": short}
        )
        targets = self._targets(user_token)
        if not targets:
            raise PlatformRequestError(
                "Facebook: this login manages no Page Soash may read. Connect with an account "
                "that has a role on the Page, and tick the Page when Facebook asks which ones "
                "to share."
            )
        return replace(targets[0].tokens, grant_token=user_token)

    def list_targets(self, tokens: TokenSet) -> list[Target]:
        """Every Page the login granted (``/me/accounts``, all pages of it), each with its own
        Page token, read with the user token ``exchange_code`` put in ``grant_token``."""
        return self._targets(tokens.grant_token or tokens.access_token)

    def fetch_target_profile(self, access_token: str, *, platform_user_id: str) -> Profile:
        """A Page token's ``/me`` is its Page."""
        return self.fetch_profile(access_token)

    def refresh(self, tokens: TokenSet) -> TokenSet:
        """Page tokens have nothing to refresh: check the token still works and keep it."""
        self._get(tokens.access_token, "me", {"fields": "id"})
        return tokens

    def fetch_profile(self, access_token: str) -> Profile:
        # With a Page token, /me is the Page. Pages have no following or post count.
        return _page_profile(self._get(access_token, "me", {"fields": PROFILE_FIELDS}))

    def list_posts(
        self, access_token: str, *, platform_user_id: str, since: datetime
    ) -> Iterator[list[RemotePost]]:
        since_unix = str(int(since.timestamp()))
        params = {"fields": POST_FIELDS, "since": since_unix, "limit": str(PAGE_SIZE)}
        path = f"{platform_user_id}/posts"
        yield from self._posts(access_token, path, since=since, read=_remote_post, params=params)

    def _post_metrics(self, token: str, post: RemotePost) -> PostMetrics:
        path = post.platform_post_id
        if "_" in path:
            counts = self._get(token, path, {"fields": COUNT_FIELDS})
            metrics = self._post_insights(token, f"{path}/insights", POST_INSIGHTS, group="post")
        else:
            counts = self._get(token, path, {"fields": VIDEO_COUNT_FIELDS})
            edge = f"{path}/video_insights"
            metrics = self._post_insights(token, edge, VIDEO_INSIGHTS, group="video")
        metrics.likes = _summary_total(counts, "reactions")
        metrics.comments = _summary_total(counts, "comments")
        shares = counts.get("shares")
        metrics.shares = optional_int(shares, "count") if isinstance(shares, dict) else None
        return metrics

    def fetch_account_day(
        self, access_token: str, *, platform_user_id: str, day: date
    ) -> AccountDay:
        """Views (for impressions), reach, engagements and the follower total of one day.
        Page insights need a Page with at least 100 likes; below that they are None."""
        insights = self._insights(
            access_token,
            f"{platform_user_id}/insights",
            list(PAGE_INSIGHTS),
            params={"period": "day", **day_window(day)},
            day=day,
        )
        account = AccountDay(day=day)
        insights.apply(account, PAGE_INSIGHTS)
        return account

    def _token_call(self, params: dict[str, str]) -> str:
        body = self.http.json("GET", self.settings.token_url, params=params)
        token: str = field(body, "access_token", str, where="Facebook token response")
        return token

    def _targets(self, user_token: str) -> list[Target]:
        """The Pages with a Page token (one without is one the app may not act for)."""
        params = {"fields": ACCOUNT_FIELDS, "limit": "100"}
        return [
            Target(
                _page_profile(account),
                TokenSet(
                    access_token=token,
                    expires_at=None,  # a Page token from a long-lived user token does not expire
                    platform_user_id=str(
                        field(account, "id", (str, int), where="Facebook /me/accounts")
                    ),
                ),
            )
            for page in self._pages(user_token, "me/accounts", params)
            for account in page
            if (token := optional_str(account, "access_token"))
        ]


def _page_profile(body: dict[str, Any]) -> Profile:
    picture = _data(body.get("picture"))
    followers = optional_int(body, "followers_count")
    return Profile(
        platform_user_id=str(field(body, "id", (str, int), where="Facebook Page")),
        username=optional_str(body, "username"),
        display_name=optional_str(body, "name"),
        avatar_url=optional_str(picture, "url") if isinstance(picture, dict) else None,
        followers=followers if followers is not None else optional_int(body, "fan_count"),
    )


def _remote_post(item: dict[str, Any]) -> RemotePost:
    where = "Facebook post"
    return RemotePost(
        platform_post_id=str(field(item, "id", (str, int), where=where)),
        posted_at=iso_datetime(item.get("created_time"), where=where),
        content_type=content_type(item),
        caption=optional_str(item, "message"),
        media_urls=_media_urls(item),
        kind=optional_str(item, "status_type") or "",
    )


def _media_urls(item: dict[str, Any]) -> tuple[str, ...]:
    attachment = _first(item.get("attachments"))
    parts = _data(attachment.get("subattachments")) or [attachment]
    urls = [_image_src(part) for part in parts if isinstance(part, dict)]
    if not any(urls):
        urls = [optional_str(item, "full_picture")]
    return tuple(dict.fromkeys(u for u in urls if u))


def _image_src(part: dict[str, Any]) -> str | None:
    media = part.get("media")
    image = media.get("image") if isinstance(media, dict) else None
    return optional_str(image, "src") if isinstance(image, dict) else None


def _summary_total(counts: dict[str, Any], edge: str) -> int | None:
    value = counts.get(edge)
    summary = value.get("summary") if isinstance(value, dict) else None
    return optional_int(summary, "total_count") if isinstance(summary, dict) else None


def _data(value: Any) -> Any:
    """``value["data"]`` of a Graph edge or object wrapper; [] when absent."""
    return value.get("data", []) if isinstance(value, dict) else []


def _first(value: Any) -> dict[str, Any]:
    data = _data(value)
    return data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
