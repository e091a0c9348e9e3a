"""Request latency by route template (``/api/v1/jobs/{job_id}``, never the raw path)."""

from __future__ import annotations

import time

from prometheus_client import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_SECONDS = Histogram(
    "soash_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status code.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recorded(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recorded)
        finally:
            REQUEST_SECONDS.labels(scope["method"], route_template(scope), str(status)).observe(
                time.perf_counter() - started
            )


def route_template(scope: Scope) -> str:
    """The matched route's path with its parameters by name, from what routing left in the
    scope (``endpoint``, ``path_params``); any path that matched no route is one label."""
    if scope.get("endpoint") is None and scope.get("route") is None:
        return "unmatched"
    path: str = scope["path"]
    params = {name: str(value) for name, value in (scope.get("path_params") or {}).items()}
    for name, value in params.items():  # a {name:path} parameter: the tail of the path
        if "/" in value and path.endswith(value):
            path = path[: -len(value)] + "{" + name + "}"
    segments = path.split("/")
    for name, value in params.items():
        if "/" in value or not value:
            continue
        for i in range(len(segments) - 1, -1, -1):
            if segments[i] == value:
                segments[i] = "{" + name + "}"
                break
    return "/".join(segments)
