"""Who is asking: the signed-in user from the HttpOnly session cookie (the same sessions as
the API), the CSRF check on every form they send, and the anonymous forms' token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from soash.deps import DB, SESSION_COOKIE, Auth, csrf_token_for
from soash.insights import service as insights
from soash.users import service as users
from soash.web import csrf
from soash.web.core import LoginRequired


async def form_data(request: Request) -> FormData:
    """The posted form (parsed once per request)."""
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]


def _signed_in(request: Request, db: DB) -> Auth | None:
    token = request.cookies.get(SESSION_COOKIE)
    found = users.user_for_token(db, token) if token else None
    if token is None or found is None:
        return None
    auth = Auth(user=found[0], session=found[1])
    profile = users.get_profile(db, auth.user)
    request.state.auth = auth
    request.state.profile = profile
    request.state.tz = profile.timezone
    request.state.csrf = csrf_token_for(token)
    request.state.unread = len(insights.list_insights(db, auth.user, unread_only=True))
    return auth


def maybe_viewer(request: Request, db: DB) -> Auth | None:
    return _signed_in(request, db)


def viewer(request: Request, db: DB) -> Auth:
    auth = _signed_in(request, db)
    if auth is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target if request.method == "GET" else "/dashboard")
    return auth


MaybeViewer = Annotated[Auth | None, Depends(maybe_viewer)]
Viewer = Annotated[Auth, Depends(viewer)]


def actor(request: Request, auth: Viewer, form: Form) -> Auth:
    """A signed-in user sending a form (or an htmx request): the CSRF token must match."""
    csrf.check_session(request, form, request.state.csrf)
    return auth


Actor = Annotated[Auth, Depends(actor)]


def visitor(request: Request) -> None:
    """A page with a form for people not signed in: give it its CSRF token."""
    request.state.csrf = csrf.anonymous_token(request)


def anonymous_form(request: Request, form: Form) -> FormData:
    """A form sent before sign-in: the signed double-submit token must match."""
    csrf.check_anonymous(request, form)
    visitor(request)
    return form


Visitor = Annotated[None, Depends(visitor)]
AnonymousForm = Annotated[FormData, Depends(anonymous_form)]
