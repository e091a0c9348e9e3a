"""What the Instagram and Facebook fakes share: Meta's error body, token checks, rate-limit
headers, cursor paging, field selection and insights with per-metric refusals
(docs/platforms.md §1, §2.4, §3.4).

Every data call needs a token the fake issued (``issue_token``); an unknown one gets code 190,
a revoked one (``revoke``) code 190 with its subcode. Metrics in ``retired_metrics`` are refused
with code 100 one at a time, in the platform's wording, as Meta does; ``insight_calls`` records
the metrics of every insights call so a test can see the retry.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from pydantic import SecretStr

from soash.config import PlatformSettings
from tests.fakes.server import Request, Response
from tests.fakes.support import PlatformFake

EXPIRED = (
    "Error validating access token: Session has expired on Thursday, 01-May-25 10:00:00 PDT. "
    "The current time is Friday, 02-May-25 10:00:00 PDT."
)
INVALID = "Invalid OAuth access token - Cannot parse access token"
RATE_LIMIT_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try "
    "again.",
    80002: "(#80002) There have been too many calls to this Instagram account. Wait a bit and try "
    "again.",
}

ApiHandler = Callable[[Request, str], Response]


def meta_time(moment: datetime) -> str:
    """Meta's timestamp format: ``2025-04-05T07:56:32+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def graph_error(
    code: int, message: str, *, status: int = 400, subcode: int | None = None
) -> Response:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = "AbCdEfGhIjK"
    return Response(status, {"error": error})


def object_missing(object_id: str) -> Response:
    return graph_error(
        100,
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded "
        "due to missing permissions, or does not support this operation. Please read the Graph "
        "API documentation at https://developers.facebook.com/docs/graph-api",
        subcode=33,
    )


def top_fields(fields: str) -> set[str]:
    """The top-level names of a Graph ``fields`` parameter: ``a,b{c,d},e.summary(x)`` -> a, b, e."""
    text = fields
    while True:  # peel {…} and (…) groups, innermost first, until none is left
        peeled = re.sub(r"\{[^{}]*\}|\([^()]*\)", "", text)
        if peeled == text:
            break
        text = peeled
    return {match.group(0) for part in text.split(",") if (match := re.match(r"\w+", part))}


def select(obj: Mapping[str, Any], request: Request) -> dict[str, Any]:
    """Only the requested fields (and ``id``), as the Graph API answers; absent ones left out."""
    wanted = top_fields(request.query.get("fields", "")) | {"id"}
    return {k: v for k, v in obj.items() if k in wanted and v is not None}


def unix_day(value: str | None, default: date) -> date:
    return datetime.fromtimestamp(int(value), UTC).date() if value else default


