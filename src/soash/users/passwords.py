"""The password policy: long enough, and not a common password (or one plus a few digits)."""

from __future__ import annotations

import re
from functools import lru_cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 10
MAX_LENGTH = 256
_DECORATION = re.compile(r"^[\W\d_]*(.*?)[\W\d_]*$")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    # The 30,000 most common passwords from leaked-password corpora (zxcvbn's list).
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why ``password`` is not acceptable, or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    core = _DECORATION.sub(r"\1", lowered)
    if lowered in _common() or (len(core) >= 4 and core in _common()) or len(set(lowered)) < 4:
        return "This password is too common; choose one that is hard to guess."
    local = email.partition("@")[0].lower() if email else ""
    if len(local) >= 3 and local in lowered:
        return "Do not use your email address in your password."
    return None
