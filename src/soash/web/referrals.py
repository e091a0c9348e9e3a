"""Referrals: your code and link to share, the sign-ups they brought and their commission."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import Request, Response

from soash.config import get_settings
from soash.deps import DB
from soash.referrals import service
from soash.web import forms
from soash.web.core import redirect, render, web_router
from soash.web.session import Actor, Viewer

router = web_router()


@router.get("/referrals")
def referrals(request: Request, db: DB, auth: Viewer) -> Response:
    codes = service.list_codes(db, auth.user)
    billing = get_settings().billing
    return render(
        request,
        "referrals/page.html",
        page_title="Referrals",
        codes=codes,
        active=[c for c in codes if c.is_active],
        overview=service.overview(db, auth.user),
        base_url=get_settings().base_url,
        commission_rate=billing.commission_rate,
        refund_window_days=billing.refund_window_days,
    )


@router.post("/referrals/codes")
def create_code(request: Request, db: DB, auth: Actor) -> Response:
    outcome = forms.attempt(db, lambda: service.create_code(db, auth.user))
    if not outcome.ok or outcome.value is None:
        return redirect(request, "/referrals", message=outcome.errors[forms.FORM], kind="error")
    return redirect(request, "/referrals", message=f"Your new code is {outcome.value.code}.")


@router.post("/referrals/codes/{code_id}/{action}")
def set_active(
    request: Request,
    db: DB,
    auth: Actor,
    code_id: uuid.UUID,
    action: Literal["activate", "deactivate"],
) -> Response:
    outcome = forms.attempt(
        db,
        lambda: service.set_code_active(db, auth.user, code_id, is_active=action == "activate"),
    )
    if not outcome.ok:
        return redirect(request, "/referrals", message=outcome.errors[forms.FORM], kind="error")
    return redirect(request, "/referrals", message=f"Code {action}d.")
