"""Settings: name and brand profile, email, password, plan, export my data, delete my account."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import Request, Response

from soash.billing import service as billing
from soash.deps import DB, Auth, clear_session_cookies, client_ip
from soash.users import service as users
from soash.users import throttle
from soash.users.export import export_user
from soash.users.schemas import ProfileIn, UserPatch
from soash.web import forms
from soash.web.core import redirect, render, web_router
from soash.web.onboarding import INDUSTRIES, timezones
from soash.web.session import Actor, Form, Viewer

router = web_router()
PROFILE_FIELDS = (
    "brand_name",
    "industry",
    "brand_description",
    "target_audience",
    "brand_values",
    "business_goals",
    "timezone",
    "avatar_url",
)


def _current(db: DB, auth: Auth) -> dict[str, Any]:
    profile = users.get_profile(db, auth.user)
    values: dict[str, Any] = {name: getattr(profile, name) or "" for name in PROFILE_FIELDS}
    values.update(
        brand_values=profile.brand_values,
        business_goals=profile.business_goals,
        first_name=auth.user.first_name or "",
        last_name=auth.user.last_name or "",
        email=auth.user.email,
    )
    return values


def _page(
    request: Request,
    db: DB,
    auth: Auth,
    *,
    section: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "settings/page.html",
        status=status,
        page_title="Settings",
        section=section,
        values={**_current(db, auth), **(values or {})},
        errors=errors or {},
        plan=billing.plan_of(auth.user),
        industries=INDUSTRIES,
        timezones=timezones(),
    )


@router.get("/settings")
def settings_page(request: Request, db: DB, auth: Viewer) -> Response:
    return _page(request, db, auth)


def _saved(
    request: Request,
    db: DB,
    auth: Auth,
    section: str,
    values: dict[str, Any],
    outcome: forms.Outcome[Any],
    message: Callable[[], str],
    secret: tuple[str, ...] = (),
) -> Response:
    """Back to the settings with a message, or the page again with the section's errors and
    what was typed (passwords excepted)."""
    if outcome.ok:
        return redirect(request, "/settings", message=message())
    kept = {k: ("" if k in secret else v) for k, v in values.items()}
    return _page(
        request,
        db,
        auth,
        section=section,
        values=kept,
        errors=outcome.errors,
        status=outcome.status,
    )


def _account_change(
    request: Request, db: DB, auth: Auth, values: dict[str, Any]
) -> forms.Outcome[Any]:
    """A change of name, email or password: UserPatch and users.update_account, as the API
    (and limited as the API is when it needs the current password)."""

    def change(body: UserPatch) -> Any:
        changes = body.model_dump(exclude_unset=True)
        throttle.check_reauth(changes, ip=client_ip(request), email=auth.user.email)
        return users.update_account(db, auth.user, current_session=auth.session, changes=changes)

    return forms.submit(db, UserPatch, values, change)


@router.post("/settings/name")
def save_name(request: Request, db: DB, auth: Actor, form: Form) -> Response:
    values = forms.fields(form, "first_name", "last_name")
    outcome = _account_change(request, db, auth, {k: v or None for k, v in values.items()})
    return _saved(request, db, auth, "name", values, outcome, lambda: "Your name is saved.")


@router.post("/settings/profile")
def save_profile(request: Request, db: DB, auth: Actor, form: Form) -> Response:
    values = forms.fields(form, *PROFILE_FIELDS, lists=("brand_values", "business_goals"))
    outcome = forms.submit(
        db,
        ProfileIn,
        {k: (v if v != "" else None) for k, v in values.items()},
        lambda body: users.update_profile(db, auth.user, values=body.model_dump()),
    )
    return _saved(
        request, db, auth, "profile", values, outcome, lambda: "Your brand profile is saved."
    )


@router.post("/settings/email")
def change_email(request: Request, db: DB, auth: Actor, form: Form) -> Response:
    values = forms.fields(form, "email", "current_password")
    outcome = _account_change(request, db, auth, values)
    return _saved(
        request,
        db,
        auth,
        "email",
        values,
        outcome,
        lambda: f"Your email is now {auth.user.email}. Confirm it with the link we sent there.",
        secret=("current_password",),
    )


@router.post("/settings/password")
def change_password(request: Request, db: DB, auth: Actor, form: Form) -> Response:
    values = forms.fields(form, "current_password", "new_password")
    outcome = _account_change(request, db, auth, values)
    return _saved(
        request,
        db,
        auth,
        "password",
        values,
        outcome,
        lambda: "Your password is changed; other sign-ins are signed out.",
        secret=("current_password", "new_password"),
    )


@router.get("/settings/export")
def export(db: DB, auth: Viewer) -> Response:
    body = json.dumps(export_user(db, auth.user), indent=2, ensure_ascii=False)
    name = f"soash-export-{date.today().isoformat()}.json"
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/settings/delete")
def delete_account(request: Request, db: DB, auth: Actor, form: Form) -> Response:
    typed = forms.fields(form, "confirm_email")["confirm_email"]
    if typed.lower() != auth.user.email:
        return _page(
            request,
            db,
            auth,
            section="delete",
            values={"confirm_email": typed},
            errors={"confirm_email": "Type your email address exactly to confirm."},
            status=422,
        )
    users.delete_account(db, auth.user)
    response = redirect(
        request, "/sign-up", message="Your account and all its data are deleted.", kind="info"
    )
    clear_session_cookies(response)
    return response
