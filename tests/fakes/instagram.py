"""A fake of the Instagram API with Instagram Login (docs/platforms.md §2), one account.

    fake = InstagramFake().start()
    token = fake.issue_token(IG_USER_ID)               # or go through the OAuth endpoints
    fake.add_post(timestamp=..., media_type="VIDEO", media_product_type="REELS",
                  like_count=9, insights={"reach": 157, "views": 2048})
    fake.retired_metrics.add("saved")                  # refused with code 100, by name
    fake.unsupported["FEED"].add("views")              # "not supported for this media type"
    fake.set_account_day(day, reach=90, views=300, total_interactions=12)

Token endpoints: ``POST /oauth/access_token`` (the code, form-encoded; ``codes`` holds the
valid ones, each usable once), ``GET /access_token`` (``ig_exchange_token``) and
``GET /refresh_access_token`` (``ig_refresh_token``). ``/media`` ignores ``since`` (Meta's
support for it on this host is unconfirmed), so clients must stop at older posts themselves.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from soash.config import InstagramSettings
from tests.fakes.meta import MetaFake, graph_error, meta_time, object_missing, select
from tests.fakes.server import Request, Response

IG_USER_ID = "17841405822304914"
CLIENT_ID = "ig-app-id"
CLIENT_SECRET = "ig-app-secret"
MEDIA_METRICS = [
    "reach",
    "views",
    "saved",
    "shares",
    "likes",
    "comments",
    "total_interactions",
    "follows",
    "profile_visits",
    "profile_activity",
    "replies",
    "navigation",
    "ig_reels_avg_watch_time",
    "ig_reels_video_view_total_time",
]
# Retired for v22+ and all versions from April 21 2025, or earlier (v18: engagement, exits...).
RETIRED = {"impressions", "plays", "video_views", "clips_replays_count", "engagement", "exits"}
# Refused per product type, as observed (docs/platforms.md §2.4 availability table).
UNSUPPORTED = {
    "FEED": {"shares", "likes", "comments"},
    "STORY": {"saved", "shares", "likes", "comments", "total_interactions"},
}
ACCOUNT_METRICS = [
    "reach",
    "follower_count",
    "online_followers",
    "views",
    "accounts_engaged",
    "total_interactions",
    "likes",
    "comments",
    "shares",
    "saves",
    "replies",
    "follows_and_unfollows",
    "profile_links_taps",
]
TOTAL_VALUE_ONLY = set(ACCOUNT_METRICS) - {"reach", "follower_count", "online_followers"}


@dataclass
class IgMedia:
    id: str
    timestamp: datetime
    media_type: str = "IMAGE"  # IMAGE | VIDEO | CAROUSEL_ALBUM
    media_product_type: str = "FEED"  # FEED | REELS | STORY | AD
    caption: str | None = None
    media_url: str | None = None
    thumbnail_url: str | None = None
    permalink: str | None = None
    like_count: int | None = None
    comments_count: int | None = None
    children: list[dict[str, Any]] | None = None
    insights: dict[str, int] = field(default_factory=dict)

    def graph(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "caption": self.caption,
            "media_type": self.media_type,
            "media_product_type": self.media_product_type,
            "media_url": self.media_url,
            "thumbnail_url": self.thumbnail_url,
            "permalink": self.permalink,
            "timestamp": meta_time(self.timestamp),
            "like_count": self.like_count,
            "comments_count": self.comments_count,
            "children": {"data": self.children} if self.children else None,
        }


class InstagramFake(MetaFake):
    buc_type = "instagram"
    settings_cls = InstagramSettings
    app = (CLIENT_ID, CLIENT_SECRET)
    authorize_path, token_path = "/oauth/authorize", "/oauth/access_token"

    def __init__(self) -> None:
        super().__init__()
        self.user: dict[str, Any] = {
            "user_id": IG_USER_ID,
            "id": "7390000000000000",
            "username": "acme",
            "name": "Acme Co",
            "account_type": "BUSINESS",
            "profile_picture_url": "https://scontent.cdninstagram.com/acme.jpg",
            "followers_count": 1520,
            "follows_count": 210,
            "media_count": 342,
        }
        self.media: dict[str, IgMedia] = {}
        self.codes = {"ig-code"}
        self.wrap_code_response = False  # Meta's documented {"data": [...]} shape
        self.retired_metrics = set(RETIRED)
        self.unsupported = {kind: set(metrics) for kind, metrics in UNSUPPORTED.items()}
        self._ids = itertools.count(17895695668004550)
        self.route("POST", "/oauth/access_token", self._code)
        self.route("GET", "/access_token", self._long_lived)
        self.route("GET", "/refresh_access_token", self._refresh)
        self.api("me", lambda request, who: Response(200, select(self.user, request)))
        self.api(r"(?P<id>\d+)/media", self._media_edge)
        self.api(r"(?P<id>\d+)/stories", self._media_edge)
        self.api(r"(?P<id>\d+)/insights", self._insights)
        self.api(r"(?P<id>\d+)", self._object)
        self._post_api(r"(?P<id>\d+)/media", self._new_container)
        self._post_api(r"(?P<id>\d+)/media_publish", self._media_publish)
        self.containers: dict[str, dict[str, Any]] = {}
        self.published: list[str] = []  # media ids made through media_publish, in order
        self.processing_polls = 0  # answer IN_PROGRESS this many times before FINISHED
        self.hang_after_publish = 0.0
        self.reject_media = False

    # -- content publishing --------------------------------------------------------------
    # https://developers.facebook.com/docs/instagram-platform/content-publishing: POST
    # /{ig-user-id}/media → {"id": container}; GET /{container}?fields=status_code →
    # IN_PROGRESS | FINISHED | ERROR | EXPIRED | PUBLISHED; POST /{ig-user-id}/media_publish
    # ?creation_id= → {"id": media id}. Carousel items are containers with is_carousel_item.
    def _post_api(self, pattern: str, handler: Any) -> None:
        def checked(request: Request) -> Response:
            who = self.check_token(request.query.get("access_token"))
            return who if isinstance(who, Response) else handler(request, who)

        self.route("POST", f"/{self.version}/{pattern}", checked)

    def _new_container(self, request: Request, who: str) -> Response:
        if request.params["id"] != who:
            return object_missing(request.params["id"])
        q = request.query
        kind = q.get("media_type", "IMAGE")
        if kind == "CAROUSEL":
            children = q.get("children", "").split(",")
            if not 2 <= len(children) <= 10 or any(c not in self.containers for c in children):
                return graph_error(100, "Invalid parameter: children")
        elif not (q.get("image_url") or q.get("video_url")):
            return graph_error(100, "The parameter image_url or video_url is required.")
        container = str(next(self._ids))
        status = "ERROR" if self.reject_media else "IN_PROGRESS"
        self.containers[container] = {
            "params": dict(q),
            "status_code": status,
            "polls": 0,
            "media_id": None,
        }
        return Response(200, {"id": container})

    def _container_status(self, container: str) -> dict[str, Any]:
        box = self.containers[container]
        if box["status_code"] == "IN_PROGRESS":
            box["polls"] += 1
            if box["polls"] > self.processing_polls:
                box["status_code"] = "FINISHED"
        return {"status_code": box["status_code"], "id": container}

    def _media_publish(self, request: Request, who: str) -> Response:
        if request.params["id"] != who:
            return object_missing(request.params["id"])
        container = request.query.get("creation_id", "")
        box = self.containers.get(container)
        if box is None or box["params"].get("is_carousel_item"):
            return graph_error(100, "Invalid parameter: creation_id")
        if box["status_code"] != "FINISHED":
            return graph_error(9007, "Media ID is not available", subcode=2207027)
        params = box["params"]
        kind = params.get("media_type", "IMAGE")
        media = self.add_post(
            timestamp=datetime.now(UTC),
            caption=params.get("caption"),
            media_type={"REELS": "VIDEO", "CAROUSEL": "CAROUSEL_ALBUM"}.get(kind, kind),
            media_product_type={"REELS": "REELS", "STORIES": "STORY"}.get(kind, "FEED"),
            media_url=params.get("image_url") or params.get("video_url"),
        )
        media.permalink = f"https://www.instagram.com/p/{media.id}/"
        box["status_code"], box["media_id"] = "PUBLISHED", media.id
        self.published.append(media.id)
        if self.hang_after_publish:
            time.sleep(self.hang_after_publish)
        return Response(200, {"id": media.id})

    def add_post(self, *, timestamp: datetime, **fields: Any) -> IgMedia:
        media = IgMedia(id=str(fields.pop("id", next(self._ids))), timestamp=timestamp, **fields)
        self.media[media.id] = media
        return media

    # -- OAuth -------------------------------------------------------------------------------
    def _code(self, request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith("application/x-www-form"):
            return _oauth_error("Missing required parameters: client_id, code")
        form = request.form
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return _oauth_error("Invalid platform app")
        if form.get("grant_type") != "authorization_code" or form.get("code") not in self.codes:
            return _oauth_error("Invalid authorization code")
        self.codes.discard(form["code"])
        scopes = ["instagram_business_basic", "instagram_business_manage_insights"]
        body: dict[str, Any] = {
            "access_token": self.issue_token(IG_USER_ID, "IGAAshort"),
            "user_id": int(IG_USER_ID),
            "permissions": scopes,
        }
        if self.wrap_code_response:
            body = {"data": [{**body, "permissions": ",".join(scopes)}]}
        return Response(200, body)

    def _long_lived(self, request: Request) -> Response:
        if request.query.get("grant_type") != "ig_exchange_token":
            return graph_error(100, "Unsupported grant_type")
        if request.query.get("client_secret") != CLIENT_SECRET:
            return graph_error(101, "Error validating client secret.")
        return self._new_token(request, 5183944)

    def _refresh(self, request: Request) -> Response:
        if request.query.get("grant_type") != "ig_refresh_token":
            return graph_error(100, "Unsupported grant_type")
        return self._new_token(request, 5184000)

    def _new_token(self, request: Request, expires_in: int) -> Response:
        who = self.check_token(request.query.get("access_token"))
        if isinstance(who, Response):
            return who
        token = self.issue_token(who, "IGAAlong")
        return Response(
            200, {"access_token": token, "token_type": "bearer", "expires_in": expires_in}
        )

    # -- data --------------------------------------------------------------------------------
    def _media_edge(self, request: Request, who: str) -> Response:
        if request.params["id"] != who:
            return object_missing(request.params["id"])
        stories = request.path.endswith("/stories")
        items = [
            m.graph()
            for m in sorted(self.media.values(), key=lambda m: m.timestamp, reverse=True)
            if (m.media_product_type == "STORY") == stories
        ]
        return self.paged(request, items)

    def _object(self, request: Request, who: str) -> Response:
        object_id = request.params["id"]
        if object_id in self.containers:
            return Response(200, self._container_status(object_id))
        if object_id == who:
            return Response(200, select(self.user, request))
        media = self.media.get(object_id)
        return Response(200, select(media.graph(), request)) if media else object_missing(object_id)

    def _insights(self, request: Request, who: str) -> Response:
        object_id = request.params["id"]
        if object_id in self.containers:
            return Response(200, self._container_status(object_id))
        if object_id == who:
            totals = request.query.get("metric_type") == "total_value"
            figures = self.day_total if totals else self.day_series
            return self.insights(request, object_id, lambda m: figures(request, m), period="day")
        media = self.media.get(object_id)
        if media is None:
            return object_missing(object_id)
        return self.insights(request, object_id, lambda m: _media_figure(media.insights.get(m)))

    def refusal(self, request: Request, object_id: str, index: int, metric: str) -> Response | None:
        media = self.media.get(object_id)
        if media is None:  # the account
            if metric in self.retired_metrics or metric not in ACCOUNT_METRICS:
                return graph_error(
                    100,
                    f"(#100) Starting from version 22 and above, the {metric} metric is no longer "
                    "supported for the queried user. Please refer to the documentation at "
                    "https://developers.facebook.com/docs/instagram-api/reference/ig-user/insights "
                    "for a list of supported metrics.",
                )
            if metric in TOTAL_VALUE_ONLY and request.query.get("metric_type") != "total_value":
                return graph_error(
                    100,
                    f"(#100) The following metrics ({metric}) should be specified with parameter "
                    "metric_type=total_value",
                )
            return None
        if metric in self.retired_metrics or metric not in MEDIA_METRICS:
            allowed = ", ".join(m for m in MEDIA_METRICS if m not in self.retired_metrics)
            return graph_error(
                100, f"(#100) metric[{index}] must be one of the following values: {allowed}"
            )
        if metric in self.unsupported.get(media.media_product_type, set()):
            if media.media_product_type == "FEED":
                return graph_error(
                    100, f"(#100) The metric {metric} is not supported for this media type"
                )
            return graph_error(
                100,
                f"(#100) The Media Insights API does not support the {metric} metric for this "
                "media product type.",
            )
        return None


def _oauth_error(message: str) -> Response:
    """api.instagram.com's token endpoint error shape."""
    return Response(400, {"error_type": "OAuthException", "code": 400, "error_message": message})


def _media_figure(value: Any) -> Any:
    """A media insight as Meta answers it now: ``values`` and ``total_value`` in one entry.
    Shape from: https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights
    (a lifetime ``values`` list, and a ``total_value`` object for the same figure)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return {"values": [{"value": value}], "total_value": {"value": value}}
    return value
