"""Insights inbox (unread first, by priority), one insight, and asking for a fresh analysis."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from soash.deps import DB
from soash.insights import service
from soash.web import forms
from soash.web.core import is_htmx, redirect, render, web_router
from soash.web.session import Actor, Form, Viewer

router = web_router()


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
