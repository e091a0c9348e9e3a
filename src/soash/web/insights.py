"""Insights inbox (unread first, by priority), one insight, and asking for a fresh analysis."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from soash.deps import DB
from soash.insights import service
from soash.web import forms
from soash.web.core import error_page, is_htmx, redirect, render, web_router
from soash.web.session import Actor, Form, Viewer

router = web_router()
SNOOZE_DAYS = 7


@router.get("/insights")
def inbox(request: Request, db: DB, auth: Viewer) -> Response:
    items = service.list_insights(db, auth.user)
    return render(
        request,
        "insights/inbox.html",
        page_title="Insights",
        insights=items,
        unread=sum(1 for i in items if not i.is_read),
    )


@router.get("/insights/{insight_id}")
def insight_page(request: Request, db: DB, auth: Viewer, insight_id: uuid.UUID) -> Response:
    insight = service.get_insight(db, auth.user, insight_id)
    return render(request, "insights/detail.html", page_title=insight.title, insight=insight)


@router.post("/insights/{insight_id}/read")
def mark_read(request: Request, db: DB, auth: Actor, form: Form, insight_id: uuid.UUID) -> Response:
    is_read = forms.fields(form, "is_read")["is_read"] != "no"
    insight = service.set_insight_read(db, auth.user, insight_id, is_read=is_read)
    if is_htmx(request):
        unread = len(service.list_insights(db, auth.user, unread_only=True))
        return render(request, "insights/_item.html", insight=insight, unread_now=unread)
    return redirect(request, f"/insights/{insight_id}")


@router.post("/insights/{insight_id}/hide")
def hide(request: Request, db: DB, auth: Actor, form: Form, insight_id: uuid.UUID) -> Response:
    """Dismiss (``how=dismiss``: until what it finds changes) or snooze for a week
    (``how=snooze``)."""
    how = forms.fields(form, "how")["how"]
    if how not in ("dismiss", "snooze"):
        return error_page(request, 422, "Choose to dismiss the insight or to snooze it.")
    if how == "dismiss":
        service.set_insight_state(db, auth.user, insight_id, dismissed=True)
        message = "Dismissed. It comes back only if what it finds changes."
    else:
        service.set_insight_state(db, auth.user, insight_id, snooze_days=SNOOZE_DAYS)
        message = f"Snoozed for {SNOOZE_DAYS} days."
    if is_htmx(request):
        unread = len(service.list_insights(db, auth.user, unread_only=True))
        return render(request, "insights/_hidden.html", message=message, unread_now=unread)
    return redirect(request, "/insights", message=message)


@router.post("/insights/generate")
def generate(request: Request, db: DB, auth: Actor) -> Response:
    outcome = forms.attempt(db, lambda: service.queue_generation(db, auth.user))
    if not outcome.ok:
        return redirect(request, "/insights", message=outcome.errors[forms.FORM], kind="error")
    return redirect(
        request,
        "/insights",
        message="Soash is looking at your posts again; new insights appear here in a minute.",
    )
