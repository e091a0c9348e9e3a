"""FastAPI dependencies: a database session per request and the signed-in user."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from soash.config import IPNetwork, get_settings
from soash.db import session_scope, utcnow
from soash.errors import Forbidden, Unauthorized
from soash.security import token_hash
from soash.users import service as users
from soash.users.models import User, UserSession

SESSION_COOKIE = "soash_session"
CSRF_COOKIE = "soash_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_db() -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    with session_scope() as session:
        yield session


DB = Annotated[Session, Depends(get_db, scope="function")]


def csrf_token_for(session_token: str) -> str:
    return token_hash(session_token, purpose="csrf")[:40]


def set_session_cookies(response: Response, token: str, expires_at: datetime) -> None:
    """The HttpOnly session cookie and the readable CSRF cookie (API login and web sign-in)."""
    secure = get_settings().base_url.startswith("https://")
    max_age = int((expires_at - utcnow()).total_seconds())
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, secure=secure, samesite="lax"
    )
    response.set_cookie(
        CSRF_COOKIE, csrf_token_for(token), max_age=max_age, secure=secure, samesite="lax"
    )


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


@dataclass
class Auth:
    user: User
    session: UserSession


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send the token as 'Authorization: Bearer <token>'.")
    return token.strip()


def current_auth(request: Request, db: DB) -> Auth:
    token = _bearer(request)
    via_cookie = token is None
    if token is None:
        token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthorized(
            "Sign in first: POST /api/v1/auth/login, then send "
            "'Authorization: Bearer <access_token>'."
        )
    found = users.user_for_token(db, token)
    if found is None:
        raise Unauthorized("Your session has expired or was signed out. Sign in again.")
    if via_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent, csrf_token_for(token)):
            raise Forbidden(
                "Missing or wrong CSRF token: send the 'soash_csrf' cookie's value in the "
                "'X-CSRF-Token' header, or use a Bearer token."
            )
    return Auth(user=found[0], session=found[1])


CurrentAuth = Annotated[Auth, Depends(current_auth)]


def current_user(auth: CurrentAuth) -> User:
    return auth.user


CurrentUser = Annotated[User, Depends(current_user)]


def client_ip(request: Request) -> str:
    """The one place that decides who the client is (the rate limits key on it).

    The connection's peer, unless that peer is a proxy listed in SOASH_TRUSTED_PROXIES: then
    X-Forwarded-For is read from the right, skipping the trusted proxies, and the first
    address not among them is the client (anything to its left was written by the client
    itself and proves nothing). ``soash serve`` runs uvicorn with its own proxy handling off,
    so the peer here is the real one."""
    peer = request.client.host if request.client else "unknown"
    trusted = get_settings().trusted_proxy_networks
    if not trusted or not _is_in(peer, trusted):
        return peer
    hops = [h.strip() for v in request.headers.getlist("x-forwarded-for") for h in v.split(",")]
    for hop in reversed(hops):
        if not _is_in(hop, trusted):
            return _valid_ip(hop) or peer
    return peer


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _is_in(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)
