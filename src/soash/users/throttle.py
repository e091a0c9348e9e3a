"""Attempt limits on sign-in and sign-up, per client IP and per email."""

from __future__ import annotations

from soash.config import get_settings
from soash.errors import TooManyRequests
from soash.ratelimit import get_counter


def check(action: str, *, ip: str, email: str) -> None:
    limits = get_settings().rate_limit
    counter = get_counter()
    for key, allowed in (
        (f"{action}:ip:{ip}", limits.per_ip),
        (f"{action}:email:{email.lower()}", limits.per_email),
    ):
        count, retry_after = counter.hit(key, limits.window_seconds)
        if count > allowed:
            raise TooManyRequests(
                f"Too many attempts. Wait {retry_after} seconds and try again.",
                retry_after=retry_after,
            )
