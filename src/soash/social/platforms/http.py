"""The HTTP core every platform client shares: timeouts, bounded retries, JSON checks."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from soash.db import no_open_write
from soash.social.platforms.errors import MalformedResponse, RateLimited, TransientError

# Short waits are slept through inside one request; longer ones go back to the job queue.
MAX_INLINE_WAIT_SECONDS = 30.0


class PlatformHttp:
    """A small wrapper over ``httpx.Client``.

    ``classify`` turns a non-2xx response (or a 2xx carrying an error envelope) into a
    :class:`PlatformError`, or returns None when the response is fine. 5xx and network errors
    are retried ``retries`` times with exponential backoff; a rate limit with a short wait is
    slept through once, a longer one raises :class:`RateLimited` for the job queue to reschedule.
    """

    def __init__(
        self,
        *,
        base_url: str,
        classify: Callable[[httpx.Response], Exception | None],
        timeout: float = 20.0,
        retries: int = 3,
        backoff: float = 0.5,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.client = httpx.Client(
            base_url=base_url, timeout=timeout, headers=dict(headers or {}), transport=transport
        )
        self.classify = classify
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep

    def close(self) -> None:
        self.client.close()

    def request(
        self, method: str, url: str, *, once: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """Send with retries; ``once=True`` sends exactly once (a call that must not be
        repeated blindly, like a publish: its caller checks the platform before retrying)."""
        no_open_write(f"a platform call ({method} {_path(url)})")
        waited_for_rate_limit = once
        attempt = 0
        while True:
            try:
                response = self.client.request(method, url, **kwargs)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                error: Exception = TransientError(
                    f"{method} {_path(url)}: the platform did not answer ({type(exc).__name__})"
                )
            else:
                if response.status_code >= 500:
                    error = TransientError(
                        f"{method} {_path(url)}: the platform answered {response.status_code}"
                    )
                else:
                    classified = self.classify(response)
                    if classified is None:
                        return response
                    error = classified
            if isinstance(error, RateLimited):
                if waited_for_rate_limit or error.retry_after > MAX_INLINE_WAIT_SECONDS:
                    raise error
                waited_for_rate_limit = True
                self.sleep(error.retry_after)
                continue
            if isinstance(error, TransientError) and attempt < self.retries and not once:
                self.sleep(self.backoff * 2**attempt)
                attempt += 1
                continue
            raise error

    def json(self, method: str, url: str, *, once: bool = False, **kwargs: Any) -> dict[str, Any]:
        response = self.request(method, url, once=once, **kwargs)
        return parse_json(response)


def parse_json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise MalformedResponse(
            f"{response.request.method} {_path(str(response.request.url))}: "
            "the platform answered something that is not JSON"
        ) from None
    if not isinstance(body, dict):
        raise MalformedResponse(
            f"{response.request.method} {_path(str(response.request.url))}: expected a JSON object"
        )
    return body


def _path(url: str) -> str:
    """The URL without its query string, which may carry tokens."""
    return url.split("?", 1)[0]
