"""Insights: written by the insight job and by other domains (e.g. "reconnect your account")."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from soash import jobs
from soash.db import utcnow
from soash.errors import TooManyRequests
from soash.insights.models import (
    AiInsight,
    ContentRecommendation,
    InsightType,
    Priority,
    RecommendationType,
)
from soash.ownership import get_owned, owned_by
from soash.system.models import JobType, SystemJob
from soash.users.models import User
from soash.users.plans import limits_for

GENERATE_TASK = "insights.generate_for_user"


def upsert_insight(
    db: Session,
    *,
    user_id: uuid.UUID,
    key: str,
    insight_type: InsightType,
    title: str,
    description: str,
    priority: Priority,
    finding: str | None = None,
) -> AiInsight:
    """Create the insight, or update the one with the same key (and show it as unread again
    when what it says changed). A dismissed insight comes back only when its ``finding`` (a
    coarse summary, e.g. "up:3" for a lift of about 2x) changed materially."""
    insight = db.scalar(select(AiInsight).where(AiInsight.user_id == user_id, AiInsight.key == key))
    if insight is None:
        insight = AiInsight(user_id=user_id, key=key)
        db.add(insight)
    elif (insight.title, insight.description) != (title, description):
        insight.is_read = False
    changed = finding is not None and finding != insight.dismissed_finding
    if insight.dismissed_at is not None and changed:
        insight.dismissed_at, insight.dismissed_finding, insight.is_read = None, None, False
    insight.finding = finding
    insight.insight_type = insight_type
    insight.title = title
    insight.description = description
    insight.priority = priority
    db.flush()
    return insight


def list_insights(db: Session, user: User, *, unread_only: bool = False) -> list[AiInsight]:
    """Unread first, then by priority, newest first."""
    priority_order = case(
        {Priority.high: 0, Priority.medium: 1, Priority.low: 2}, value=AiInsight.priority
    )
    stmt = select(AiInsight).where(
        owned_by(AiInsight.user_id, user),
        AiInsight.dismissed_at.is_(None),
        or_(AiInsight.snoozed_until.is_(None), AiInsight.snoozed_until <= utcnow()),
    )
    if unread_only:
        stmt = stmt.where(AiInsight.is_read.is_(False))
    stmt = stmt.order_by(AiInsight.is_read, priority_order, AiInsight.updated_at.desc())
    return list(db.scalars(stmt))


def get_insight(db: Session, user: User, insight_id: uuid.UUID) -> AiInsight:
    return get_owned(db, AiInsight, insight_id, user, what="insight")


def set_insight_read(db: Session, user: User, insight_id: uuid.UUID, *, is_read: bool) -> AiInsight:
    insight = get_insight(db, user, insight_id)
    insight.is_read = is_read
    return insight


def set_insight_state(
    db: Session,
    user: User,
    insight_id: uuid.UUID,
    *,
    is_read: bool | None = None,
    dismissed: bool | None = None,
    snooze_days: int | None = None,
) -> AiInsight:
    """Read or unread; dismiss (hidden until its finding changes) or restore; snooze for some
    days (0 ends a snooze)."""
    insight = get_insight(db, user, insight_id)
    if is_read is not None:
        insight.is_read = is_read
    if dismissed is not None:
        insight.dismissed_at = utcnow() if dismissed else None
        insight.dismissed_finding = insight.finding if dismissed else None
        insight.is_read = insight.is_read or dismissed
    if snooze_days is not None:
        insight.snoozed_until = utcnow() + timedelta(days=snooze_days) if snooze_days else None
    return insight


def list_recommendations(
    db: Session, user: User, *, kind: RecommendationType | None = None
) -> list[ContentRecommendation]:
    stmt = select(ContentRecommendation).where(
        owned_by(ContentRecommendation.user_id, user),
        ContentRecommendation.is_dismissed.is_(False),
    )
    if kind is not None:
        stmt = stmt.where(ContentRecommendation.recommendation_type == kind)
    return list(
        db.scalars(
            stmt.order_by(
                ContentRecommendation.is_used,
                ContentRecommendation.recommendation_type,
                ContentRecommendation.created_at,
            )
        )
    )


def update_recommendation(
    db: Session, user: User, recommendation_id: uuid.UUID, *, changes: dict[str, Any]
) -> ContentRecommendation:
    row = get_owned(db, ContentRecommendation, recommendation_id, user, what="recommendation")
    for field, value in changes.items():
        setattr(row, field, value)
    return row


def queue_generation(db: Session, user: User) -> SystemJob:
    """Queue an insight run (sent once the caller commits), within the plan's runs per day."""
    allowed = limits_for(user).insight_runs_per_day
    since = utcnow() - timedelta(days=1)
    runs = list(
        db.scalars(
            select(SystemJob.created_at)
            .where(
                SystemJob.user_id == user.id,
                SystemJob.job_type == JobType.generate_insights,
                SystemJob.created_at >= since,
            )
            .order_by(SystemJob.created_at)
        )
    )
    if len(runs) >= allowed:
        retry_after = int((runs[-allowed] + timedelta(days=1) - utcnow()).total_seconds()) + 1
        raise TooManyRequests(
            f"Your {user.subscription_tier.value} plan includes {allowed} insight run(s) a day; "
            f"the next one is possible in {retry_after // 60 + 1} minutes.",
            retry_after=retry_after,
        )
    return queue_run(db, user.id)


def queue_run(db: Session, user_id: uuid.UUID) -> SystemJob:
    """Queue an insight run for the user; Conflict when one is already pending or running."""
    return jobs.enqueue(
        db,
        GENERATE_TASK,
        {"user_id": str(user_id)},
        job_type=JobType.generate_insights,
        user_id=user_id,
        subject=str(user_id),
    )
