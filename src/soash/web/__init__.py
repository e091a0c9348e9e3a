"""The web app: server-rendered pages (Jinja2 + htmx) over the same services as the API."""

from __future__ import annotations

import inspect

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from soash.web import (
    accounts,
    auth,
    categories,
    category_rules,
    dashboard,
    insights,
    onboarding,
    patterns,
    posts,
    recommendations,
    referrals,
    settings,
)
from soash.web.core import STATIC_DIR, error_page


def _wants_page(request: Request) -> bool:
    path = request.url.path
    return not path.startswith(("/api/", "/static/")) and "text/html" in request.headers.get(
        "accept", ""
    )


def install(app: FastAPI) -> None:
    """Mount the pages at ``/`` and the static files at ``/static``. Call after
    ``problems.install``: a browser asking for a page that does not exist gets a page."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (
        auth,
        onboarding,
        accounts,
        dashboard,
        posts,
        categories,
        category_rules,
        insights,
        patterns,
        recommendations,
        referrals,
        settings,
    ):
        app.include_router(module.router)
    api_handler = app.exception_handlers[HTTPException]

    async def not_found(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and exc.status_code == 404 and _wants_page(request):
            return error_page(request, 404, "There is no page here. Check the address.")
        response = api_handler(request, exc)
        return await response if inspect.isawaitable(response) else response

    app.add_exception_handler(HTTPException, not_found)
