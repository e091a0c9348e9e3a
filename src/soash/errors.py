"""Domain errors. Services raise these; the app turns them into RFC 9457 problem details."""

from __future__ import annotations

from typing import Any


class SoashError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class BadRequest(SoashError):
    pass


class Unauthorized(SoashError):
    status = 401
    title = "Not signed in"


class Forbidden(SoashError):
    status = 403
    title = "Not allowed"


class NotFound(SoashError):
    status = 404
    title = "Not found"


class Conflict(SoashError):
    status = 409
    title = "Conflict"


class LimitReached(SoashError):
    status = 403
    title = "Plan limit reached"


class InvalidInput(SoashError):
    status = 422
    title = "Invalid input"


class TooManyRequests(SoashError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class UpstreamError(SoashError):
    status = 502
    title = "The platform refused"


class NotConfigured(SoashError):
    status = 503
    title = "Not configured"


class ServiceUnavailable(SoashError):
    status = 503
    title = "Temporarily unavailable"
