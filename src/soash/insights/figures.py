"""Posts' figures at the same age: the engagement rate of each post a fixed number of days
after it was posted, from the daily snapshots, so old and new posts compare fairly."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, cast, func, select
from sqlalchemy.orm import Session

from soash.content.models import ContentType, Post, PostMetric
from soash.ownership import owned_by
from soash.social.models import Platform, SocialAccount
from soash.users.models import User

AGE_DAYS = 7
# A post whose snapshot on day 7 is missing may use the one from day 5 or 6.
TOLERANCE_DAYS = 2


@dataclass(frozen=True)
class PostFigure:
    post_id: uuid.UUID
    account_id: uuid.UUID
    platform: Platform
    content_type: ContentType | None
    hashtags: tuple[str, ...]
    posted_at: datetime
    rate: float  # engagement rate AGE_DAYS after posting


def _days_after(column: Any, days: int, dialect: str) -> Any:
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column), Date) + days
    return func.date(column, f"+{days} days")


def figures_at_age(
    db: Session, user: User, *, now: datetime, age_days: int = AGE_DAYS
) -> list[PostFigure]:
    dialect = db.get_bind().dialect.name
    accounts = select(SocialAccount.id).where(owned_by(SocialAccount.user_id, user))
    platforms = dict(
        db.execute(
            select(SocialAccount.id, SocialAccount.platform).where(
                owned_by(SocialAccount.user_id, user)
            )
        ).all()
    )
    low = _days_after(Post.posted_at, age_days - TOLERANCE_DAYS, dialect)
    high = _days_after(Post.posted_at, age_days, dialect)
    rows = db.execute(
        select(
            Post.id,
            Post.social_account_id,
            Post.content_type,
            Post.hashtags,
            Post.posted_at,
            PostMetric.metric_date,
            PostMetric.engagement_rate,
        )
        .join(PostMetric, PostMetric.post_id == Post.id)
        .where(
            Post.social_account_id.in_(accounts),
            Post.posted_at <= now - timedelta(days=age_days),
            PostMetric.engagement_rate.is_not(None),
            and_(PostMetric.metric_date >= low, PostMetric.metric_date <= high),
        )
    ).all()
    latest: dict[uuid.UUID, Any] = {}
    for row in rows:
        kept = latest.get(row.id)
        if kept is None or row.metric_date > kept.metric_date:
            latest[row.id] = row
    return [
        PostFigure(
            post_id=r.id,
            account_id=r.social_account_id,
            platform=platforms[r.social_account_id],
            content_type=r.content_type,
            hashtags=tuple(r.hashtags or ()),
            posted_at=r.posted_at,
            rate=float(r.engagement_rate),
        )
        for r in latest.values()
    ]
