"""LinkedIn: 3-legged OAuth, OIDC ``/v2/userinfo`` and the versioned ``/rest`` API
(docs/platforms.md §6).

Every ``/rest`` call carries ``LinkedIn-Version`` (a setting) and
``X-Restli-Protocol-Version: 2.0.0``; URNs in query values are percent-encoded, the Rest.li
``List(…)``/``(…)`` syntax is not. Refresh tokens exist only for partner apps.

The account is a member (``platform_user_id`` = the OIDC ``sub``) or an organization
(``platform_user_id`` = ``urn:li:organization:{id}``); :meth:`LinkedInClient.list_targets`
offers both: the member and every organization they administer. Posts are listed with the
``/rest/posts`` author finder. For a **member** that finder needs ``r_member_social``, which
LinkedIn no longer grants to new apps: on its 403 Soash lists no posts (and logs it) instead of
failing the sync; a member's posts come in by CSV import, and their metrics are then fetched by
URN, which the member analytics scope allows. A post's ``kind`` is ``member`` or ``org:{id}``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from soash.content.models import ContentType
from soash.iterables import chunks
from soash.social.models import Platform
from soash.social.platforms.base import (
    AccountDay,
    PostMetrics,
    Profile,
    RemotePost,
    Target,
    TokenSet,
)
from soash.social.platforms.errors import (
    RECONNECT_WITH_PERMISSIONS,
    PlatformRequestError,
    RateLimited,
    TokenInvalid,
)
from soash.social.platforms.oauth import (
    OAuthClient,
    json_or_none,
    oauth_error,
    objects,
    optional_str,
    sub_object,
)
from soash.social.platforms.parsing import epoch_datetime, field, optional_int

log = logging.getLogger(__name__)

PAGE_SIZE = 50
SHARE_STATS_BATCH = 50
ORG_PREFIX = "urn:li:organization:"
# What organizationalEntityShareStatistics gives a post: NULL and unavailable when refused.
SHARE_FIGURES = frozenset({"likes", "comments", "shares", "reach", "impressions"})
# memberCreatorPostAnalytics queryType -> PostMetrics attribute; one call each.
POST_QUERY_TYPES = {
    "IMPRESSION": "impressions",
    "MEMBERS_REACHED": "reach",
    "REACTION": "likes",
    "COMMENT": "comments",
    "RESHARE": "shares",
    "POST_SAVE": "saves",  # newer versions only: a 400 marks it unavailable
}
# The member's daily analytics: queryType -> AccountDay figure it feeds.
DAY_QUERY_TYPES = {
    "IMPRESSION": "impressions",
    "MEMBERS_REACHED": "reach",
    "REACTION": "engagement",
    "COMMENT": "engagement",
    "RESHARE": "engagement",
}
_LITTLE_HASHTAG = re.compile(r"\{hashtag\|\\?#\|([^}|]+)\}")


class LinkedInApiError(PlatformRequestError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"LinkedIn refused the request ({status}): {message}")
        self.status = status


def classify(response: httpx.Response) -> Exception | None:
    oauth = oauth_error(response, platform="LinkedIn")
    if oauth is not None:
        return oauth
    if response.is_success:
        return None
    body = json_or_none(response)
    body = body if isinstance(body, dict) else {}
    message = optional_str(body, "message") or optional_str(body, "code") or "no detail"
    status = response.status_code
    if status == 429:  # daily limits, no headers: they reset at midnight UTC
        now = datetime.now(UTC)
        midnight = datetime.combine(now.date() + timedelta(days=1), time(), UTC)
        return RateLimited(
            f"LinkedIn's daily limit was reached: {message}",
            retry_after=max(1.0, (midnight - now).total_seconds()),
        )
    if status == 401:  # serviceErrorCode 65600 invalid, 65601 revoked, 65602 expired
        return TokenInvalid(f"LinkedIn refused the access token: {message}")
    if status == 426:
        return PlatformRequestError(
            f"LinkedIn no longer serves this API version ({message}): "
            "set SOASH_LINKEDIN_API_VERSION to a recent YYYYMM"
        )
    return LinkedInApiError(status, message)


class LinkedInClient(OAuthClient):
    platform = Platform.linkedin
    uses_pkce = False
    name = "LinkedIn"
    classify_response = staticmethod(classify)

    # -- OAuth -------------------------------------------------------------------------------
    def authorize_url(self, *, state: str, redirect_uri: str, code_challenge: str | None) -> str:
        return self._authorize_url(
            {
                "response_type": "code",
                "client_id": self.settings.client_id,
                "redirect_uri": redirect_uri,
                "state": state,
                "scope": " ".join(self.scopes),
            }
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str | None) -> TokenSet:
        return self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": self.settings.client_id,
                "client_secret": self.client_secret,
            }
        )

    def refresh(self, tokens: TokenSet) -> TokenSet:
        """Only partner apps get refresh tokens; without one this raises TokenInvalid, and
        the member has to reconnect before the 60-day access token runs out."""
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token_of(tokens),
            "client_id": self.settings.client_id,
            "client_secret": self.client_secret,
        }
        return self._token(form, previous=tokens)

    # -- data --------------------------------------------------------------------------------
    def _rest(self, path_and_query: str, token: str) -> dict[str, Any]:
        return self.http.json(
            "GET",
            f"/rest{path_and_query}",
            headers={
                "Authorization": f"Bearer {token}",
                "LinkedIn-Version": self.settings.api_version,
                "X-Restli-Protocol-Version": "2.0.0",
            },
        )

    def fetch_profile(self, access_token: str) -> Profile:
        """The member behind the token. LinkedIn has no handle, following or post count.
        A 403 means the grant lacks ``openid``/``profile``: the user must reconnect."""
        try:
            info = self.http.json(
                "GET", "/v2/userinfo", headers={"Authorization": f"Bearer {access_token}"}
            )
        except LinkedInApiError as exc:
            if exc.status != 403:
                raise
            raise TokenInvalid(f"{exc}: {RECONNECT_WITH_PERMISSIONS}") from exc
        return Profile(
            platform_user_id=field(info, "sub", str, where="LinkedIn userinfo"),
            username=None,
            display_name=optional_str(info, "name"),
            avatar_url=optional_str(info, "picture"),
            followers=self._member_followers(access_token),
        )

    def list_targets(self, tokens: TokenSet) -> list[Target]:
        """The member, then each organization they administer (role ADMINISTRATOR, state
        APPROVED), all read with the member's token. Without an organization scope (a 403 on
        the ACLs), the member alone."""
        member = self.fetch_profile(tokens.access_token)
        targets = [Target(member, replace(tokens, platform_user_id=member.platform_user_id))]
        for org in self._administered(tokens.access_token):
            profile = self._organization(tokens.access_token, org)
            targets.append(Target(profile, replace(tokens, platform_user_id=org)))
        return targets

    def fetch_target_profile(self, access_token: str, *, platform_user_id: str) -> Profile:
        """The member (:meth:`fetch_profile`) or the organization: name, vanity name, followers."""
        author = author_urn(platform_user_id)
        if post_kind(author) == "member":
            return self.fetch_profile(access_token)
        return self._organization(access_token, author)

    def _administered(self, token: str) -> list[str]:
        """Organization URNs from ``organizationAcls``' roleAssignee finder, page by page."""
        found: list[str] = []
        start = 0
        while True:
            query = (
                "/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED"
                f"&start={start}&count={PAGE_SIZE}"
            )
            try:
                body = self._rest(query, token)
            except LinkedInApiError as exc:
                if exc.status != 403:
                    raise
                return found  # no organization scope in this grant
            elements = _elements(body)
            for acl in elements:
                # `organization` on current versions; `organizationalTarget` on older ones.
                org = optional_str(acl, "organization") or optional_str(acl, "organizationalTarget")
                if (
                    org is not None
                    and org.startswith(ORG_PREFIX)
                    and acl.get("role", "ADMINISTRATOR") == "ADMINISTRATOR"
                    and acl.get("state", "APPROVED") == "APPROVED"
                    and org not in found
                ):
                    found.append(org)
            if not _has_next(body, start, len(elements)):
                return found
            start += len(elements)

    def _organization(self, token: str, org: str) -> Profile:
        body = self._rest(f"/organizations/{_enc(org.removeprefix(ORG_PREFIX))}", token)
        sizes = self._rest(f"/networkSizes/{_enc(org)}?edgeType=COMPANY_FOLLOWED_BY_MEMBER", token)
        return Profile(
            platform_user_id=org,
            username=optional_str(body, "vanityName"),
            display_name=optional_str(body, "localizedName"),
            followers=optional_int(sizes, "firstDegreeSize"),
        )

    def _member_followers(self, token: str) -> int | None:
        try:
            body = self._rest("/memberFollowersCount?q=me", token)
        except LinkedInApiError as exc:
            if exc.status != 403:
                raise
            return None  # r_member_profileAnalytics not granted
        counts = [optional_int(e, "memberFollowersCount") for e in _elements(body)]
        return counts[0] if counts else None

    def list_posts(
        self, access_token: str, *, platform_user_id: str, since: datetime
    ) -> Iterator[list[RemotePost]]:
        author = author_urn(platform_user_id)
        kind = post_kind(author)
        start = 0
        while True:
            query = (
                f"/posts?q=author&author={_enc(author)}&count={PAGE_SIZE}&start={start}"
                "&sortBy=CREATED"
            )
            try:
                body = self._rest(query, access_token)
            except LinkedInApiError as exc:
                if exc.status != 403 or kind != "member":
                    raise
                log.warning("LinkedIn does not let this app list a member's posts: %s", exc)
                return
            elements = _elements(body)
            created = [_millis(e, "createdAt") for e in elements]  # newest first
            page = [
                _post(e, kind)
                for e, at in zip(elements, created, strict=True)
                if at >= since and e.get("lifecycleState", "PUBLISHED") == "PUBLISHED"
            ]
            if page:
                yield page
            if any(at < since for at in created) or not _has_next(body, start, len(elements)):
                return
            start += len(elements)

    def fetch_post_metrics(
        self, access_token: str, posts: list[RemotePost]
    ) -> dict[str, PostMetrics]:
        result: dict[str, PostMetrics] = {}
        by_org: dict[str, list[str]] = {}
        for post in posts:
            if post.kind.startswith("org:"):
                by_org.setdefault(ORG_PREFIX + post.kind[4:], []).append(post.platform_post_id)
            elif (metrics := self._member_post(access_token, post.platform_post_id)) is not None:
                result[post.platform_post_id] = metrics
        for org, ids in by_org.items():
            result.update(self._org_posts(access_token, org, ids))
        return result

    def _member_post(self, token: str, urn: str) -> PostMetrics | None:
        """One memberCreatorPostAnalytics call per metric; a 400 for one queryType (not
        offered by this version) skips it and records it unavailable. None: post gone."""
        entity = f"({'ugc' if urn.startswith('urn:li:ugcPost:') else 'share'}:{_enc(urn)})"
        metrics = PostMetrics()
        for query_type, name in POST_QUERY_TYPES.items():
            query = (
                f"/memberCreatorPostAnalytics?q=entity&entity={entity}"
                f"&queryType={query_type}&aggregation=TOTAL"
            )
            try:
                setattr(metrics, name, _total(self._rest(query, token)))
            except LinkedInApiError as exc:
                if exc.status == 404:
                    return None
                if exc.status not in (400, 403):  # not offered, or not granted: this one only
                    raise
                metrics.unavailable.add(name)
        return metrics

    def _org_posts(self, token: str, org: str, ids: list[str]) -> dict[str, PostMetrics]:
        result: dict[str, PostMetrics] = {}
        for key, prefix in (("shares", "urn:li:share:"), ("ugcPosts", "urn:li:ugcPost:")):
            for batch in chunks([i for i in ids if i.startswith(prefix)], SHARE_STATS_BATCH):
                result.update(self._share_stats(token, org, key, list(batch)))
        return result

    def _share_stats(
        self, token: str, org: str, key: str, urns: list[str]
    ) -> dict[str, PostMetrics]:
        """One batch of share statistics. LinkedIn refuses a whole batch with 403 when it
        will not report one of its posts: the batch is asked again post by post, and a post
        still refused gets NULL figures, recorded unavailable; the others keep theirs."""
        try:
            body = self._rest(
                _share_statistics(org, f"&{key}=List({','.join(_enc(i) for i in urns)})"), token
            )
        except LinkedInApiError as exc:
            if exc.status != 403:
                raise
            if len(urns) > 1:
                return {
                    k: v
                    for urn in urns
                    for k, v in self._share_stats(token, org, key, [urn]).items()
                }
            log.warning("LinkedIn refuses the statistics of %s: %s", urns[0], exc)
            return {urns[0]: PostMetrics(unavailable=set(SHARE_FIGURES))}
        result: dict[str, PostMetrics] = {}
        for element in _elements(body):
            post_id = optional_str(element, "share") or optional_str(element, "ugcPost")
            if post_id is not None:
                result[post_id] = _share_metrics(element)
        return result

    def fetch_account_day(
        self, access_token: str, *, platform_user_id: str, day: date
    ) -> AccountDay:
        author = author_urn(platform_user_id)
        if post_kind(author) == "member":
            return self._member_day(access_token, day)
        return self._org_day(access_token, author, day)

    def _member_day(self, token: str, day: date) -> AccountDay:
        """Followers now, plus the day's creator analytics, one queryType per call."""
        end = day + timedelta(days=1)
        date_range = f"(start:{_restli_date(day)},end:{_restli_date(end)})"
        counts: dict[str, int | None] = {}
        result = AccountDay(day=day, followers=self._member_followers(token))
        for query_type, name in DAY_QUERY_TYPES.items():
            query = (
                f"/memberCreatorPostAnalytics?q=me&queryType={query_type}"
                f"&aggregation=DAILY&dateRange={date_range}"
            )
            try:
                counts[query_type] = _total(self._rest(query, token), day=day)
            except LinkedInApiError as exc:
                if exc.status not in (400, 403):
                    raise
                result.unavailable.add(name)
        result.impressions = counts.get("IMPRESSION")
        result.reach = counts.get("MEMBERS_REACHED")
        if "engagement" not in result.unavailable:  # a partial sum would understate it
            result.engagement = _sum(counts.get(q) for q in ("REACTION", "COMMENT", "RESHARE"))
        return result

    def _org_day(self, token: str, org: str, day: date) -> AccountDay:
        sizes = self._rest(f"/networkSizes/{_enc(org)}?edgeType=COMPANY_FOLLOWED_BY_MEMBER", token)
        start = int(datetime.combine(day, time(), UTC).timestamp() * 1000)
        interval = f"(timeRange:(start:{start},end:{start + 86_400_000}),timeGranularityType:DAY)"
        body = self._rest(_share_statistics(org, f"&timeIntervals={interval}"), token)
        days = [_share_metrics(e) for e in _elements(body)]
        return AccountDay(
            day=day,
            followers=optional_int(sizes, "firstDegreeSize"),
            impressions=_sum(m.impressions for m in days),
            reach=_sum(m.reach for m in days),
            engagement=_sum(_sum((m.likes, m.comments, m.shares)) for m in days),
        )


