"""What the Instagram and Facebook Pages clients share: Meta's Graph API error body and
rate-limit headers, cursor paging and insights (docs/platforms.md §1, §2.4-2.5, §3.4-3.5, §7).

Insights are all-or-nothing on Meta: one retired or unsupported metric fails the whole call
with code 100. :meth:`MetaClient._insights` retries without the metric the error names (or,
when it names none, splits the list in halves until the bad ones are isolated), reports them
as unavailable, and remembers them per kind of post so later posts do not pay the retry again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as default
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from soash.config import PlatformSettings, SyncSettings
from soash.social.platforms.base import AccountDay, PostMetrics, RemotePost
from soash.social.platforms.errors import (
    RECONNECT_WITH_PERMISSIONS,
    MalformedResponse,
    PlatformRequestError,
    RateLimited,
    TokenInvalid,
    TransientError,
)
from soash.social.platforms.http import PlatformHttp
from soash.social.platforms.oauth import OAuthClient, json_or_none
from soash.social.platforms.parsing import field, iso_datetime

RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, 80001, 80002})  # app/user/page/custom/BUC
TOKEN_CODES = frozenset({102, 190})
TOKEN_SUBCODES = frozenset({458, 459, 460, 463, 464, 467, 492})
TOKEN_TEXT = ("error validating access token", "revoked_access_token")
TRANSIENT_CODES = frozenset({1, 2})
POLICY_BLOCK_CODE = 368  # "temporarily blocked for policy violations": wait and try later
# Meta documents no Retry-After. Without a BUC estimate, back off 15 min (docs suggest 15-60),
# longer the further X-App-Usage says the app is over its rolling one-hour budget.
DEFAULT_RATE_LIMIT_WAIT = 15 * 60.0
MAX_RATE_LIMIT_WAIT = 60 * 60.0
# BUC estimates are whole minutes: 0 while still throttled means access is about to return.
ALMOST_REGAINED_WAIT = 10.0
_METRIC_TEXT = ("metric", "not supported", "no longer supported", "must be one of")


class MetricRejected(PlatformRequestError):
    """Code 100 about insights metrics. ``metrics``: the requested ones the message names
    (empty when it names none, e.g. Facebook's "must be a valid insights metric")."""

    def __init__(self, message: str, metrics: frozenset[str]) -> None:
        super().__init__(message)
        self.metrics = metrics


class ObjectGone(PlatformRequestError):
    """Code 100 subcode 33: the object does not exist (deleted, or a story past its 24 h)."""


class NoInsightsData(PlatformRequestError):
    """Code 10 "Not enough viewers for the media to show insights": no data, not a token error."""


class MetaErrors:
    """``classify`` for :class:`PlatformHttp`: Meta's error body as a PlatformError."""

    def __init__(self, platform: str) -> None:
        self.platform = platform

    def __call__(self, response: httpx.Response) -> Exception | None:
        if response.status_code < 400:
            return None
        body = json_or_none(response)
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return self._without_graph_error(response, body)
        code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
        message = str(error.get("message") or "no message")
        lower = message.lower()
        text = f"{self.platform}: {message} (code {code}" + (
            f", subcode {subcode})" if subcode else ")"
        )
        if code in RATE_LIMIT_CODES or response.status_code == 429:
            return RateLimited(text, retry_after=rate_limit_wait(response.headers))
        if code == POLICY_BLOCK_CODE:
            return RateLimited(text, retry_after=MAX_RATE_LIMIT_WAIT)
        if code in TOKEN_CODES or subcode in TOKEN_SUBCODES or any(t in lower for t in TOKEN_TEXT):
            return TokenInvalid(f"{text}: reconnect the account")
        if code == 10 and "not enough viewers" in lower:
            return NoInsightsData(text)
        if code == 10 or (code is not None and 200 <= code <= 299):
            return TokenInvalid(f"{text}: {RECONNECT_WITH_PERMISSIONS}")
        if code in TRANSIENT_CODES or error.get("is_transient") is True:
            return TransientError(text)
        if code == 100 and subcode == 33:
            return ObjectGone(text)
        if code == 100:
            rejected = rejected_metrics(message, requested_metrics(response))
            if rejected is not None:
                return MetricRejected(text, rejected)
        return PlatformRequestError(text)

    def _without_graph_error(self, response: httpx.Response, body: Any) -> Exception:
        if response.status_code == 429:
            return RateLimited(
                f"{self.platform}: too many requests", retry_after=rate_limit_wait(response.headers)
            )
        # api.instagram.com's token endpoint: {"error_type", "code", "error_message"}.
        detail = body.get("error_message") if isinstance(body, dict) else None
        text = f"{self.platform} refused the request (HTTP {response.status_code})" + (
            f": {detail}" if isinstance(detail, str) and detail else ""
        )
        return TokenInvalid(text) if response.status_code == 401 else PlatformRequestError(text)


def requested_metrics(response: httpx.Response) -> list[str]:
    return [m for m in response.request.url.params.get("metric", "").split(",") if m]


def rejected_metrics(message: str, requested: Sequence[str]) -> frozenset[str] | None:
    """Which requested metrics a code-100 message rejects; None if it is not about metrics."""
    lower = message.lower()
    if "metric_type" in lower or not any(t in lower for t in _METRIC_TEXT):
        return None  # "should be specified with parameter metric_type=…" is our bug, not Meta's
    index = re.search(r"metric\[(\d+)\]", message)
    if index and int(index.group(1)) < len(requested):
        return frozenset({requested[int(index.group(1))]})
    _, one_of, allowed = message.partition("must be one of")
    if one_of:
        names = set(re.findall(r"\w+", allowed))
        return frozenset(m for m in requested if m not in names)
    return frozenset(m for m in requested if re.search(rf"(?<!\w){re.escape(m)}(?!\w)", message))


def rate_limit_wait(headers: httpx.Headers) -> float:
    """Seconds to wait: Retry-After if sent, else the BUC estimate (minutes), else a backoff
    scaled by X-App-Usage / X-Page-Usage (percentages of a rolling hour)."""
    retry_after = _float(headers.get("retry-after"))
    if retry_after is not None and retry_after >= 0:
        return retry_after
    minutes = [
        _float(entry.get("estimated_time_to_regain_access"))
        for entries in _json_dict(headers.get("x-business-use-case-usage")).values()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]
    known = [m for m in minutes if m is not None]
    if known:
        return max(known) * 60 if max(known) > 0 else ALMOST_REGAINED_WAIT
    usage = [
        number
        for name in ("x-app-usage", "x-page-usage")
        for value in _json_dict(headers.get(name)).values()
        if (number := _float(value)) is not None
    ]
    return min(MAX_RATE_LIMIT_WAIT, DEFAULT_RATE_LIMIT_WAIT * max([1.0, *(u / 100 for u in usage)]))


@dataclass
class Insights:
    values: dict[str, int | None] = default(default_factory=dict)
    unavailable: set[str] = default(default_factory=set)

    def apply(self, target: PostMetrics | AccountDay, mapping: Mapping[str, str]) -> None:
        """Copy ``values`` onto ``target``'s attributes (metric name -> attribute name), and
        record the refused metrics under those attribute names, Soash's vocabulary (``saved``
        and ``views`` become ``saves`` and ``impressions``), as every other client does."""
        for metric, attribute in mapping.items():
            setattr(target, attribute, self.values.get(metric))
        target.unavailable |= {mapping.get(m, m) for m in self.unavailable}


def insight_values(body: dict[str, Any], *, day: date | None = None) -> dict[str, int | None]:
    """``data[]`` of an insights answer: the ``values`` shape (lifetime or time series, where
    ``day`` picks the value whose ``end_time`` closes that day) or the ``total_value`` shape."""
    out: dict[str, int | None] = {}
    for entry in field(body, "data", list, where="insights"):
        name = field(entry, "name", str, where="insights entry")
        total = entry.get("total_value")
        if isinstance(total, dict):
            out[name] = _count(total.get("value"), name)
            continue
        values = [v for v in entry.get("values") or [] if isinstance(v, dict)]
        if day is not None and len(values) > 1:
            values = [
                v
                for v in values
                if (iso_datetime(v.get("end_time"), where=name) - timedelta(days=1)).date() == day
            ]
        out[name] = _count(values[0].get("value"), name) if values else None
    return out


def next_page(next_url: str, token: str) -> str:
    """``paging.next`` as a URL relative to the client's API base: its path and its whole
    query, as given (httpx would replace that query if ``params`` were passed along), plus the
    token when Meta left it out. The host is dropped, so a proxy or stand-in configured as the
    API base gets page 2 onwards too, and the token never goes anywhere else."""
    parts = urlsplit(next_url)
    query = parts.query
    if "access_token" not in dict(parse_qsl(query, keep_blank_values=True)):
        query = "&".join(q for q in (query, urlencode({"access_token": token})) if q)
    return urlunsplit(("", "", parts.path or "/", query, ""))


def posts_since(pages: Iterable[list[RemotePost]], since: datetime) -> Iterator[list[RemotePost]]:
    """Each page's posts at or after ``since``; stop after the page that reaches older ones
    (Meta lists newest first; its oldest, last item decides, so a pinned post cannot stop it)."""
    for page in pages:
        fresh = [p for p in page if p.posted_at >= since]
        if fresh:
            yield fresh
        if page and page[-1].posted_at < since:
            return


def day_window(day: date) -> dict[str, str]:
    start = datetime.combine(day, time(), UTC)
    return {"since": str(int(start.timestamp())), "until": str(int(start.timestamp()) + 86400)}


class MetaClient(OAuthClient):
    """The Graph API half both Meta clients share. Paths are relative to
    ``{api_base}/{api_version}``; the access token goes in the ``access_token`` parameter."""

    def __init__(
        self,
        settings: PlatformSettings,
        *,
        http: PlatformHttp | None = None,
        sync: SyncSettings | None = None,
    ) -> None:
        super().__init__(settings, http=http, sync=sync)
        # Metrics Meta refused, per kind of post, for the life of this client (one sync).
        self._rejected: dict[str, set[str]] = {}

    def authorize_url(self, *, state: str, redirect_uri: str, code_challenge: str | None) -> str:
        """Meta's OAuth dialog (no PKCE): comma-separated scopes, ``response_type=code``."""
        return self._authorize_url(
            {
                "client_id": self.settings.client_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": ",".join(self.scopes),
                "state": state,
            }
        )

    def _path(self, path: str) -> str:
        version = self.settings.api_version.strip("/")
        return f"/{version}/{path}" if version else f"/{path}"

    def _get(self, token: str, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        return self.http.json("GET", self._path(path), params={**params, "access_token": token})

    def _pages(
        self, token: str, path: str, params: Mapping[str, str]
    ) -> Iterator[list[dict[str, Any]]]:
        """Every page of an edge, following ``paging.next`` exactly as given, cursor- or
        time-based (its ``after``, or ``until``/``since``/``__paging_token``, and ``fields``,
        ``limit`` all kept), but sent to the configured API base: see :func:`next_page`."""
        url: str = self._path(path)
        query: dict[str, str] | None = {**params, "access_token": token}
        seen: set[str] = set()
        while True:
            body = self.http.json("GET", url, params=query)
            data = field(body, "data", list, where=f"{self.name} {path}")
            if not all(isinstance(item, dict) for item in data):
                raise MalformedResponse(f"{self.name} {path}: 'data' holds a non-object")
            yield data
            paging = body.get("paging")
            next_url = paging.get("next") if isinstance(paging, dict) else None
            if not isinstance(next_url, str) or not next_url or next_url in seen:
                return
            seen.add(next_url)
            url, query = next_page(next_url, token), None

    def _posts(
        self,
        token: str,
        path: str,
        *,
        since: datetime,
        read: Callable[[dict[str, Any]], RemotePost],
        params: Mapping[str, str],
    ) -> Iterator[list[RemotePost]]:
        """An edge of posts, read page by page, until older than ``since``."""
        pages = self._pages(token, path, params)
        return posts_since(([read(item) for item in page] for page in pages), since)

    def fetch_post_metrics(
        self, access_token: str, posts: list[RemotePost]
    ) -> dict[str, PostMetrics]:
        """One entry per post that still exists (a deleted post or expired story is left out)."""
        result: dict[str, PostMetrics] = {}
        for post in posts:
            try:
                result[post.platform_post_id] = self._post_metrics(access_token, post)
            except ObjectGone:
                continue
        return result

    def _post_metrics(self, token: str, post: RemotePost) -> PostMetrics:
        raise NotImplementedError

    def _post_insights(
        self, token: str, path: str, mapping: Mapping[str, str], *, group: str
    ) -> PostMetrics:
        insights = self._insights(token, path, list(mapping), group=group)
        metrics = PostMetrics()
        insights.apply(metrics, mapping)
        return metrics

    def _insights(
        self,
        token: str,
        path: str,
        metrics: Sequence[str],
        *,
        params: Mapping[str, str] | None = None,
        group: str | None = None,
        day: date | None = None,
    ) -> Insights:
        """``metrics`` from an insights edge; refused ones come back in ``unavailable``.
        With a ``group``, refusals are remembered and not asked for again."""
        known = self._rejected.setdefault(group, set()) if group else set()
        result = Insights(unavailable={m for m in metrics if m in known})
        wanted = [m for m in metrics if m not in known]
        self._ask(token, path, wanted, dict(params or {}), day, result)
        known |= result.unavailable
        return result

    def _ask(
        self,
        token: str,
        path: str,
        metrics: list[str],
        params: dict[str, str],
        day: date | None,
        result: Insights,
    ) -> None:
        if not metrics:
            return
        try:
            body = self._get(token, path, {**params, "metric": ",".join(metrics)})
        except NoInsightsData:
            return
        except MetricRejected as exc:
            bad = [m for m in metrics if m in exc.metrics]
            if not bad and len(metrics) > 1:  # the message names none: isolate by halves
                half = len(metrics) // 2
                self._ask(token, path, metrics[:half], params, day, result)
                self._ask(token, path, metrics[half:], params, day, result)
                return
            result.unavailable.update(bad or metrics)
            self._ask(
                token,
                path,
                [m for m in metrics if m not in result.unavailable],
                params,
                day,
                result,
            )
            return
        result.values.update(insight_values(body, day=day))


def _count(value: Any, name: str) -> int | None:
    """An insights value: a number, or an object of breakdowns (``*_by_type``) to sum."""
    if value is None:
        return None
    if isinstance(value, dict):
        return sum(_count(v, name) or 0 for v in value.values())
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedResponse(f"insights: '{name}' is not a number")
    return int(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _json_dict(header: str | None) -> dict[str, Any]:
    try:
        value = json.loads(header or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
