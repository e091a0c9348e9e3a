"""A tiny real HTTP server on 127.0.0.1 for platform fakes, with fault injection.

Each platform fake subclasses :class:`FakeServer`, registers its routes with :meth:`route`, and
says how the platform words a rate limit and a dead token. Tests then queue faults::

    fake.fail_next("rate_limit", retry_after=2)      # the platform's own 429 shape
    fake.fail_next("server_error")                   # 500
    fake.fail_next("hang", seconds=3)                # answer after the client gave up
    fake.fail_next("malformed")                      # 200 with a body that is not JSON
    fake.fail_next("token_expired")                  # the platform's expired/revoked token error
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # named groups of the route pattern

    @property
    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list → JSON; str/bytes → as is
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    kind: str
    path: str | None = None  # only requests whose path contains this
    options: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Request], Response]


class FakeServer:
    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.requests: list[Request] = []
        self._server: ThreadingHTTPServer | None = None

    # -- what subclasses provide -------------------------------------------------------------
    def rate_limit_response(self, retry_after: float) -> Response:
        return Response(429, {"error": "rate limited"}, {"Retry-After": str(int(retry_after))})

    def token_expired_response(self) -> Response:
        return Response(401, {"error": "token expired"})

    # -- routing and faults ------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(f"^{pattern}$"), handler))

    def fail_next(
        self, kind: str, *, times: int = 1, path: str | None = None, **options: Any
    ) -> None:
        with self._lock:
            self._faults.extend(Fault(kind, path, options) for _ in range(times))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for i, fault in enumerate(self._faults):
                if fault.path is None or fault.path in path:
                    return self._faults.pop(i)
        return None

    def _fault_response(self, fault: Fault) -> Response:
        if fault.kind == "rate_limit":
            return self.rate_limit_response(float(fault.options.get("retry_after", 1)))
        if fault.kind == "server_error":
            return Response(500, {"error": "internal error"})
        if fault.kind == "hang":
            time.sleep(float(fault.options.get("seconds", 5)))
            return Response(504, {"error": "gateway timeout"})
        if fault.kind == "malformed":
            return Response(200, "<html>upstream proxy error</html>", {"Content-Type": "text/html"})
        if fault.kind == "token_expired":
            return self.token_expired_response()
        raise ValueError(f"unknown fault {fault.kind}")

    def handle(self, request: Request) -> Response:
        self.requests.append(request)
        fault = self._take_fault(request.path)
        if fault is not None:
            return self._fault_response(fault)
        for method, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if method == request.method and match:
                request.params = match.groupdict()
                return handler(request)
        return Response(404, {"error": f"no route {request.method} {request.path}"})

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # 2 ms a request instead of 40

            def _serve(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=split.path,
                    query={k: v[-1] for k, v in parse_qs(split.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                response = fake.handle(request)
                body = response.body
                headers = dict(response.headers)
                if isinstance(body, dict | list) or body is None:
                    payload = json.dumps(body if body is not None else {}).encode()
                    headers.setdefault("Content-Type", "application/json")
                else:
                    payload = body.encode() if isinstance(body, str) else body
                self.send_response(response.status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(payload)  # the client may have given up (a "hang" fault)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
