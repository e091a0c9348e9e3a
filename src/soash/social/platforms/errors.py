"""What can go wrong talking to a platform, in terms the sync can act on."""

from __future__ import annotations


class PlatformError(Exception):
    """Base class; ``str(exc)`` is a message a person can act on."""


class RateLimited(PlatformError):
    """The platform asked us to slow down; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# What a refusal for a permission the grant lacks tells the user, on every platform.
RECONNECT_WITH_PERMISSIONS = "reconnect the account and grant every permission asked"


class TokenInvalid(PlatformError):
    """The token is expired, revoked or lacks a permission, and cannot be refreshed:
    the user has to reconnect the account."""


class TransientError(PlatformError):
    """5xx, timeouts, connection errors: worth retrying with backoff."""


class MalformedResponse(PlatformError):
    """The platform answered something that is not what its contract says."""


class PlatformRequestError(PlatformError):
    """The platform refused the request for a reason retrying will not fix."""