class MetaFake(PlatformFake):
    version = "v23.0"
    buc_type = "instagram"
    # The host Meta writes into `paging.next`: the real one, whatever host was asked. A client
    # must send page 2 to its own configured API base (this fake), not there.
    public_base = "https://graph.instagram.com"
    settings_cls: type[PlatformSettings] = PlatformSettings
    app = ("app-id", "app-secret")  # client id and secret the token endpoints accept
    authorize_path = token_path = ""

    def __init__(self) -> None:
        super().__init__()
        self.public_base = type(self).public_base  # a test may point it at the fake itself
        self.tokens: dict[str, str] = {}  # access token -> the account id it acts for
        self.revoked: dict[str, int] = {}  # token -> error_subcode (460 password changed, ...)
        self.retired_metrics: set[str] = set()
        self.rate_limit_code = 4
        self.rate_limit_status = 400  # Meta answers most throttles 400; the body code says why
        self.insight_calls: list[tuple[str, list[str]]] = []  # (object id, metrics asked)
        self.account_days: dict[date, dict[str, Any]] = {}
        self._serial = itertools.count(1)

    def reset(self) -> None:
        """Back to a freshly built fake, on the same running server (cheaper than a restart)."""
        server = self._server
        type(self).__init__(self)
        self._server = server

    def settings(self) -> PlatformSettings:
        return self.settings_cls(
            client_id=self.app[0],
            client_secret=SecretStr(self.app[1]),
            authorize_url=f"{self.url}{self.authorize_path}",
            token_url=f"{self.url}{self.token_path}",
            api_base=self.url,
        )

    # -- tokens ------------------------------------------------------------------------------
    def issue_token(self, account: str, prefix: str = "EAAG") -> str:
        token = f"{prefix}{next(self._serial):04d}x{account}"
        self.tokens[token] = account
        return token

    def revoke(self, token: str, *, subcode: int = 460) -> None:
        self.revoked[token] = subcode

    def dead_token(self, token: str, how: str, *, subcode: int = 460) -> str:
        """``token`` made to fail as ``how`` says: "expired" (the next call gets the expired
        token error), "revoked" (code 190 with ``subcode``); "unknown" gives a never-issued one."""
        if how == "expired":
            self.fail_next("token_expired")
        elif how == "revoked":
            self.revoke(token, subcode=subcode)
        else:
            return "EAAnever-issued"
        return token

    def check_token(self, token: str | None) -> str | Response:
        if token in self.revoked:
            return graph_error(190, EXPIRED, subcode=self.revoked[token])
        if token is None or token not in self.tokens:
            return graph_error(190, INVALID)
        return self.tokens[token]

    def api(self, pattern: str, handler: ApiHandler) -> None:
        """A versioned GET route whose handler gets the caller's account id."""

        def checked(request: Request) -> Response:
            who = self.check_token(request.query.get("access_token"))
            return who if isinstance(who, Response) else handler(request, who)

        self.route("GET", f"/{self.version}/{pattern}", checked)

    # -- faults in Meta's shapes -------------------------------------------------------------
    def rate_limit_response(self, retry_after: float) -> Response:
        """``rate_limit_code``'s body with both usage headers; BUC gives whole minutes."""
        usage = {"call_count": 100, "total_time": 42, "total_cputime": 18}
        buc = [
            {
                "type": self.buc_type,
                **usage,
                "estimated_time_to_regain_access": int(retry_after // 60),
            }
        ]
        message = RATE_LIMIT_MESSAGES.get(
            self.rate_limit_code, "(#4) Application request limit reached"
        )
        response = graph_error(self.rate_limit_code, message, status=self.rate_limit_status)
        response.body["error"]["is_transient"] = True
        response.headers = {
            "X-App-Usage": json.dumps(usage),
            "X-Business-Use-Case-Usage": json.dumps({"17841405822304914": buc}),
        }
        return response

    def token_expired_response(self) -> Response:
        return graph_error(190, EXPIRED, subcode=463)

    # -- paging ------------------------------------------------------------------------------
    def paged(
        self, request: Request, items: list[dict[str, Any]], default_limit: int = 25
    ) -> Response:
        """Cursor paging: opaque ``after`` cursors; ``next`` (with the token, as Meta sends it)
        only while more remain, an absolute URL on the platform's public host.
        Shape from: https://developers.facebook.com/docs/graph-api/results/ (cursor-based)."""
        limit = int(request.query.get("limit", default_limit))
        start = _cursor_offset(request.query.get("after"))
        chunk = items[start : start + limit]
        body: dict[str, Any] = {"data": [select(item, request) for item in chunk]}
        if chunk:
            paging: dict[str, Any] = {
                "cursors": {"before": _cursor(start), "after": _cursor(start + len(chunk))}
            }
            if start + len(chunk) < len(items):
                query = {**request.query, "after": _cursor(start + len(chunk))}
                paging["next"] = f"{self.public_base}{request.path}?{urlencode(query)}"
            body["paging"] = paging
        return Response(200, body)

    # -- insights ----------------------------------------------------------------------------
    def refusal(self, request: Request, object_id: str, index: int, metric: str) -> Response | None:
        """The error for the ``index``-th metric asked, or None when it is fine. Subclasses
        word it as their platform does."""
        return None

    def insights(
        self,
        request: Request,
        object_id: str,
        figures: Callable[[str], Any],
        *,
        period: str = "lifetime",
    ) -> Response:
        """Refuse the first bad metric (the whole call fails, as on Meta), else one ``values``
        entry per metric that has a figure; a metric without data is left out."""
        requested = [m for m in request.query.get("metric", "").split(",") if m]
        self.insight_calls.append((object_id, requested))
        for index, metric in enumerate(requested):
            refusal = self.refusal(request, object_id, index, metric)
            if refusal is not None:
                return refusal
        data = []
        for metric in requested:
            value = figures(metric)
            if value is None:
                continue
            shaped = isinstance(value, dict) and {"values", "total_value"} & value.keys()
            entry = value if shaped else {"values": [{"value": value}]}
            data.append(
                {
                    "name": metric,
                    "period": period,
                    **entry,
                    "id": f"{object_id}/insights/{metric}/{period}",
                }
            )
        return Response(200, {"data": data})

    def day_series(self, request: Request, metric: str) -> dict[str, Any] | None:
        """A ``period=day`` series over ``since``..``until``; each ``end_time`` closes its day."""
        first = unix_day(request.query.get("since"), _today() - timedelta(days=1))
        last = unix_day(request.query.get("until"), _today())
        values = [
            {"value": self.account_days[day][metric], "end_time": meta_time(_end_of(day))}
            for day in _days(first, last)
            if metric in self.account_days.get(day, {})
        ]
        return {"values": values} if values else None

    def day_total(self, request: Request, metric: str) -> dict[str, Any] | None:
        first = unix_day(request.query.get("since"), _today() - timedelta(days=1))
        last = unix_day(request.query.get("until"), _today())
        figures = [self.account_days.get(d, {}).get(metric) for d in _days(first, last)]
        known = [f for f in figures if f is not None]
        return {"total_value": {"value": sum(known)}} if known else None

    def set_account_day(self, day: date, **figures: Any) -> None:
        self.account_days.setdefault(day, {}).update(figures)


def _today() -> date:
    return datetime.now(UTC).date()


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"QVFI:{offset}".encode()).decode()


def _cursor_offset(cursor: str | None) -> int:
    return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":")[1]) if cursor else 0


def _days(first: date, last: date) -> Iterable[date]:
    return (first + timedelta(days=n) for n in range(max(1, (last - first).days)))


def _end_of(day: date) -> datetime:
    """Meta closes a day at midnight Pacific time: 07:00 UTC the next day."""
    return datetime(day.year, day.month, day.day, 7, tzinfo=UTC) + timedelta(days=1)
