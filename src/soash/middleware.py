"""ASGI middleware: a cap on request body size, NUL characters refused in the URL and in form
bodies, and security headers on every response."""

from __future__ import annotations

import contextlib
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuses bodies over the limit with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, *, default: int, overrides: dict[str, int]) -> None:
        self.app = app
        self.default = default
        self.overrides = overrides

    def _limit(self, path: str) -> int:
        for prefix, limit in self.overrides.items():
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _too_large(send, limit, scope["path"])
            return
        seen = 0
        started = False
        exceeded = False

        async def counted_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                # The app may have caught BodyTooLarge and answered (FastAPI turns any error
                # while reading the body into a 400): drop that answer, the 413 goes out below.
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counted_receive, tracked_send)
        if exceeded and not started:
            await _too_large(send, limit, scope["path"])


async def _too_large(send: Send, limit: int, path: str) -> None:
    detail = f"The request body is larger than {limit:,} bytes, the most this endpoint accepts."
    await _problem(send, 413, "Content Too Large", detail, path, close=True)


async def _problem(
    send: Send, status: int, title: str, detail: str, path: str, *, close: bool = False
) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": path,
        }
    ).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_FORM = b"application/x-www-form-urlencoded"


def _holds_nul(raw: bytes) -> bool:
    """A NUL byte, raw or percent-encoded (%00), in a URL part or a urlencoded form body."""
    return b"\x00" in raw or b"%00" in raw.lower()


class RefuseNul:
    """Answers 422 when the path, the query string or a urlencoded form body holds a NUL
    character: PostgreSQL cannot store one, and no real input has one. (JSON bodies are checked
    by the input models, CSV files by the importer.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        raw_path = scope.get("raw_path") or path.encode("utf-8", "surrogateescape")
        if _holds_nul(raw_path) or "\x00" in path or _holds_nul(scope.get("query_string", b"")):
            await _problem(send, 422, "Invalid input", _NUL_IN_URL, path)
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        if not content_type.lower().startswith(_FORM):
            await self.app(scope, receive, send)
            return
        # A form body is small (the body limit applies first): read it whole, check, replay.
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if _holds_nul(body):
            await _problem(send, 422, "Invalid input", _NUL_IN_FORM, path)
            return
        await self.app(scope, _replay([body], None, receive), send)


_NUL_IN_URL = "The address holds a NUL character (%00), which no parameter accepts; remove it."
_NUL_IN_FORM = "A form field holds a NUL character (%00), which no field accepts; remove it."


def _replay(bodies: list[bytes], last: Message | None, then: Receive | None = None) -> Receive:
    """A receive() that hands back what was already read, then goes on with ``then``."""
    pending: list[Message] = [
        {"type": "http.request", "body": body, "more_body": False} for body in bodies
    ]
    if last is not None:
        pending.append(last)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)
