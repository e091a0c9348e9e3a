"""Dashboard analytics as the API shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from soash.analytics.localtime import Granularity
from soash.content.models import ContentType
from soash.schemas import OutModel
from soash.social.models import Platform
from soash.timewindow import HistoryOut


class Metric(StrEnum):
    followers = "followers"
    reach = "reach"
    impressions = "impressions"
    engagement = "engagement"
    engagement_rate = "engagement_rate"


class BreakdownBy(StrEnum):
    content_type = "content_type"
    category = "category"
    weekday = "weekday"
    hour = "hour"
    weekday_hour = "weekday_hour"
    hashtag = "hashtag"


class PeriodOut(OutModel):
    start: date = Field(description="First local day, included.")
    end: date = Field(description="Last local day, included.")
    days: int


class Comparison(OutModel):
    current: int | float | None
    previous: int | float | None = Field(
        description="The same figure over the previous period of the same length (null without "
        "a previous period or data)."
    )
    change: int | float | None = Field(description="current - previous.")
    change_pct: float | None = Field(description="change / previous x 100 (null when 0/none).")


class OverviewMetrics(OutModel):
    followers: Comparison = Field(
        description="Followers at the end of the period: each account's last reported count, "
        "summed."
    )
    followers_gained: Comparison = Field(
        description="Followers at the end minus at the start (the day before the period, or "
        "an account's first report in it)."
    )
    posts: Comparison = Field(description="Posts published in the period.")
    reach: Comparison = Field(description="Sum of those posts' reach.")
    impressions: Comparison = Field(description="Sum of those posts' impressions.")
    engagement: Comparison = Field(description="Sum of those posts' engagement.")
    engagement_rate: Comparison = Field(description="Mean of those posts' engagement rates.")


class TopPost(OutModel):
    id: uuid.UUID
    social_account_id: uuid.UUID
    platform: Platform
    content_type: ContentType | None
    caption: str | None
    posted_at: datetime
    posted_at_local: datetime
    reach: int | None
    impressions: int | None
    engagement: int | None
    engagement_rate: float | None


class Scope(OutModel):
    timezone: str = Field(description="Your profile's timezone: every day here is a local day.")
    period: PeriodOut
    account_id: uuid.UUID | None
    platform: Platform | None
    history: HistoryOut
    notes: list[str] = Field(description="What was adjusted, e.g. a range your plan shortened.")


class OverviewOut(Scope):
    previous_period: PeriodOut | None
    metrics: OverviewMetrics
    top_posts: list[TopPost] = Field(description="The period's posts with most engagement.")


class Point(OutModel):
    start: date
    end: date
    value: int | float | None = Field(description="null: no data for these days (not zero).")
    posts: int | None = Field(description="Posts behind the value (null for followers).")


class TimeseriesOut(Scope):
    metric: Metric
    granularity: Granularity
    points: list[Point]


class Group(OutModel):
    key: str | int | None = Field(
        description="content type, category id, ISO weekday (1 = Monday), hour (0-23), "
        "weekday x 100 + hour (weekday_hour: 118 = Monday 18:00) or hashtag; null for posts "
        "without one."
    )
    label: str
    color_code: str | None = None
    posts: int
    rated_posts: int = Field(description="Posts with an engagement rate (the statistics' n).")
    mean_engagement_rate: float | None
    median_engagement_rate: float | None


class BreakdownOut(Scope):
    by: BreakdownBy
    groups: list[Group]
