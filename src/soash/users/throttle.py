"""Attempt limits on sign-in, sign-up, password reset and re-entering the password.

Three counters per attempt: the client IP, the (email, client IP) pair, and the email from
everywhere. Guessing one account's password from one address stops at the pair's limit
without touching the owner signing in from theirs; the per-email ceiling, far higher, only
bounds a guesser spread over many addresses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from soash.config import get_settings
from soash.errors import TooManyRequests
from soash.ratelimit import get_counter


def check(action: str, *, ip: str, email: str) -> None:
    limits = get_settings().rate_limit
    counter = get_counter()
    email = email.strip().lower()
    for key, allowed in (
        (f"{action}:ip:{ip}", limits.per_ip),
        (f"{action}:email-ip:{email}|{ip}", limits.per_email_and_ip),
        (f"{action}:email:{email}", limits.per_email),
    ):
        count, retry_after = counter.hit(key, limits.window_seconds)
        if count > allowed:
            raise TooManyRequests(
                f"Too many attempts. Wait {retry_after} seconds and try again.",
                retry_after=retry_after,
            )


def check_reauth(changes: Mapping[str, Any], *, ip: str, email: str) -> None:
    """A change that needs the current password is limited as sign-in is: otherwise a stolen
    session could guess the password (and take the account) without limit."""
    if "email" in changes or "new_password" in changes or "current_password" in changes:
        check("reauth", ip=ip, email=email)
