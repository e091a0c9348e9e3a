"""A fake TikTok (Login Kit OAuth v2 + Display API v2) speaking docs/platforms.md §4.

Every API answer carries the ``{"data": …, "error": {"code", "message", "log_id"}}`` envelope.
Fields go in the query string and must be known and covered by a granted scope: an endpoint
whose scope was not granted answers 401 ``scope_not_authorized``, a field that needs one more
scope 400 ``scope_permission_missed``. Video lists page by a millisecond ``cursor`` with
``has_more``. The token endpoint answers flat, or wrapped in ``data{}`` when
``wrap_token_body`` is set, as TikTok's pages show it both ways.
Shapes from: https://developers.tiktok.com/doc/tiktok-api-v2-error-handling (codes and HTTP
statuses), https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info (envelope).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr

from soash.config import TikTokSettings
from tests.fakes.server import Request, Response
from tests.fakes.support import Grants, PlatformFake, oauth_error

ALL_SCOPES = ("user.info.basic", "user.info.profile", "user.info.stats", "video.list")
USER_FIELD_SCOPES = {
    **dict.fromkeys(("open_id", "union_id", "avatar_url", "display_name"), "user.info.basic"),
    **dict.fromkeys(
        ("bio_description", "profile_deep_link", "is_verified", "username"), "user.info.profile"
    ),
    **dict.fromkeys(
        ("follower_count", "following_count", "likes_count", "video_count"), "user.info.stats"
    ),
}
VIDEO_FIELDS = frozenset(
    {
        *("id", "create_time", "title", "video_description", "duration", "cover_image_url"),
        *("share_url", "embed_link", "like_count", "comment_count", "share_count", "view_count"),
    }
)


def _answer(status: int, data: Any, code: str = "ok", message: str = "") -> Response:
    error = {"code": code, "message": message, "log_id": secrets.token_hex(8)}
    return Response(status, {"data": data, "error": error})


class TikTokFake(PlatformFake):
    client_key = "tiktok-client-key"
    client_secret = "tiktok-client-secret"

    def __init__(self) -> None:
        super().__init__()
        self.route("POST", r"/v2/oauth/token/", self._token)
        self.route("GET", r"/v2/user/info/", self._user_info)
        self.route("POST", r"/v2/video/list/", self._video_list)
        self.route("POST", r"/v2/video/query/", self._video_query)
        self.reset()

    def reset(self) -> None:
        """Back to a fresh platform: no tokens, videos, faults or recorded requests."""
        super().reset()
        self.grants = Grants("act.")
        self.user: dict[str, Any] = {
            "open_id": "6784563321783754498",
            "union_id": "c9c60f44-a68e-4f5d-84dd-ce22faeb0ba1",
            "avatar_url": "https://p16-sign-va.tiktokcdn.com/avatar.jpg",
            "display_name": "Tech Creator",
            "username": "techcreator",
            "bio_description": "Building cool apps",
            "profile_deep_link": "https://www.tiktok.com/@techcreator",
            "is_verified": False,
            "follower_count": 15234,
            "following_count": 312,
            "likes_count": 90211,
            "video_count": 87,
        }
        self.videos: dict[str, dict[str, Any]] = {}
        self.retired_fields: set[str] = set()  # answered as unknown: invalid_params
        self.wrap_token_body = False

    # -- what tests call ---------------------------------------------------------------------
    def settings(self) -> TikTokSettings:
        return TikTokSettings(
            client_id=self.client_key,
            client_secret=SecretStr(self.client_secret),
            authorize_url="https://www.tiktok.com/v2/auth/authorize/",
            token_url=f"{self.url}/v2/oauth/token/",
            api_base=self.url,
        )

    def token(self, scopes: tuple[str, ...] = ALL_SCOPES) -> str:
        return self.grants.issue(self.user["open_id"], scopes)

    def authorize(self, redirect_uri: str, scopes: tuple[str, ...] = ALL_SCOPES) -> str:
        return self.grants.authorize(
            user_id=self.user["open_id"], scopes=scopes, redirect_uri=redirect_uri
        )

    def add_post(
        self,
        video_id: str,
        *,
        created: datetime,
        description: str = "",
        likes: int = 0,
        comments: int = 0,
        shares: int = 0,
        views: int = 0,
    ) -> None:
        self.videos[video_id] = {
            "id": video_id,
            "create_time": int(created.timestamp()),
            "title": "",
            "video_description": description,
            "duration": 23,
            "cover_image_url": f"https://p16-sign.tiktokcdn-us.com/{video_id}.jpeg",
            "share_url": f"https://www.tiktok.com/@techcreator/video/{video_id}",
            "embed_link": f"https://www.tiktok.com/player/v1/{video_id}",
            "like_count": likes,
            "comment_count": comments,
            "share_count": shares,
            "view_count": views,
        }

    # -- FakeServer hooks --------------------------------------------------------------------
    def rate_limit_response(self, retry_after: float) -> Response:
        message = "API rate limit was exceeded. Please retry later."
        return _answer(429, {}, "rate_limit_exceeded", message)

    def token_expired_response(self) -> Response:
        message = "The access token is invalid or not found in the request."
        return _answer(401, {}, "access_token_invalid", message)

    # -- routes ------------------------------------------------------------------------------
    def _token(self, request: Request) -> Response:
        form = request.form
        log_id = secrets.token_hex(8)
        client = (form.get("client_key"), form.get("client_secret"))
        if client != (self.client_key, self.client_secret):
            wrong = "Client key or secret is incorrect."
            return oauth_error(401, "invalid_client", wrong, log_id=log_id)
        grant = self.grants.exchange(form)
        if isinstance(grant, str):
            dead = "Authorization code or refresh token is expired or invalid."
            return oauth_error(400, grant, dead, log_id=log_id)
        # Shape from: https://developers.tiktok.com/doc/oauth-user-access-token-management (flat)
        # and https://developers.tiktok.com/doc/legacy-user-access-guide ("Response.Data
        # struct": the same fields inside `data`, with `message`).
        body = {
            "open_id": grant.user_id,
            "scope": ",".join(grant.scopes),
            "access_token": grant.access_token,
            "expires_in": 86400,
            "refresh_expires_in": 31536000,
            "token_type": "Bearer",
            **self.grants.refresh_answer(grant),
        }
        if self.wrap_token_body:
            return Response(200, {"data": body, "message": "success"})
        return Response(200, body)

    def _check(
        self, request: Request, fields: list[str], known: frozenset[str], endpoint_scope: str
    ) -> Response | None:
        grant = self.grants.user(request.bearer)
        if grant is None:
            return self.token_expired_response()
        if endpoint_scope not in grant.scopes:
            message = f"The user did not authorize the scope required: {endpoint_scope}"
            return _answer(401, {}, "scope_not_authorized", message)
        unknown = [f for f in fields if f not in known or f in self.retired_fields]
        if unknown:
            return _answer(400, {}, "invalid_params", f"Invalid fields: {','.join(unknown)}")
        missing = {USER_FIELD_SCOPES.get(f, "video.list") for f in fields} - set(grant.scopes)
        if missing:
            message = "Access token is invalid, some fields need additional scopes: " + ",".join(
                sorted(missing)
            )
            return _answer(400, {}, "scope_permission_missed", message)
        return None

    def _user_info(self, request: Request) -> Response:
        fields = request.query.get("fields", "").split(",")
        refused = self._check(request, fields, frozenset(USER_FIELD_SCOPES), "user.info.basic")
        return refused or _answer(200, {"user": {f: self.user[f] for f in fields}})

    def _videos(self, request: Request) -> tuple[list[str], Response | None]:
        fields = [f for f in request.query.get("fields", "").split(",") if f]
        return fields, self._check(request, fields or ["id"], VIDEO_FIELDS, "video.list")

    def _video_list(self, request: Request) -> Response:
        fields, refused = self._videos(request)
        if refused:
            return refused
        body = request.json or {}
        max_count = int(body.get("max_count", 10))
        if not 0 < max_count <= 20:
            return _answer(400, {}, "invalid_params", "max_count must be between 1 and 20")
        cursor = int(body.get("cursor") or datetime.now(UTC).timestamp() * 1000 + 1)
        older = sorted(
            (v for v in self.videos.values() if v["create_time"] * 1000 < cursor),
            key=lambda v: -v["create_time"],
        )
        page = older[:max_count]
        data = {
            "videos": [{f: v[f] for f in fields} for v in page],
            "cursor": page[-1]["create_time"] * 1000 if page else cursor,
            "has_more": len(older) > max_count,
        }
        return _answer(200, data)

    def _video_query(self, request: Request) -> Response:
        fields, refused = self._videos(request)
        if refused:
            return refused
        ids = ((request.json or {}).get("filters") or {}).get("video_ids") or []
        if not 0 < len(ids) <= 20:
            return _answer(400, {}, "invalid_params", "video_ids must hold 1 to 20 ids")
        found = [self.videos[i] for i in ids if i in self.videos]
        return _answer(200, {"videos": [{f: v[f] for f in fields} for v in found]})
