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
    created_at: datetime
    updated_at: datetime


class InsightPatch(InModel):
    is_read: bool


class RecommendationOut(OutModel):
    id: uuid.UUID
    recommendation_type: RecommendationType
    title: str
    description: str | None
    content_brief: str | None
    is_used: bool
    feedback_score: int | None
    created_at: datetime
    updated_at: datetime


class RecommendationPatch(InModel):
    is_used: bool | None = None
    feedback_score: Annotated[int, Field(ge=1, le=5)] | None = None


class PatternOut(OutModel):
    pattern_type: PatternType
    pattern_name: str
    success_rate: Decimal | None = Field(
        description="Share of the group's posts that beat their own account's median "
        "engagement rate, 7 days after posting."
    )
    sample_size: int
    lift: Decimal | None = Field(
        description="Engagement relative to the account median (shrunk toward 1 for small "
        "groups); null when the group is too small to say anything."
    )
    ci_low: Decimal | None
    ci_high: Decimal | None
    q_value: Decimal | None = Field(
        description="Benjamini-Hochberg adjusted p-value over every group tested."
    )
    significant: bool
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def enough_data(self) -> bool:
        return self.lift is not None
