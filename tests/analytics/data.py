"""Hand-built analytics data, written through the sync's write path (soash.content.ingest), so
stored engagement rates follow the one definition."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import update

from soash.content.ingest import (
    AccountMetricRow,
    MetricRow,
    PostRow,
    upsert_account_metrics,
    upsert_post_metrics,
    upsert_posts,
)
from soash.content.models import ContentType
from soash.db import session_scope
from soash.social.models import Platform, SocialAccount
from soash.users import plans
from soash.users.models import SubscriptionStatus, SubscriptionTier, User, UserProfile

_ids = itertools.count(1)


def utc(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def account(
    user_id: str | uuid.UUID, *, platform: Platform = Platform.instagram, username: str = "acct"
) -> uuid.UUID:
    with session_scope() as db:
        row = SocialAccount(
            user_id=uuid.UUID(str(user_id)),
            platform=platform,
            platform_user_id=f"test-{uuid.uuid4().hex}",
            username=username,
            unavailable_metrics=[],
        )
        db.add(row)
        db.flush()
        return row.id


def post(
    account_id: uuid.UUID,
    posted_at: datetime,
    *,
    content_type: ContentType | None = ContentType.image,
    hashtags: tuple[str, ...] = (),
    caption: str | None = None,
) -> uuid.UUID:
    platform_id = f"post-{next(_ids)}"
    with session_scope() as db:
        ids = upsert_posts(
            db,
            account_id,
            [
                PostRow(
                    platform_post_id=platform_id,
                    posted_at=posted_at,
                    content_type=content_type,
                    caption=caption or platform_id,
                    hashtags=hashtags,
                )
            ],
        )
    return ids[platform_id]


def metric(post_id: uuid.UUID, day: date, *, followers: int | None = None, **figures: Any) -> None:
    """A snapshot: likes, comments, shares, saves, reach, impressions (others NULL)."""
    with session_scope() as db:
        upsert_post_metrics(
            db,
            [MetricRow(post_id=post_id, metric_date=day, **figures)],
            followers={post_id: followers},
        )


def followers(account_id: uuid.UUID, day: date, count: int | None) -> None:
    with session_scope() as db:
        upsert_account_metrics(
            db,
            [AccountMetricRow(social_account_id=account_id, metric_date=day, follower_count=count)],
        )


def set_timezone(user_id: str | uuid.UUID, timezone: str) -> None:
    with session_scope() as db:
        db.execute(
            update(UserProfile)
            .where(UserProfile.user_id == uuid.UUID(str(user_id)))
            .values(timezone=timezone)
        )


def set_tier(
    user_id: str | uuid.UUID,
    tier: SubscriptionTier,
    status: SubscriptionStatus = SubscriptionStatus.active,
) -> None:
    with session_scope() as db:
        plans.change_plan(db.get_one(User, uuid.UUID(str(user_id))), tier=tier, status=status)
