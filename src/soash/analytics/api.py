"""Routes for the dashboard analytics (logic and SQL in soash.analytics.service)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from soash.analytics import service
from soash.analytics.localtime import Granularity
from soash.analytics.schemas import (
    BreakdownBy,
    BreakdownOut,
    Metric,
    OverviewOut,
    TimeseriesOut,
)
from soash.content.engagement import DEFINITION
from soash.deps import DB, CurrentUser
from soash.schemas import DAY_RANGE, Day
from soash.social.models import Platform

router = APIRouter(prefix="/analytics", tags=["analytics"])

COMMON = (
    f"{DEFINITION} Days are local days in your profile's timezone; a post counts on the day it "
    "was published there. Analytics never look further back than your plan's history (free: "
    "90 days, pro: 2 years): an earlier 'from' is moved forward and 'notes' says so."
)
From = Annotated[
    Day | None,
    Query(
        alias="from",
        description=f"First local day (YYYY-MM-DD, {DAY_RANGE}). Default: 27 days before 'to'.",
    ),
]
To = Annotated[
    Day | None,
    Query(alias="to", description=f"Last local day ({DAY_RANGE}). Default: today."),
]
AccountId = Annotated[
    uuid.UUID | None, Query(description="Only this social account (one of yours).")
]
PlatformFilter = Annotated[Platform | None, Query(description="Only accounts on this platform.")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "The whole range is before the history your plan shows."},
    404: {"description": "account_id is not one of your social accounts."},
    422: {"description": "A bad date, 'from' after 'to', or an unknown metric/by/granularity."},
}


@router.get(
    "/overview",
    response_model=OverviewOut,
    responses=_ERRORS,
    description="Followers (now and gained), posts, reach, impressions, engagement and "
    "engagement rate of the period, each next to the previous period of the same length, and "
    f"the top posts by engagement. {COMMON}",
)
def overview(
    user: CurrentUser,
    db: DB,
    from_: From = None,
    to: To = None,
    account_id: AccountId = None,
    platform: PlatformFilter = None,
    top: Annotated[int, Query(ge=0, le=20, description="How many top posts.")] = 5,
) -> Any:
    return service.overview(
        db, user, start=from_, end=to, account_id=account_id, platform=platform, top=top
    )


@router.get(
    "/timeseries",
    response_model=TimeseriesOut,
    responses=_ERRORS,
    description="One point per local day, ISO week (Monday first) or month. followers: each "
    "account's last reported count in the bucket, summed. reach, impressions, engagement: sums "
    "over the posts published in the bucket; engagement_rate: their mean. A bucket without data "
    f"is null, not 0. {COMMON}",
)
def timeseries(
    user: CurrentUser,
    db: DB,
    metric: Annotated[Metric, Query(description="The figure to chart.")],
    from_: From = None,
    to: To = None,
    granularity: Granularity = Granularity.day,
    account_id: AccountId = None,
    platform: PlatformFilter = None,
) -> Any:
    return service.timeseries(
        db,
        user,
        metric=metric,
        granularity=granularity,
        start=from_,
        end=to,
        account_id=account_id,
        platform=platform,
    )


@router.get(
    "/breakdown",
    response_model=BreakdownOut,
    responses=_ERRORS,
    description="Posts published in the period, grouped by content type, category, local "
    "weekday, local hour or hashtag, with the median and mean engagement rate per group. A post "
    f"with several categories or hashtags counts in each. {COMMON}",
)
def breakdown(
    user: CurrentUser,
    db: DB,
    by: Annotated[BreakdownBy, Query(description="What to group the posts by.")],
    from_: From = None,
    to: To = None,
    account_id: AccountId = None,
    platform: PlatformFilter = None,
    limit: Annotated[
        int, Query(ge=1, le=service.MAX_GROUPS, description="Most groups (hashtags).")
    ] = 50,
) -> Any:
    return service.breakdown(
        db,
        user,
        by=by,
        start=from_,
        end=to,
        account_id=account_id,
        platform=platform,
        limit=limit,
    )
