"""Insights: written by the insight job and by other domains (e.g. "reconnect your account")."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from soash.insights.models import AiInsight, InsightType, Priority


def upsert_insight(
    db: Session,
    *,
    user_id: uuid.UUID,
    key: str,
    insight_type: InsightType,
    title: str,
    description: str,
    priority: Priority,
) -> AiInsight:
    """Create the insight, or update the one with the same key (and show it as unread again
    when what it says changed)."""
    insight = db.scalar(select(AiInsight).where(AiInsight.user_id == user_id, AiInsight.key == key))
    if insight is None:
        insight = AiInsight(user_id=user_id, key=key)
        db.add(insight)
    elif (insight.title, insight.description) != (title, description):
        insight.is_read = False
    insight.insight_type = insight_type
    insight.title = title
    insight.description = description
    insight.priority = priority
    db.flush()
    return insight
