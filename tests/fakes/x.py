"""A fake X API v2 with OAuth 2.0 + PKCE, speaking docs/platforms.md §5.

The token endpoint wants HTTP Basic client auth and checks the PKCE verifier. Errors are RFC
7807 problem bodies; every API answer carries ``x-rate-limit-*`` headers. Timelines page by
``pagination_token`` ← ``meta.next_token`` and filter on ``start_time``; ``/2/tweets`` answers
200 with partial errors for unknown posts and for non-public metrics it may not show.
"""

from __future__ import annotations

import base64
import math
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import SecretStr

from soash.config import XSettings
from tests.fakes.server import Fault, Request, Response
from tests.fakes.support import Grants, PlatformFake, oauth_error

PROBLEMS = "https://api.twitter.com/2/problems/"
ALL_SCOPES = ("tweet.read", "users.read", "offline.access")
LIMIT = 900


def _problem(status: int, title: str, detail: str, kind: str = "about:blank") -> Response:
    return Response(status, {"title": title, "detail": detail, "type": kind, "status": status})


def _invalid(detail: str) -> Response:
    return _problem(400, "Invalid Request", detail, PROBLEMS + "invalid-request")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class XFake(PlatformFake):
    client_id = "x-client-id"
    client_secret = "x-client-secret"

    def __init__(self) -> None:
        super().__init__()
        self.route("POST", r"/2/oauth2/token", self._token)
        self.route("GET", r"/2/users/me", self._me)
        self.route("GET", r"/2/users/(?P<user_id>[^/]+)/tweets", self._timeline)
        self.route("GET", r"/2/tweets", self._lookup)
        self.route("POST", r"/2/tweets", self._create)
        self.route("POST", r"/2/media/upload", self._upload)
        self.reset()

    def reset(self) -> None:
        """Back to a fresh platform: no tokens, posts, faults or recorded requests."""
        super().reset()
        self.grants = Grants("x-")
        self.user: dict[str, Any] = {
            "id": "2244994945",
            "name": "X Developers",
            "username": "XDevelopers",
            "profile_image_url": "https://pbs.twimg.com/profile_images/1/abc_normal.jpg",
            "public_metrics": {
                "followers_count": 583423,
                "following_count": 2048,
                "tweet_count": 14052,
                "listed_count": 1672,
                "like_count": 2090,
                "media_count": 915,
            },
        }
        self.tweets: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.private_refused: set[str] = set()  # posts whose non-public metrics X won't show
        self._page_tokens: dict[str, int] = {}
        self.uploads: dict[str, dict[str, Any]] = {}
        self.created: list[str] = []  # ids of posts made through POST /2/tweets, in order
        self.hang_after_create = 0.0  # accept the post, then answer this many seconds late
        self.reject_media = False  # refuse uploads as X refuses a file it cannot read
        self._next_id = 1868000000000000000

    # -- what tests call ---------------------------------------------------------------------
    def settings(self) -> XSettings:
        return XSettings(
            client_id=self.client_id,
            client_secret=SecretStr(self.client_secret),
            authorize_url="https://x.com/i/oauth2/authorize",
            token_url=f"{self.url}/2/oauth2/token",
            api_base=self.url,
        )

    def token(self, scopes: tuple[str, ...] = ALL_SCOPES) -> str:
        return self.grants.issue(self.user["id"], scopes)

    def authorize(self, redirect_uri: str, code_challenge: str) -> str:
        return self.grants.authorize(
            user_id=self.user["id"],
            scopes=ALL_SCOPES,
            redirect_uri=redirect_uri,
            code_challenge=code_challenge,
        )

    def add_post(
        self,
        post_id: str,
        *,
        created: datetime,
        text: str = "",
        media: tuple[str, ...] = (),  # "photo" | "video" | "animated_gif", one per attachment
        likes: int = 0,
        replies: int = 0,
        retweets: int = 0,
        quotes: int = 0,
        bookmarks: int = 0,
        impressions: int = 0,
        public_impressions: bool = True,  # False: impression_count is non-public only
    ) -> None:
        keys = [f"3_{post_id}{i}" for i in range(len(media))]
        for key, kind in zip(keys, media, strict=True):
            url = f"https://pbs.twimg.com/media/{key}.jpg"
            self.media[key] = {
                "media_key": key,
                "type": kind,
                **{"url" if kind == "photo" else "preview_image_url": url},
            }
        # X documents impression_count and bookmark_count as public metrics; impressions also
        # stay in non_public_metrics for the owner's posts younger than 30 days.
        # Shape from: https://docs.x.com/x-api/fundamentals/metrics (public_metrics fields) and
        # https://docs.x.com/x-api/posts/post-lookup-by-post-ids (the lookup response).
        public = {
            "retweet_count": retweets,
            "reply_count": replies,
            "like_count": likes,
            "quote_count": quotes,
            "bookmark_count": bookmarks,
        }
        if public_impressions:
            public["impression_count"] = impressions
        self.tweets[post_id] = {
            "id": post_id,
            "text": text,
            "edit_history_tweet_ids": [post_id],
            "created_at": _iso(created),
            "attachments": {"media_keys": keys} if keys else None,
            "public_metrics": public,
            "non_public_metrics": {
                "impression_count": impressions,
                "url_link_clicks": 0,
                "user_profile_clicks": 0,
            },
        }

    # -- FakeServer hooks --------------------------------------------------------------------
    def rate_limit_response(self, retry_after: float) -> Response:
        response = _problem(429, "Too Many Requests", "Too Many Requests")
        response.headers = self._limits(remaining=0, reset_in=retry_after)
        return response

    def token_expired_response(self) -> Response:
        return _problem(401, "Unauthorized", "Unauthorized")

    def _fault_response(self, fault: Fault) -> Response:
        if fault.kind == "usage_capped":  # the monthly pay-per-use cap
            body = {
                "title": "UsageCapExceeded",
                "detail": "Usage cap exceeded: Monthly product cap",
                "type": PROBLEMS + "usage-capped",
                "period": "Monthly",
                "scope": "Product",
            }
            return Response(429, body)
        return super()._fault_response(fault)

    def handle(self, request: Request) -> Response:
        response = super().handle(request)
        api = request.path.startswith("/2/") and not request.path.startswith("/2/oauth2/")
        if api and "x-rate-limit-limit" not in response.headers:
            response.headers.update(self._limits(remaining=LIMIT - 1, reset_in=900))
        return response

    def _limits(self, *, remaining: int, reset_in: float) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(LIMIT),
            "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(math.ceil(time.time() + reset_in)),
        }

    # -- routes ------------------------------------------------------------------------------
    def _token(self, request: Request) -> Response:
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {basic}":
            return oauth_error(401, "unauthorized_client", "Missing valid authorization header")
        form = request.form
        if form.get("grant_type") == "authorization_code" and not form.get("code_verifier"):
            missing = "Missing required parameter [code_verifier]."
            return oauth_error(400, "invalid_request", missing)
        grant = self.grants.exchange(form)
        if isinstance(grant, str):  # X words every dead code or token this way
            return oauth_error(400, "invalid_request", "Value passed for the token was invalid.")
        body = {
            "token_type": "bearer",
            "expires_in": 7200,
            "access_token": grant.access_token,
            "scope": " ".join(grant.scopes),
            **self.grants.refresh_answer(grant),
        }
        return Response(200, body)

    def _caller(self, request: Request) -> bool:
        return self.grants.user(request.bearer) is not None

    def _me(self, request: Request) -> Response:
        if not self._caller(request):
            return self.token_expired_response()
        wanted = {"id", "name", "username", *request.query.get("user.fields", "").split(",")}
        return Response(200, {"data": {k: v for k, v in self.user.items() if k in wanted}})

    def _shape(self, tweet: dict[str, Any], fields: set[str]) -> dict[str, Any]:
        wanted = {"id", "text", "edit_history_tweet_ids", *fields}
        return {k: v for k, v in tweet.items() if k in wanted and v is not None}

    def _timeline(self, request: Request) -> Response:
        if not self._caller(request):
            return self.token_expired_response()
        query = request.query
        max_results = int(query.get("max_results", "10"))
        if not 5 <= max_results <= 100:
            return _invalid(
                f"The `max_results` query parameter value [{max_results}] is not between 5 and 100"
            )
        start = datetime.fromisoformat(query.get("start_time", "2006-03-21T00:00:00Z"))
        newest = sorted(
            (t for t in self.tweets.values() if datetime.fromisoformat(t["created_at"]) >= start),
            key=lambda t: t["created_at"],
            reverse=True,
        )
        offset = 0
        if "pagination_token" in query:
            if query["pagination_token"] not in self._page_tokens:
                return _invalid("The `pagination_token` query parameter value is not valid")
            offset = self._page_tokens[query["pagination_token"]]
        page = newest[offset : offset + max_results]
        fields = set(query.get("tweet.fields", "").split(","))
        body: dict[str, Any] = {"meta": {"result_count": len(page)}}
        if page:
            body["data"] = [self._shape(t, fields) for t in page]
            body["meta"].update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
            if "attachments.media_keys" in query.get("expansions", ""):
                body["includes"] = {"media": self._media(page, query.get("media.fields", ""))}
        if offset + max_results < len(newest):
            token = secrets.token_hex(16)
            self._page_tokens[token] = offset + max_results
            body["meta"]["next_token"] = token
        return Response(200, body)

    # Publishing: POST /2/media/upload (https://docs.x.com/x-api/media/image-or-subtitle-media-upload)
    # answers {"data": {"id", "media_key", ...}}; POST /2/tweets
    # (https://docs.x.com/x-api/posts/manage-tweets/quickstart) takes {"text", "media":
    # {"media_ids": [...]}} and answers 201 {"data": {"id", "text"}}.
    def _upload(self, request: Request) -> Response:
        if not self._caller(request):
            return self.token_expired_response()
        body = request.json
        if not isinstance(body, dict) or not body.get("media"):
            return _invalid("The `media` field is required")
        if self.reject_media:
            return _invalid("media type unrecognized.")
        try:
            size = len(base64.b64decode(body["media"], validate=True))
        except ValueError:
            return _invalid("The `media` field is not valid base64")
        self._next_id += 1
        media_id = str(self._next_id)
        self.uploads[media_id] = {"size": size, "category": body.get("media_category")}
        data = {"id": media_id, "media_key": f"3_{media_id}", "size": size}
        return Response(200, {"data": data})

    def _create(self, request: Request) -> Response:
        if not self._caller(request):
            return self.token_expired_response()
        body = request.json
        if not isinstance(body, dict) or not (body.get("text") or body.get("media")):
            return _invalid("One or more parameters to your request was invalid: text or media")
        media_ids = (body.get("media") or {}).get("media_ids") or []
        unknown = [m for m in media_ids if m not in self.uploads]
        if unknown:
            return _invalid(f"Your media IDs are invalid: {unknown}")
        self._next_id += 1
        post_id = str(self._next_id)
        self.add_post(
            post_id,
            created=datetime.now(UTC),
            text=body.get("text", ""),
            media=tuple("photo" for _ in media_ids),
        )
        self.created.append(post_id)
        if self.hang_after_create:
            time.sleep(self.hang_after_create)
        return Response(201, {"data": {"id": post_id, "text": body.get("text", "")}})

    def _media(self, page: list[dict[str, Any]], fields: str) -> list[dict[str, Any]]:
        wanted = {"media_key", "type", *fields.split(",")}
        keys = [k for t in page for k in (t["attachments"] or {}).get("media_keys", [])]
        return [{k: v for k, v in self.media[key].items() if k in wanted} for key in keys]

    def _lookup(self, request: Request) -> Response:
        if not self._caller(request):
            return self.token_expired_response()
        ids = [i for i in request.query.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= 100:
            return _invalid(f"The `ids` query parameter value has {len(ids)} ids, not 1 to 100")
        fields = set(request.query.get("tweet.fields", "").split(","))
        month_ago = datetime.now(UTC) - timedelta(days=30)
        data, errors = [], []
        for post_id in ids:
            tweet = self.tweets.get(post_id)
            if tweet is None:
                errors.append(_not_found(post_id))
                continue
            shown = self._shape(tweet, fields)
            old = datetime.fromisoformat(tweet["created_at"]) < month_ago
            if "non_public_metrics" in fields and (old or post_id in self.private_refused):
                del shown["non_public_metrics"]
                errors.append(_refused_field(post_id, "non_public_metrics.impression_count"))
            data.append(shown)
        body: dict[str, Any] = {"data": data} if data else {}
        return Response(200, {**body, **({"errors": errors} if errors else {})})


def _not_found(post_id: str) -> dict[str, Any]:
    return {
        "value": post_id,
        "detail": f"Could not find tweet with ids: [{post_id}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "ids",
        "resource_id": post_id,
        "type": PROBLEMS + "resource-not-found",
    }


def _refused_field(post_id: str, name: str) -> dict[str, Any]:
    return {
        "resource_type": "tweet",
        "field": name,
        "parameter": "id",
        "resource_id": post_id,
        "title": "Field Authorization Error",
        "section": "data",
        "detail": (
            f"Sorry, you are not authorized to access '{name}' on the Tweet with id : [{post_id}]."
        ),
        "value": post_id,
        "type": PROBLEMS + "not-authorized-for-field",
    }
