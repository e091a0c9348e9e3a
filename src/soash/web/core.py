"""The web app's plumbing: templates, rendering, redirects with a flash message, and the route
class that turns errors into pages (never JSON) and adds the page headers."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.exceptions import HTTPException

from soash.errors import SoashError
from soash.web import csrf, filters, flash

log = logging.getLogger(__name__)
UNEXPECTED = "Something went wrong on our side; nothing was changed. Try again, or report it."
HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"

# Scripts and styles come only from /static (no inline code); thumbnails and avatars come from
# the platforms' image hosts.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def _asset_version() -> str:
    """Changes whenever a static file changes, so browsers never run a stale script."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters.install(env)
    env.globals["asset_version"] = _asset_version()
    return env


templates = Jinja2Templates(env=_environment())


class LoginRequired(Exception):
    """The page needs a signed-in user: send them to sign in, then back."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def safe_next(value: str | None, default: str = "/dashboard") -> str:
    """Only a path on this site (never ``//host`` or ``https://...``)."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return default


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A page (or an htmx fragment) with the signed-in user, CSRF token and flash message."""
    state = request.state
    message = None if is_htmx(request) else flash.read(request)  # fragments show no flash
    context.setdefault("page_title", "")
    context.setdefault("values", {})
    context.setdefault("errors", {})
    response = templates.TemplateResponse(
        request,
        template,
        {
            "auth": getattr(state, "auth", None),
            "profile": getattr(state, "profile", None),
            "tz": getattr(state, "tz", "UTC"),
            "csrf": getattr(state, "csrf", ""),
            "unread_insights": getattr(state, "unread", 0),
            "flash": message,
            "path": request.url.path,
            **context,
        },
        status_code=status,
    )
    if message is not None:
        flash.clear(response)
    seed = getattr(state, "new_form_seed", None)
    if seed is not None:
        csrf.set_form_cookie(response, seed)
    return response


def redirect(
    request: Request, url: str, *, message: str | None = None, kind: str = "success"
) -> Response:
    """See Other (or, for htmx, a client-side redirect), with a one-time message to show."""
    response: Response
    if is_htmx(request):
        response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if message:
        flash.put(response, message, kind=kind)
    return response


def error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    """The error as a page; to htmx, just the message (shown as a toast)."""
    if is_htmx(request):
        return HTMLResponse(detail, status_code=status)
    titles = {
        400: "That did not work",
        403: "Not allowed",
        404: "Not found",
        409: "Conflict",
        422: "Check what you entered",
        429: "Slow down",
        502: "The platform refused",
        503: "Not available",
    }
    return render(
        request,
        "error.html",
        status=status,
        page_title=titles.get(status, "Something went wrong"),
        title=titles.get(status, "Something went wrong"),
        detail=detail,
        status_code=status,
    )


def _sign_in_redirect(request: Request, exc: LoginRequired) -> Response:
    url = f"/sign-in?next={quote(exc.next_path, safe='/')}"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _invalid_request(request: Request, exc: RequestValidationError) -> HTMLResponse:
    """A malformed id in the path is a page that does not exist; a malformed query value is
    a link to fix."""
    errors = exc.errors()
    if any(e.get("loc", ("",))[0] == "path" for e in errors):
        return error_page(request, 404, "There is nothing here: the link is wrong or out of date.")
    fields = ", ".join(sorted({str(e.get("loc", ("", "?"))[-1]) for e in errors}))
    return error_page(request, 400, f"This link has a value that is not valid ({fields}).")


def _headers(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    if response.media_type == "text/html" or "text/html" in response.headers.get(
        "content-type", ""
    ):
        response.headers["Content-Security-Policy"] = CSP
    return response


class WebRoute(APIRoute):
    """Web pages answer errors with a page a person can read: a domain error's message, a
    404 for an id that is not theirs (or not an id), a trip to the sign-in page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                response = await handler(request)
            except LoginRequired as exc:
                response = _sign_in_redirect(request, exc)
            except SoashError as exc:
                response = error_page(request, exc.status, exc.detail)
            except RequestValidationError as exc:
                response = _invalid_request(request, exc)
            except HTTPException as exc:
                response = error_page(request, exc.status_code, str(exc.detail))
            except Exception:
                log.exception("unhandled error on %s %s", request.method, request.url.path)
                response = error_page(request, 500, UNEXPECTED)
            return _headers(response)

        return page


def web_router() -> APIRouter:
    """A router for pages: HTML errors, no OpenAPI entries."""
    return APIRouter(route_class=WebRoute, include_in_schema=False)