def author_urn(platform_user_id: str) -> str:
    """An organization's URN as stored, or a member's ``sub`` as its person URN."""
    if platform_user_id.startswith("urn:li:"):
        return platform_user_id
    return f"urn:li:person:{platform_user_id}"


def post_kind(author: str) -> str:
    return f"org:{author.removeprefix(ORG_PREFIX)}" if author.startswith(ORG_PREFIX) else "member"


def content_type(content: dict[str, Any]) -> ContentType | None:
    """multiImage, carousel or a document (PDF) → carousel; a video or image media URN →
    video/image; article, poll or no content (text) → None."""
    if "multiImage" in content or "carousel" in content:
        return ContentType.carousel
    media_id = optional_str(sub_object(content, "media", where="LinkedIn content"), "id") or ""
    for prefix, kind in (
        ("urn:li:video:", ContentType.video),
        ("urn:li:image:", ContentType.image),
        ("urn:li:document:", ContentType.carousel),
    ):
        if media_id.startswith(prefix):
            return kind
    return None


def plain_commentary(text: str | None) -> str | None:
    """LinkedIn "little text" → plain text: ``{hashtag|\\#|tag}`` → ``#tag``."""
    return _LITTLE_HASHTAG.sub(r"#\1", text) if text else None


def _post(element: dict[str, Any], kind: str) -> RemotePost:
    published = element.get("publishedAt") or element.get("createdAt")
    return RemotePost(
        platform_post_id=field(element, "id", str, where="LinkedIn post"),
        posted_at=epoch_datetime(published, where="LinkedIn post", millis=True),
        content_type=content_type(sub_object(element, "content", where="LinkedIn post")),
        caption=plain_commentary(optional_str(element, "commentary")),
        kind=kind,
    )


