"""A fake LinkedIn: 3-legged OAuth, OIDC ``/v2/userinfo`` and the versioned ``/rest`` API,
speaking docs/platforms.md §6.

``/rest`` calls need ``LinkedIn-Version`` (426 when it is not active) and
``X-Restli-Protocol-Version: 2.0.0``; errors are Rest.li bodies (``status``,
``serviceErrorCode``, ``code``, ``message``); 429 has no headers. Refresh tokens are sent only
when ``grants.send_refresh`` is set (LinkedIn's partner apps) and do not rotate.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote

from pydantic import SecretStr

from soash.config import LinkedInSettings
from tests.fakes.server import Handler, Request, Response
from tests.fakes.support import Grants, PlatformFake, oauth_error

VERSION = "202510"
MEMBER_SCOPES = (
    "openid",
    "profile",
    "email",
    "r_member_postAnalytics",
    "r_member_profileAnalytics",
)
ORG_SCOPES = ("r_organization_social", "rw_organization_admin")
MEMBER_URN = "urn:li:person:782bbtaQ"
QUERY_TYPES = ("IMPRESSION", "MEMBERS_REACHED", "REACTION", "COMMENT", "RESHARE", "POST_SAVE")
# organizationalEntityShareStatistics field for each memberCreatorPostAnalytics queryType
SHARE_STATS = {
    "IMPRESSION": "impressionCount",
    "MEMBERS_REACHED": "uniqueImpressionsCount",
    "REACTION": "likeCount",
    "COMMENT": "commentCount",
    "RESHARE": "shareCount",
}
METRIC_TYPE_UNION = (
    "com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1"
)
ENTITY = re.compile(r"\((share|ugc):(urn:li:(?:share|ugcPost):[^)]+)\)")
RESTLI_DATE = re.compile(r"\(day:(\d+),month:(\d+),year:(\d+)\)")
TIME_RANGE = re.compile(r"timeRange:\(start:(\d+),end:(\d+)\)")


def _error(status: int, code: str, message: str, service: int | None = None) -> Response:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if service is not None:
        body["serviceErrorCode"] = service
    return Response(status, body)


def _metric_type(query_type: str) -> dict[str, str]:
    """``metricType`` is a Rest.li union: an object keyed by the member type, not a string.
    Shape from: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/members/post-statistics
    (memberCreatorPostAnalytics sample responses)."""
    return {METRIC_TYPE_UNION: query_type}


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _elements(elements: list[dict[str, Any]]) -> Response:
    paging = {"start": 0, "count": 10, "links": []}
    return Response(200, {"elements": elements, "paging": paging})


class LinkedInFake(PlatformFake):
    client_id = "linkedin-client-id"
    client_secret = "linkedin-client-secret"

    def __init__(self) -> None:
        super().__init__()
        self.route("POST", r"/oauth/v2/accessToken", self._token)
        for path, scope, handler in (
            ("/v2/userinfo", "openid", self._userinfo),
            ("/rest/memberFollowersCount", "r_member_profileAnalytics", self._followers),
            ("/rest/posts", "", self._posts),  # the scope depends on the author
            ("/rest/memberCreatorPostAnalytics", "r_member_postAnalytics", self._analytics),
            ("/rest/organizationalEntityShareStatistics", "rw_organization_admin", self._stats),
            ("/rest/networkSizes/(?P<urn>[^/]+)", "", self._network_size),
            ("/rest/organizationAcls", "rw_organization_admin", self._acls),
            ("/rest/organizations/(?P<id>[^/]+)", "rw_organization_admin", self._organization),
        ):
            self.route("GET", path, self._guarded(scope, handler))
        self.reset()

    def reset(self) -> None:
        """Back to a fresh platform: no tokens, posts, faults or recorded requests."""
        super().reset()
        self.grants = Grants("AQ", rotate=False)
        self.grants.send_refresh = False  # only partner apps get refresh tokens
        self.member: dict[str, Any] = {
            "sub": MEMBER_URN.rsplit(":", 1)[1],
            "name": "Jane Doe",
            "given_name": "Jane",
            "family_name": "Doe",
            "picture": "https://media.licdn.com/dms/image/jane.jpg",
            "locale": {"country": "US", "language": "en"},
            "email": "jane@example.com",
            "email_verified": True,
        }
        self.followers = 100
        self.org_followers: dict[str, int] = {}
        self.posts: dict[str, dict[str, Any]] = {}
        self.stats: dict[str, dict[str, int]] = {}  # post URN -> queryType -> count
        self.daily: dict[tuple[str, date], dict[str, int]] = {}  # (author, day) -> queryType
        self.rejected: set[tuple[str, str]] = set()  # (queryType, aggregation) answered 400
        self.organizations: dict[str, dict[str, Any]] = {}  # URN -> organization
        self.acls: list[dict[str, Any]] = []  # the member's roles
        self.forbidden_stats: set[str] = set()  # posts whose share statistics answer 403

    # -- what tests call ---------------------------------------------------------------------
    def settings(self) -> LinkedInSettings:
        return LinkedInSettings(
            client_id=self.client_id,
            client_secret=SecretStr(self.client_secret),
            authorize_url="https://www.linkedin.com/oauth/v2/authorization",
            token_url=f"{self.url}/oauth/v2/accessToken",
            api_base=self.url,
            api_version=VERSION,
        )

    def token(self, scopes: tuple[str, ...] = MEMBER_SCOPES) -> str:
        return self.grants.issue(self.member["sub"], scopes)

    def authorize(self, redirect_uri: str, scopes: tuple[str, ...] = MEMBER_SCOPES) -> str:
        return self.grants.authorize(
            user_id=self.member["sub"], scopes=scopes, redirect_uri=redirect_uri
        )

    def add_post(
        self,
        urn: str,
        *,
        created: datetime,
        author: str = MEMBER_URN,
        commentary: str = "",
        content: dict[str, Any] | None = None,
        state: str = "PUBLISHED",
        **counts: int,  # IMPRESSION=…, MEMBERS_REACHED=…, REACTION=…, COMMENT=…, RESHARE=…
    ) -> None:
        at = _millis(created)
        self.posts[urn] = {
            "id": urn,
            "author": author,
            "commentary": commentary,
            "visibility": "PUBLIC",
            "lifecycleState": state,
            "createdAt": at,
            "publishedAt": at,
            "lastModifiedAt": at,
            **({"content": content} if content else {}),
        }
        self.stats[urn] = counts

    def add_organization(
        self,
        org_id: int,
        *,
        name: str,
        vanity: str,
        followers: int = 0,
        role: str = "ADMINISTRATOR",
        state: str = "APPROVED",
    ) -> str:
        """An organization (company page) and the member's role on it; returns its URN."""
        urn = f"urn:li:organization:{org_id}"
        # Shape from: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-lookup-api
        # (retrieve an administered organization: id, localizedName, vanityName, name{localized}).
        self.organizations[urn] = {
            "id": org_id,
            "localizedName": name,
            "vanityName": vanity,
            "name": {
                "localized": {"en_US": name},
                "preferredLocale": {"country": "US", "language": "en"},
            },
            "primaryOrganizationType": "NONE",
            "versionTag": "1",
        }
        self.org_followers[urn] = followers
        # Shape from: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-access-control-by-role
        # (roleAssignee finder: elements of organization, roleAssignee, role, state).
        self.acls.append(
            {"organization": urn, "roleAssignee": MEMBER_URN, "role": role, "state": state}
        )
        return urn

    # -- FakeServer hooks --------------------------------------------------------------------
    def rate_limit_response(self, retry_after: float) -> Response:
        message = (
            "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."
        )
        return _error(429, "TOO_MANY_REQUESTS", message, 101)

    def token_expired_response(self) -> Response:
        message = "The token used in the request has been revoked by the user"
        return _error(401, "REVOKED_ACCESS_TOKEN", message, 65601)

    # -- routes ------------------------------------------------------------------------------
    def _token(self, request: Request) -> Response:
        form = request.form
        if (form.get("client_id"), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return oauth_error(401, "invalid_client", "Client authentication failed")
        grant = self.grants.exchange(form)
        if isinstance(grant, str):
            return oauth_error(400, grant, "Token has been expired or revoked.")
        answer: dict[str, Any] = {
            "access_token": grant.access_token,
            "expires_in": 5183999,
            "scope": ",".join(grant.scopes),
            "token_type": "Bearer",
            "id_token": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
        }
        if refresh := self.grants.refresh_answer(grant):
            answer.update(refresh, refresh_token_expires_in=31535999)
        return Response(200, answer)

    def _guarded(self, scope: str, handler: Handler) -> Handler:
        """The token, the ``/rest`` headers and the scope are checked before ``handler``."""

        def run(request: Request) -> Response:
            return self._refusal(request, scope) or handler(request)

        return run

    def _refusal(self, request: Request, scope: str) -> Response | None:
        grant = self.grants.user(request.bearer)
        if grant is None:
            return _error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
        if request.path.startswith("/rest/"):
            version = request.headers.get("linkedin-version")
            if version is None:
                return _error(400, "VERSION_MISSING", "A version must be present.")
            if version != VERSION:
                return _error(
                    426, "NONEXISTENT_VERSION", f"Requested version {version} is not active"
                )
            if request.headers.get("x-restli-protocol-version") != "2.0.0":
                return _error(400, "ILLEGAL_ARGUMENT", "Syntax exception in query parameters")
        if scope and scope not in grant.scopes:
            # Rest.li names the resource and method: "userinfo.GET.NO_VERSION" unversioned.
            resource = request.path.split("/")[2]
            method = "GET.NO_VERSION" if request.path.startswith("/v2/") else "GET"
            message = f"Not enough permissions to access: {resource}.{method}"
            return _error(403, "ACCESS_DENIED", message, 100)
        return None

    def _userinfo(self, request: Request) -> Response:
        return Response(200, self.member)

    def _followers(self, request: Request) -> Response:
        return _elements([{"memberFollowersCount": self.followers}])

    def _posts(self, request: Request) -> Response:
        query = request.query
        author = query.get("author", "")
        is_org = author.startswith("urn:li:organization:")
        refused = self._refusal(request, "r_organization_social" if is_org else "r_member_social")
        if refused:
            return refused
        if query.get("q") != "author":
            return _error(400, "ILLEGAL_ARGUMENT", "Missing finder 'q'")
        start, count = int(query.get("start", "0")), int(query.get("count", "10"))
        if count > 100:
            return _error(400, "ILLEGAL_ARGUMENT", "count must be at most 100")
        key = "createdAt" if query.get("sortBy") == "CREATED" else "lastModifiedAt"
        mine = sorted(
            (p for p in self.posts.values() if p["author"] == author), key=lambda p: -p[key]
        )
        paging: dict[str, Any] = {"start": start, "count": count, "links": [], "total": len(mine)}
        if start + count < len(mine):
            href = f"/rest/posts?q=author&author={quote(author, safe='')}&count={count}"
            paging["links"].append(
                {"rel": "next", "type": "application/json", "href": f"{href}&start={start + count}"}
            )
        return Response(200, {"paging": paging, "elements": mine[start : start + count]})

    def _analytics(self, request: Request) -> Response:
        query = request.query
        query_type, aggregation = query.get("queryType", ""), query.get("aggregation", "")
        if query_type not in QUERY_TYPES or (query_type, aggregation) in self.rejected:
            return _error(400, "ILLEGAL_ARGUMENT", f"Invalid value for queryType: {query_type}")
        if query.get("q") == "entity":
            match = ENTITY.fullmatch(query.get("entity", ""))
            if match is None or match[2] not in self.posts:
                return _error(404, "NOT_FOUND", "Entity not found")
            count = self.stats[match[2]].get(query_type)
            target = {match[1]: match[2]}
            # A TOTAL has no day range: LinkedIn sends `dateRange` as an empty object.
            total = {
                "count": count,
                "dateRange": {},
                "metricType": _metric_type(query_type),
                "targetEntity": target,
            }
            return _elements([] if count is None else [total])
        days = [
            date(int(y), int(m), int(d))
            for d, m, y in RESTLI_DATE.findall(query.get("dateRange", ""))
        ]
        if query.get("q") != "me" or aggregation != "DAILY" or len(days) != 2:
            return _error(400, "ILLEGAL_ARGUMENT", "Invalid query parameters")
        elements = []
        day = days[0]
        while day < days[1]:
            count = self.daily.get((MEMBER_URN, day), {}).get(query_type)
            if count is not None:
                end = day + timedelta(days=1)
                restli = [{"day": d.day, "month": d.month, "year": d.year} for d in (day, end)]
                elements.append(
                    {
                        "count": count,
                        "metricType": _metric_type(query_type),
                        "dateRange": {"start": restli[0], "end": restli[1]},
                    }
                )
            day += timedelta(days=1)
        return _elements(elements)

    def _stats(self, request: Request) -> Response:
        query = request.query
        org = query.get("organizationalEntity", "")
        listed = query.get("shares") or query.get("ugcPosts")
        if listed is not None:
            urns = listed.removeprefix("List(").removesuffix(")").split(",")
            if self.forbidden_stats & set(urns):  # one post it will not report fails the call
                message = "Not enough permissions to access: organizationalEntityShareStatistics"
                return _error(403, "ACCESS_DENIED", message, 100)
            kind = "share" if "shares" in query else "ugcPost"
            return _elements(
                [
                    {
                        "organizationalEntity": org,
                        kind: urn,
                        "totalShareStatistics": _share_totals(self.stats[urn]),
                    }
                    for urn in urns
                    if urn in self.stats and self.posts[urn]["author"] == org
                ]
            )
        window = TIME_RANGE.search(query.get("timeIntervals", ""))
        if window is None:
            return _error(400, "ILLEGAL_ARGUMENT", "Invalid query parameters")
        start = datetime.fromtimestamp(int(window[1]) / 1000, UTC).date()
        counts = self.daily.get((org, start), {})
        time_range = {"start": int(window[1]), "end": int(window[1]) + 86_400_000}
        element = {
            "organizationalEntity": org,
            "timeRange": time_range,
            "totalShareStatistics": _share_totals(counts),
        }
        return _elements([element] if counts else [])

    def _acls(self, request: Request) -> Response:
        query = request.query
        if query.get("q") != "roleAssignee":
            return _error(400, "ILLEGAL_ARGUMENT", "Missing finder 'q'")
        start, count = int(query.get("start", "0")), int(query.get("count", "10"))
        mine = [
            acl
            for acl in self.acls
            if query.get("role", acl["role"]) == acl["role"]
            and query.get("state", acl["state"]) == acl["state"]
        ]
        paging: dict[str, Any] = {"start": start, "count": count, "links": [], "total": len(mine)}
        if start + count < len(mine):
            href = f"/rest/organizationAcls?q=roleAssignee&count={count}&start={start + count}"
            paging["links"].append({"rel": "next", "type": "application/json", "href": href})
        return Response(200, {"paging": paging, "elements": mine[start : start + count]})

    def _organization(self, request: Request) -> Response:
        urn = f"urn:li:organization:{unquote(request.params['id'])}"
        if urn not in self.organizations:
            return _error(404, "NOT_FOUND", f"Organization {urn} does not exist")
        return Response(200, self.organizations[urn])

    def _network_size(self, request: Request) -> Response:
        urn = unquote(request.params["urn"])
        if (
            request.query.get("edgeType") != "COMPANY_FOLLOWED_BY_MEMBER"
            or urn not in self.org_followers
        ):
            return _error(400, "ILLEGAL_ARGUMENT", "Invalid edgeType or entity")
        return Response(200, {"firstDegreeSize": self.org_followers[urn]})


def _share_totals(counts: dict[str, int]) -> dict[str, Any]:
    totals: dict[str, Any] = {field: counts.get(q, 0) for q, field in SHARE_STATS.items()}
    totals["clickCount"] = 0
    engaged = totals["likeCount"] + totals["commentCount"] + totals["shareCount"]
    totals["engagement"] = engaged / totals["impressionCount"] if totals["impressionCount"] else 0.0
    return totals
