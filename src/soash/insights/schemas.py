"""Insights, recommendations and patterns as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field, computed_field

from soash.insights.models import InsightType, PatternType, Priority, RecommendationType
from soash.schemas import InModel, OutModel


class InsightOut(OutModel):
    id: uuid.UUID
    insight_type: InsightType
    title: str
    description: str | None
    priority: Priority
    is_read: bool
    dismissed_at: datetime | None
    snoozed_until: datetime | None
    created_at: datetime
    updated_at: datetime


class InsightPatch(InModel):
    is_read: bool | None = None
    dismissed: bool | None = Field(
        default=None,
        description="Hide the insight until what it finds changes materially (false: restore).",
    )
    snooze_days: Annotated[int, Field(ge=0, le=90)] | None = Field(
        default=None, description="Hide the insight for this many days (0 ends a snooze)."
    )


class RecommendationOut(OutModel):
    id: uuid.UUID
    recommendation_type: RecommendationType
    title: str
    description: str | None
    content_brief: str | None
    is_used: bool
    is_dismissed: bool
    feedback_score: int | None
    created_at: datetime
    updated_at: datetime


class RecommendationPatch(InModel):
    is_used: bool | None = None
    is_dismissed: bool | None = Field(
        default=None, description="Hide it; it is not suggested again while dismissed."
    )
    feedback_score: Annotated[int, Field(ge=1, le=5)] | None = None


class PatternOut(OutModel):
    scope: str = Field(
        description='"all" (every platform, one model), or a platform that has its own model '
        "because the user posts on several and it has enough posts."
    )
    pattern_type: PatternType
    pattern_name: str = Field(
        description="A content type, a weekday, a posting window chosen from the data "
        '(e.g. "07:00-10:00" in the profile\'s timezone) or a hashtag.'
    )
    success_rate: Decimal | None = Field(
        description="Share of the group's posts above their own account's median engagement "
        "rate 7 days after posting (a post exactly at the median counts as half)."
    )
    sample_size: int
    lift: Decimal | None = Field(
        description="Adjusted lift: the group's engagement against the rest of its dimension, "
        "holding format, weekday, hour and hashtags fixed (one regression with account fixed "
        "effects); null when the group is too small to test."
    )
    raw_lift: Decimal | None = Field(description="The same comparison without adjustment.")
    ci_low: Decimal | None = Field(
        description="The interval that matches the verdict: it excludes 1 exactly when the "
        "group is significant (false-coverage-rate adjusted, at ci_level >= 0.95)."
    )
    ci_high: Decimal | None
    ci_level: Decimal | None
    p_value: Decimal | None = Field(
        description="Two-sided p-value (for a posting window, already multiplied by the "
        "effective number of windows scanned)."
    )
    q_value: Decimal | None = Field(
        description="Benjamini-Hochberg adjusted p-value over every group tested."
    )
    significant: bool = Field(description="q_value < 0.05, and nothing else.")
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def enough_data(self) -> bool:
        return self.lift is not None