def _share_statistics(org: str, selector: str) -> str:
    return (
        "/organizationalEntityShareStatistics?q=organizationalEntity"
        f"&organizationalEntity={_enc(org)}{selector}"
    )


def _share_metrics(element: dict[str, Any]) -> PostMetrics:
    stats = sub_object(element, "totalShareStatistics", where="LinkedIn share statistics")
    return PostMetrics(
        likes=optional_int(stats, "likeCount"),
        comments=optional_int(stats, "commentCount"),
        shares=optional_int(stats, "shareCount"),
        reach=optional_int(stats, "uniqueImpressionsCount"),
        impressions=optional_int(stats, "impressionCount"),
    )


def _total(body: dict[str, Any], *, day: date | None = None) -> int | None:
    """The sum of ``elements[].count`` (for ``day`` only, when given). No elements: no data."""
    counts = [
        optional_int(e, "count")
        for e in _elements(body)
        if day is None or _element_day(e) in (None, day)
    ]
    return _sum(counts)


def _element_day(element: dict[str, Any]) -> date | None:
    start = sub_object(sub_object(element, "dateRange", where="LinkedIn"), "start", where="")
    try:
        return date(int(start["year"]), int(start["month"]), int(start["day"]))
    except (KeyError, TypeError, ValueError):
        return None


def _sum(values: Any) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _elements(body: dict[str, Any]) -> list[dict[str, Any]]:
    return objects(body.get("elements"), where="LinkedIn elements")


def _millis(element: dict[str, Any], name: str) -> datetime:
    return epoch_datetime(field(element, name, int, where="LinkedIn post"), where=name, millis=True)


def _has_next(body: dict[str, Any], start: int, count: int) -> bool:
    if count == 0:
        return False
    paging = sub_object(body, "paging", where="LinkedIn paging")
    if any(link.get("rel") == "next" for link in objects(paging.get("links"), where="links")):
        return True
    total = optional_int(paging, "total")
    return total is not None and start + count < total


def _restli_date(day: date) -> str:
    return f"(day:{day.day},month:{day.month},year:{day.year})"


def _enc(urn: str) -> str:
    return quote(urn, safe="")
