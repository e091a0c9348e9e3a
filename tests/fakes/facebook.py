"""A fake of the Facebook Graph API for Pages (docs/platforms.md §3): one user, their Pages.

    fake = FacebookFake().start()
    token = fake.page_token                              # the default Page's token
    fake.add_post(created_time=..., message="Hi", reactions=42, comments=5, shares=3,
                  attachments=[{"media_type": "photo", "type": "photo"}],
                  insights={"post_media_view": 900, "post_total_media_view_unique": 800})
    fake.retired_metrics.add("post_media_view")          # "(#100) The value must be a valid
                                                         #  insights metric" (names none)
    fake.set_account_day(day, page_media_view=1000, page_follows=8450)

OAuth: ``GET /{v}/oauth/access_token`` takes the code (``codes``, each usable once) or a
``fb_exchange_token``; ``/me/accounts`` lists the user's Pages with their tokens.
``/{page}/posts`` honours ``since``/``until`` and pages as ``posts_paging`` says: ``"cursor"``
(``paging.cursors`` + a ``next`` with ``after``) or ``"time"``, as Meta often pages it (a
``next`` carrying ``until``, ``since``, ``__paging_token``, ``fields``, ``limit`` and
``access_token``, and no ``cursors``). Either ``next`` names graph.facebook.com, as Meta's
does. Without ``fields`` a post has Meta's default ones (id, created_time, message). Feed posts
(``{page}_{post}`` ids) answer ``/insights``; bare ids (videos) only ``/video_insights``.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from soash.config import FacebookSettings
from tests.fakes.meta import (
    MetaFake,
    graph_error,
    meta_time,
    object_missing,
    select,
    top_fields,
)
from tests.fakes.server import Request, Response

USER_ID = "10158000000000001"
PAGE_ID = "1234567890"
CLIENT_ID = "fb-app-id"
CLIENT_SECRET = "fb-app-secret"
POST_METRICS = {
    "post_media_view",
    "post_total_media_view_unique",
    "post_reactions_by_type_total",
    "post_clicks",
}
VIDEO_METRICS = {
    "total_video_impressions",
    "total_video_impressions_unique",
    "total_video_views",
    "fb_reels_total_plays",
    "post_video_avg_time_watched",
}
PAGE_METRICS = {
    "page_media_view",
    "page_total_media_view_unique",
    "page_post_engagements",
    "page_daily_follows_unique",
    "page_follows",
    "page_views_total",
}
# What /{page}/posts gives for a post when no `fields` are asked for.
DEFAULT_POST_FIELDS = "id,created_time,message"
# Retired on all versions (June and November 2025, and earlier).
RETIRED = {"post_impressions", "post_impressions_unique", "page_impressions", "page_fans"}


@dataclass
class FbPost:
    id: str
    created_time: datetime
    message: str | None = None
    permalink_url: str | None = None
    status_type: str | None = None
    full_picture: str | None = None
    attachments: list[dict[str, Any]] | None = None
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None  # Graph leaves `shares` out when there are none
    insights: dict[str, Any] = field(default_factory=dict)

    def graph(self) -> dict[str, Any]:
        def summary(total: int | None) -> dict[str, Any] | None:
            return None if total is None else {"data": [], "summary": {"total_count": total}}

        return {
            "id": self.id,
            "created_time": meta_time(self.created_time),
            "message": self.message,
            "permalink_url": self.permalink_url,
            "status_type": self.status_type,
            "full_picture": self.full_picture,
            "attachments": {"data": self.attachments} if self.attachments else None,
            "reactions": summary(self.reactions),
            "comments": summary(self.comments),
            "shares": {"count": self.shares} if self.shares else None,
        }


class FacebookFake(MetaFake):
    buc_type = "pages"
    public_base = "https://graph.facebook.com"
    settings_cls = FacebookSettings
    app = (CLIENT_ID, CLIENT_SECRET)
    authorize_path, token_path = "/v23.0/dialog/oauth", "/v23.0/oauth/access_token"

    def __init__(self) -> None:
        super().__init__()
        self.rate_limit_code = 32
        self.retired_metrics = set(RETIRED)
        self.posts_paging = "cursor"  # or "time"
        self.codes = {"fb-code"}
        self.used_codes: set[str] = set()
        self.pages: dict[str, dict[str, Any]] = {}
        self.posts: dict[str, FbPost] = {}
        self._ids = itertools.count(987654321)
        self.page_token = self.add_page(PAGE_ID, name="Acme", username="acme", followers=8450)
        self.route("GET", f"/{self.version}/oauth/access_token", self._token)
        self.api("me/accounts", self._accounts)
        self.api("me", lambda request, who: self._node(request, who, who))
        self.api(r"(?P<id>\d+)/posts", self._posts)
        self.api(r"(?P<id>[\d_]+)/(?P<edge>insights|video_insights)", self._insights)
        self.api(
            r"(?P<id>[\d_]+)", lambda request, who: self._node(request, who, request.params["id"])
        )

    def add_page(
        self, page_id: str, *, name: str, username: str | None = None, followers: int = 0
    ) -> str:
        """A Page the user manages; returns its (non-expiring) Page token. ``/me/accounts``
        lists it with that token, its category and the user's tasks on it.
        Shape from: https://developers.facebook.com/docs/pages-api/manage-pages (Get a list
        of Pages, tasks and tokens) and
        https://developers.facebook.com/docs/graph-api/reference/user/accounts/ ."""
        token = self.issue_token(page_id, "EAAPage")
        self.pages[page_id] = {
            "id": page_id,
            "name": name,
            "category": "Internet Company",
            "category_list": [{"id": "2256", "name": "Internet Company"}],
            "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
            "username": username,
            "link": f"https://www.facebook.com/{username or page_id}",
            "picture": {"data": {"url": f"https://scontent.xx.fbcdn.net/{page_id}.jpg"}},
            "followers_count": followers,
            "fan_count": followers,
            "access_token": token,
        }
        return token

    def add_post(self, *, created_time: datetime, page_id: str = PAGE_ID, **fields: Any) -> FbPost:
        post_id = str(fields.pop("id", f"{page_id}_{next(self._ids)}"))
        post = FbPost(id=post_id, created_time=created_time, **fields)
        self.posts[post.id] = post
        return post

    # -- OAuth -------------------------------------------------------------------------------
    def _token(self, request: Request) -> Response:
        query = request.query
        if (query.get("client_id"), query.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return graph_error(101, "Error validating application. Invalid application ID.")
        if query.get("grant_type") == "fb_exchange_token":
            who = self.check_token(query.get("fb_exchange_token"))
            if isinstance(who, Response):
                return who
            return _token_body(self.issue_token(who, "EAAlong"), 5183944)
        code = query.get("code", "")
        if code in self.used_codes:
            return graph_error(100, "This authorization code has been used.", subcode=36009)
        if code not in self.codes:
            return graph_error(100, "Invalid verification code format.")
        self.codes.discard(code)
        self.used_codes.add(code)
        return _token_body(self.issue_token(USER_ID, "EAAshort"), 5400)

    # -- data --------------------------------------------------------------------------------
    def _accounts(self, request: Request, who: str) -> Response:
        if who != USER_ID:
            return graph_error(
                100, "(#100) Tried accessing nonexisting field (accounts) on node type (Page)"
            )
        return self.paged(request, list(self.pages.values()))

    def _node(self, request: Request, who: str, node_id: str) -> Response:
        if node_id == USER_ID == who:
            return Response(200, select({"id": USER_ID, "name": "Jo Baker"}, request))
        node = self.pages.get(node_id) or (
            self.posts[node_id].graph() if node_id in self.posts else None
        )
        if node is None or not self._owns(who, node_id):
            return object_missing(node_id)
        if (
            node_id in self.posts
            and "_" not in node_id
            and "shares" in top_fields(request.query.get("fields", ""))
        ):
            return graph_error(
                100, "(#100) Tried accessing nonexisting field (shares) on node type (Video)"
            )
        return Response(
            200, select({k: v for k, v in node.items() if k != "access_token"}, request)
        )

    def _posts(self, request: Request, who: str) -> Response:
        page_id = request.params["id"]
        if page_id not in self.pages or not self._owns(who, page_id):
            return object_missing(page_id)
        since = _unix(request.query.get("since"), datetime.min.replace(tzinfo=UTC))
        until = _unix(request.query.get("until"), datetime.max.replace(tzinfo=UTC))
        posts = [
            p.graph()
            for p in sorted(self.posts.values(), key=lambda p: p.created_time, reverse=True)
            if p.id.startswith(f"{page_id}_") and since <= p.created_time <= until
        ]
        if "fields" not in request.query:
            request.query["fields"] = DEFAULT_POST_FIELDS
            try:
                return self._paged_posts(request, posts)
            finally:
                del request.query["fields"]
        return self._paged_posts(request, posts)

    def _paged_posts(self, request: Request, posts: list[dict[str, Any]]) -> Response:
        return (
            self.time_paged(request, posts)
            if self.posts_paging == "time"
            else self.paged(request, posts)
        )

    def time_paged(self, request: Request, posts: list[dict[str, Any]]) -> Response:
        """Time-based paging of posts newest first: ``next`` moves ``until`` to the last post
        served and carries a ``__paging_token`` naming it (posts sharing that second are not
        served twice); the request's other parameters ride along. No ``cursors``.
        Shape from: https://developers.facebook.com/docs/graph-api/results/ (time-based:
        ``until``, ``since``, ``__paging_token`` in ``next``/``previous``)."""
        limit = int(request.query.get("limit", 25))
        token = request.query.get("__paging_token")
        if token:
            last_id = _paging_token_id(token)
            ids = [p["id"] for p in posts]
            posts = posts[ids.index(last_id) + 1 :] if last_id in ids else posts
        chunk = posts[:limit]
        body: dict[str, Any] = {"data": [select(post, request) for post in chunk]}
        if chunk:
            base = {
                k: v for k, v in request.query.items() if k not in ("__paging_token", "__previous")
            }
            first, last = chunk[0], chunk[-1]
            paging = {
                "previous": self._time_link(
                    request, {**base, "since": _unix_of(first), "__previous": "1"}, first
                )
            }
            if len(posts) > len(chunk):
                paging["next"] = self._time_link(request, {**base, "until": _unix_of(last)}, last)
            body["paging"] = paging
        return Response(200, body)

    def _time_link(self, request: Request, query: dict[str, str], post: dict[str, Any]) -> str:
        token = "enc_" + base64.urlsafe_b64encode(post["id"].encode()).decode().rstrip("=")
        return f"{self.public_base}{request.path}?{urlencode({**query, '__paging_token': token})}"

    def _insights(self, request: Request, who: str) -> Response:
        node_id, edge = request.params["id"], request.params["edge"]
        if not self._owns(who, node_id):
            return object_missing(node_id)
        if node_id in self.pages and edge == "insights":
            figures = self.day_series
            return self.insights(request, node_id, lambda m: figures(request, m), period="day")
        post = self.posts.get(node_id)
        if post is None:
            return object_missing(node_id)
        if ("_" in node_id) != (edge == "insights"):
            node_type = "Post" if "_" in node_id else "Video"
            return graph_error(
                100, f"(#100) Tried accessing nonexisting field ({edge}) on node type ({node_type})"
            )
        return self.insights(request, node_id, post.insights.get)

    def refusal(self, request: Request, object_id: str, index: int, metric: str) -> Response | None:
        known = PAGE_METRICS if object_id in self.pages else POST_METRICS | VIDEO_METRICS
        if metric in self.retired_metrics or metric not in known:
            return graph_error(100, "(#100) The value must be a valid insights metric")
        return None

    def _owns(self, who: str, node_id: str) -> bool:
        """A Page token reads its own Page and posts; the user token reads every Page's."""
        page_id = node_id.split("_", 1)[0] if "_" in node_id else node_id
        return who in (USER_ID, page_id) or (node_id in self.posts and who in self.pages)


def _token_body(token: str, expires_in: int) -> Response:
    return Response(200, {"access_token": token, "token_type": "bearer", "expires_in": expires_in})


def _unix_of(post: dict[str, Any]) -> str:
    created = datetime.strptime(post["created_time"], "%Y-%m-%dT%H:%M:%S%z")
    return str(int(created.timestamp()))


def _paging_token_id(token: str) -> str:
    raw = token.removeprefix("enc_")
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()


def _unix(value: str | None, default: datetime) -> datetime:
    return datetime.fromtimestamp(int(value), UTC) if value else default
