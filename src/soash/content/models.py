"""Posts, their daily metrics and content categories (scheduled posts: soash.publishing)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from soash.db import Base, IdMixin, JSONType, TimestampMixin, enum_type


class ContentType(StrEnum):
    image = "image"
    video = "video"
    carousel = "carousel"
    story = "story"
    reel = "reel"


class Post(IdMixin, TimestampMixin, Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("social_account_id", "platform_post_id"),
        Index("idx_posts_social_account_posted_at", "social_account_id", "posted_at"),
        Index("idx_posts_content_type", "content_type"),
    )

    social_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("social_accounts.id", ondelete="CASCADE")
    )
    platform_post_id: Mapped[str] = mapped_column(String(128))
    content_type: Mapped[ContentType | None] = mapped_column(enum_type(ContentType))
    caption: Mapped[str | None] = mapped_column(Text)
    media_urls: Mapped[list[str]] = mapped_column(JSONType, default=list)
    hashtags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    posted_at: Mapped[datetime | None]
    is_published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_scheduled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    scheduled_for: Mapped[datetime | None]
    # The platform's own kind (e.g. Instagram REELS/FEED/STORY): picks which metrics to ask for.
    platform_kind: Mapped[str | None] = mapped_column(String(32))
    # When this post's metrics were last fetched: recent posts are re-fetched more often.
    metrics_synced_at: Mapped[datetime | None]


class PostMetric(IdMixin, TimestampMixin, Base):
    """One snapshot of a post's figures per day. NULL means the platform did not report it."""

    __tablename__ = "post_metrics"
    __table_args__ = (
        UniqueConstraint("post_id", "metric_date"),
        Index("idx_post_metrics_post_date", "post_id", "metric_date"),
    )

    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    metric_date: Mapped[date] = mapped_column(Date)
    likes_count: Mapped[int | None] = mapped_column(BigInteger)
    comments_count: Mapped[int | None] = mapped_column(BigInteger)
    shares_count: Mapped[int | None] = mapped_column(BigInteger)
    saves_count: Mapped[int | None] = mapped_column(BigInteger)
    reach: Mapped[int | None] = mapped_column(BigInteger)
    impressions: Mapped[int | None] = mapped_column(BigInteger)
    # Up to 4 × 2^63 engagements over a reach of 1: 20 digits before the point, 6 after.
    engagement_rate: Mapped[Decimal | None] = mapped_column(Numeric(26, 6))


class ContentCategory(IdMixin, TimestampMixin, Base):
    __tablename__ = "content_categories"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    color_code: Mapped[str | None] = mapped_column(String(7))


post_categories = Table(
    "post_categories",
    Base.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "category_id",
        ForeignKey("content_categories.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class RuleKind(StrEnum):
    hashtag = "hashtag"
    keyword = "keyword"


class CategoryRule(IdMixin, TimestampMixin, Base):
    """Beyond the ERD: "posts with #recipe (or whose caption says 'recipe') are Recipes",
    applied to past posts when written and to new posts at each insight run."""

    __tablename__ = "category_rules"
    __table_args__ = (UniqueConstraint("user_id", "kind", "pattern", "category_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("content_categories.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[RuleKind] = mapped_column(enum_type(RuleKind))
    pattern: Mapped[str] = mapped_column(String(100))
