"""One-time messages shown on the page after a redirect ("Profile saved."), in a signed cookie
so another site cannot plant text on a Soash page."""

from __future__ import annotations

import base64
import hmac
import json
from dataclasses import dataclass

from fastapi import Request, Response

from soash.security import token_hash
from soash.web.cookies import set_cookie

COOKIE = "soash_flash"
PURPOSE = "flash"
KINDS = ("success", "error", "info")


@dataclass(frozen=True)
class Flash:
    kind: str
    message: str


def put(response: Response, message: str, *, kind: str = "success") -> None:
    payload = base64.urlsafe_b64encode(json.dumps([kind, message[:500]]).encode()).decode()
    signature = token_hash(payload, purpose=PURPOSE)[:32]
    set_cookie(response, COOKIE, f"{payload}.{signature}", max_age=120)


def read(request: Request) -> Flash | None:
    raw = request.cookies.get(COOKIE)
    if not raw or "." not in raw:
        return None
    payload, _, signature = raw.rpartition(".")
    if not hmac.compare_digest(signature, token_hash(payload, purpose=PURPOSE)[:32]):
        return None
    try:
        kind, message = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, TypeError):
        return None
    return Flash(kind if kind in KINDS else "info", str(message))


def clear(response: Response) -> None:
    response.delete_cookie(COOKIE)
