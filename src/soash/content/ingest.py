"""The write path every source of posts and metrics uses (sync, CSV import, demo data).

Batched upserts keyed on the natural keys, one statement per batch, so running a sync or an
import twice, or two at once, leaves each post and each (post, day) row exactly once.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soash.content.engagement import engagement, engagement_rate
from soash.content.models import ContentType, Post, PostMetric
from soash.db import upsert, utcnow
from soash.social.models import PlatformMetric
from soash.social.platforms.parsing import hashtags as parse_hashtags

POST_UPDATE = (
    "content_type",
    "caption",
    "media_urls",
    "hashtags",
    "posted_at",
    "is_published",
    "platform_kind",
    "updated_at",
)
# What a CSV import sets on an existing post: the columns its file carries.
IMPORT_POST_UPDATE = ("content_type", "caption", "hashtags", "posted_at", "updated_at")
METRIC_COLUMNS = (
    "likes_count",
    "comments_count",
    "shares_count",
    "saves_count",
    "reach",
    "impressions",
)


def new_ids() -> Iterator[uuid.UUID]:
    """Random (version 4) UUIDs, drawing the randomness 4 KiB at a time: ``uuid.uuid4()``
    makes a system call per id, which costs more than the rest of a row's work."""
    while True:
        pool = os.urandom(4096)
        for i in range(0, 4096, 16):
            yield uuid.UUID(bytes=pool[i : i + 16], version=4)


@dataclass(frozen=True)
class PostRow:
    platform_post_id: str
    posted_at: datetime
    content_type: ContentType | None
    caption: str | None = None
    media_urls: tuple[str, ...] = ()
    hashtags: tuple[str, ...] | None = None  # None: parse them from the caption
    platform_kind: str | None = None


@dataclass(frozen=True)
class MetricRow:
    post_id: uuid.UUID
    metric_date: date
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    reach: int | None = None
    impressions: int | None = None


@dataclass(frozen=True)
class AccountMetricRow:
    social_account_id: uuid.UUID
    metric_date: date
    follower_count: int | None = None
    following_count: int | None = None
    total_posts: int | None = None
    total_reach: int | None = None
    total_impressions: int | None = None
    total_engagement: int | None = None


def upsert_posts(
    db: Session,
    account_id: uuid.UUID,
    posts: Sequence[PostRow],
    *,
    update: Sequence[str] = POST_UPDATE,
) -> dict[str, uuid.UUID]:
    """Insert or update ``posts`` of one account; returns their ids by platform_post_id.

    ``update``: the columns an existing post takes from ``posts`` (a CSV import, which carries
    no media URLs nor the platform's kind, leaves those as the sync stored them)."""
    if not posts:
        return {}
    now = utcnow()
    unique = {p.platform_post_id: p for p in posts}  # a page may repeat a post: last wins
    ids = new_ids()
    rows: list[dict[str, Any]] = [
        {
            "id": next(ids),
            "social_account_id": account_id,
            "platform_post_id": p.platform_post_id,
            "content_type": p.content_type,
            "caption": p.caption,
            "media_urls": list(p.media_urls),
            "hashtags": list(p.hashtags) if p.hashtags is not None else parse_hashtags(p.caption),
            "posted_at": p.posted_at,
            "is_published": True,
            "platform_kind": p.platform_kind,
            "created_at": now,
            "updated_at": now,
        }
        for p in unique.values()
    ]
    upsert(
        db,
        Post.__table__,
        rows,
        keys=("social_account_id", "platform_post_id"),
        update=update,
    )
    found = db.execute(
        select(Post.platform_post_id, Post.id).where(
            Post.social_account_id == account_id, Post.platform_post_id.in_(list(unique))
        )
    )
    return {platform_id: post_id for platform_id, post_id in found}


def upsert_post_metrics(
    db: Session, rows: Iterable[MetricRow], *, followers: dict[uuid.UUID, int | None] | None = None
) -> int:
    """One snapshot per (post, day); a later snapshot of the same day replaces the earlier one,
    except that a figure the platform did not report this time keeps the day's earlier value."""
    now = utcnow()
    followers = followers or {}
    ids = new_ids()
    values: dict[tuple[uuid.UUID, date], dict[str, Any]] = {}
    for r in rows:
        total = engagement(r.likes, r.comments, r.shares, r.saves)
        values[(r.post_id, r.metric_date)] = {
            "id": next(ids),
            "post_id": r.post_id,
            "metric_date": r.metric_date,
            "likes_count": r.likes,
            "comments_count": r.comments,
            "shares_count": r.shares,
            "saves_count": r.saves,
            "reach": r.reach,
            "impressions": r.impressions,
            "engagement_rate": engagement_rate(
                total, reach=r.reach, followers=followers.get(r.post_id)
            ),
            "created_at": now,
            "updated_at": now,
        }
    upsert(
        db,
        PostMetric.__table__,
        list(values.values()),
        keys=("post_id", "metric_date"),
        update=(*METRIC_COLUMNS, "engagement_rate", "updated_at"),
        keep_existing_when_null=(*METRIC_COLUMNS, "engagement_rate"),
    )
    return len(values)


def upsert_account_metrics(db: Session, rows: Iterable[AccountMetricRow]) -> int:
    now = utcnow()
    ids = new_ids()
    values: dict[tuple[uuid.UUID, date], dict[str, Any]] = {}
    for r in rows:
        reach = r.total_reach
        rate = engagement_rate(r.total_engagement, reach=reach, followers=r.follower_count)
        values[(r.social_account_id, r.metric_date)] = {
            "id": next(ids),
            "social_account_id": r.social_account_id,
            "metric_date": r.metric_date,
            "follower_count": r.follower_count,
            "following_count": r.following_count,
            "total_posts": r.total_posts,
            "total_reach": r.total_reach,
            "total_impressions": r.total_impressions,
            "total_engagement": r.total_engagement,
            "engagement_rate": rate,
            "created_at": now,
            "updated_at": now,
        }
    columns = (
        "follower_count",
        "following_count",
        "total_posts",
        "total_reach",
        "total_impressions",
        "total_engagement",
        "engagement_rate",
    )
    upsert(
        db,
        PlatformMetric.__table__,
        list(values.values()),
        keys=("social_account_id", "metric_date"),
        update=(*columns, "updated_at"),
        keep_existing_when_null=columns,
    )
    return len(values)
