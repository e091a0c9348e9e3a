"""The web app's own cookies (flash message, anonymous-form token, connect return path)."""

from __future__ import annotations

from fastapi import Response

from soash.config import get_settings


def set_cookie(response: Response, name: str, value: str, *, max_age: int) -> None:
    """An HttpOnly, SameSite=Lax cookie, Secure when the site is served over https."""
    secure = get_settings().base_url.startswith("https://")
    response.set_cookie(name, value, max_age=max_age, httponly=True, secure=secure, samesite="lax")
