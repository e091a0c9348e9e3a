"""Recommendations: best slots this week, hashtags, content ideas with briefs; mark used, rate."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse

from soash.deps import DB
from soash.insights import service
from soash.insights.models import ContentRecommendation, RecommendationType
from soash.insights.schemas import RecommendationPatch
from soash.web import forms
from soash.web.core import error_page, is_htmx, redirect, render, web_router
from soash.web.session import Actor, Form, Viewer

router = web_router()
SECTIONS = (
    (
        RecommendationType.posting_time,
        "Best slots this week",
        "In your timezone, from what worked.",
    ),
    (RecommendationType.hashtag, "Hashtags", "Ones with a real lift, and ones to drop."),
    (
        RecommendationType.content_idea,
        "Content ideas",
        "Written for your brand; each says what it builds on.",
    ),
)


def _sections(items: list[ContentRecommendation]) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind.value,
            "title": title,
            "note": note,
            "items": [r for r in items if r.recommendation_type is kind],
        }
        for kind, title, note in SECTIONS
    ]


@router.get("/recommendations")
def recommendations(request: Request, db: DB, auth: Viewer) -> Response:
    items = service.list_recommendations(db, auth.user)
    return render(
        request,
        "insights/recommendations.html",
        page_title="Recommendations",
        sections=_sections(items),
        total=len(items),
    )


@router.post("/recommendations/{recommendation_id}")
def update(
    request: Request, db: DB, auth: Actor, form: Form, recommendation_id: uuid.UUID
) -> Response:
    """Mark used (``is_used`` yes/no), rate (``feedback_score`` 1-5) and/or dismiss
    (``is_dismissed`` yes: not shown, not suggested again)."""
    values = forms.without_blanks(forms.fields(form, "is_used", "feedback_score", "is_dismissed"))
    for flag in ("is_used", "is_dismissed"):
        if flag in values:
            values[flag] = values[flag] == "yes"
    outcome = forms.submit(
        db,
        RecommendationPatch,
        values,
        lambda body: service.update_recommendation(
            db, auth.user, recommendation_id, changes=body.model_dump(exclude_none=True)
        ),
    )
    if not outcome.ok or outcome.value is None:
        message = next(iter(outcome.errors.values()), "That did not work.")
        return error_page(request, outcome.status, message)
    if outcome.value.is_dismissed:
        message = "Dismissed; Soash will not suggest it again."
        if is_htmx(request):
            return HTMLResponse(f'<li class="item is-read"><p role="status">{message}</p></li>')
        return redirect(request, "/recommendations", message=message)
    if is_htmx(request):
        return render(request, "insights/_recommendation.html", rec=outcome.value)
    return redirect(request, f"/recommendations#rec-{recommendation_id}", message="Saved.")
