"""CSRF protection for web forms.

Signed-in forms carry the token bound to the session (``soash.deps.csrf_token_for``, the same
value as the API's ``soash_csrf`` cookie), as the ``csrf_token`` field or, from htmx, the
``X-CSRF-Token`` header. Forms used before signing in (sign in, sign up, reset) use a signed
double submit: a random HttpOnly cookie, and in the form its HMAC under the server secret,
which another site can neither read nor forge.
"""

from __future__ import annotations

import hmac

from fastapi import Request, Response
from starlette.datastructures import FormData

from soash.deps import CSRF_HEADER
from soash.errors import Forbidden
from soash.security import new_token, token_hash
from soash.web.cookies import set_cookie

FIELD = "csrf_token"
FORM_COOKIE = "soash_form"
PURPOSE = "form-csrf"
REFUSED = (
    "This form was not sent from this page (its security token is missing or out of date). "
    "Go back, reload the page and try again."
)


def form_token(seed: str) -> str:
    return token_hash(seed, purpose=PURPOSE)[:40]


def anonymous_token(request: Request) -> str:
    """The token for a form shown before sign-in; a new visitor gets a new cookie."""
    seed = request.cookies.get(FORM_COOKIE)
    if not seed:
        seed = new_token()
        request.state.new_form_seed = seed
    return form_token(seed)


def set_form_cookie(response: Response, seed: str) -> None:
    set_cookie(response, FORM_COOKIE, seed, max_age=86400)


def sent_token(request: Request, form: FormData) -> str:
    value = form.get(FIELD) or request.headers.get(CSRF_HEADER) or ""
    return value if isinstance(value, str) else ""


def check_anonymous(request: Request, form: FormData) -> None:
    seed = request.cookies.get(FORM_COOKIE, "")
    if not seed or not hmac.compare_digest(sent_token(request, form), form_token(seed)):
        raise Forbidden(REFUSED)


def check_session(request: Request, form: FormData, expected: str) -> None:
    if not hmac.compare_digest(sent_token(request, form), expected):
        raise Forbidden(REFUSED)
