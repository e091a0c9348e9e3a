"""AI insights, content recommendations and the performance patterns behind them."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from soash.db import Base, IdMixin, TimestampMixin, enum_type


class InsightType(StrEnum):
    performance = "performance"
    trend = "trend"
    recommendation = "recommendation"


class Priority(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class RecommendationType(StrEnum):
    content_idea = "content_idea"
    posting_time = "posting_time"
    hashtag = "hashtag"


class PatternType(StrEnum):
    content_type = "content_type"
    posting_time = "posting_time"
    hashtag = "hashtag"


class AiInsight(IdMixin, TimestampMixin, Base):
    __tablename__ = "ai_insights"
    __table_args__ = (
        Index("idx_ai_insights_user_created", "user_id", "created_at"),
        UniqueConstraint("user_id", "key"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    insight_type: Mapped[InsightType] = mapped_column(enum_type(InsightType))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[Priority] = mapped_column(enum_type(Priority), default=Priority.medium)
    is_read: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # What the insight is about (e.g. "reconnect:<account id>"): regenerating updates, never
    # duplicates.
    key: Mapped[str | None] = mapped_column(String(200))
    # Dismissed: hidden until what it finds changes materially (``finding`` differs from the
    # one dismissed). Snoozed: hidden until then.
    finding: Mapped[str | None] = mapped_column(String(100))
    dismissed_finding: Mapped[str | None] = mapped_column(String(100))
    dismissed_at: Mapped[datetime | None]
    snoozed_until: Mapped[datetime | None]


class ContentRecommendation(IdMixin, TimestampMixin, Base):
    __tablename__ = "content_recommendations"
    __table_args__ = (
        CheckConstraint("feedback_score BETWEEN 1 AND 5", name="feedback_score_1_5"),
        UniqueConstraint("user_id", "key"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    recommendation_type: Mapped[RecommendationType] = mapped_column(enum_type(RecommendationType))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    content_brief: Mapped[str | None] = mapped_column(Text)
    is_used: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Dismissed: not shown, and not suggested again while the user keeps it dismissed.
    is_dismissed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    feedback_score: Mapped[int | None] = mapped_column(Integer)
    # What it recommends (e.g. "hashtag:sourdough"): regenerating updates the same row, keeping
    # the user's is_used and feedback, and feedback on a key shapes what is recommended next.
    key: Mapped[str | None] = mapped_column(String(200))


class PerformancePattern(IdMixin, TimestampMixin, Base):
    __tablename__ = "performance_patterns"
    __table_args__ = (
        CheckConstraint("success_rate BETWEEN 0 AND 1", name="success_rate_0_1"),
        UniqueConstraint("user_id", "scope", "pattern_type", "pattern_name"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    pattern_type: Mapped[PatternType] = mapped_column(enum_type(PatternType))
    pattern_name: Mapped[str] = mapped_column(String(200))
    success_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    sample_size: Mapped[int] = mapped_column(Integer, default=0)
    # Beyond the ERD (see soash.insights.effects): "all" for every platform together, or one
    # platform's own model when the user has several.
    scope: Mapped[str] = mapped_column(String(20), default="all", server_default="all")
    # The adjusted lift against the rest of its dimension, the interval that matches the
    # verdict (and its level), the p-value, the false-discovery-adjusted q, whether it holds up,
    # and the raw (unadjusted) lift. All NULL/false when the group is too small to test.
    lift: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    ci_low: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    ci_high: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    ci_level: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))
    p_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 10))
    q_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 10))
    significant: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    raw_lift: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
