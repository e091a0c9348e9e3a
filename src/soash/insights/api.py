"""Routes for insights, content recommendations and performance patterns."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from soash.deps import DB, CurrentUser
from soash.insights import service
from soash.insights.models import RecommendationType
from soash.insights.patterns import stored_patterns
from soash.insights.schemas import (
    InsightOut,
    InsightPatch,
    PatternOut,
    RecommendationOut,
    RecommendationPatch,
)
from soash.system.schemas import JobOut

router = APIRouter(tags=["insights"])


@router.get("/insights", response_model=list[InsightOut])
def list_insights(user: CurrentUser, db: DB, unread_only: Annotated[bool, Query()] = False) -> Any:
    return service.list_insights(db, user, unread_only=unread_only)


@router.patch("/insights/{insight_id}", response_model=InsightOut)
def patch_insight(insight_id: uuid.UUID, body: InsightPatch, user: CurrentUser, db: DB) -> Any:
    return service.set_insight_state(
        db,
        user,
        insight_id,
        is_read=body.is_read,
        dismissed=body.dismissed,
        snooze_days=body.snooze_days,
    )


@router.post("/insights/generate", status_code=status.HTTP_202_ACCEPTED, response_model=JobOut)
def generate(user: CurrentUser, db: DB) -> Any:
    return service.queue_generation(db, user)


@router.get("/recommendations", response_model=list[RecommendationOut])
def list_recommendations(
    user: CurrentUser, db: DB, type: Annotated[RecommendationType | None, Query()] = None
) -> Any:
    return service.list_recommendations(db, user, kind=type)


@router.patch("/recommendations/{recommendation_id}", response_model=RecommendationOut)
def patch_recommendation(
    recommendation_id: uuid.UUID, body: RecommendationPatch, user: CurrentUser, db: DB
) -> Any:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    return service.update_recommendation(db, user, recommendation_id, changes=changes)


@router.get("/patterns", response_model=list[PatternOut])
def list_patterns(user: CurrentUser, db: DB) -> Any:
    """Ranked: significant winners first, then undecided groups, then significant losers,
    then groups too small to say anything."""
    return stored_patterns(db, user)
