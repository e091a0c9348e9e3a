"""Scheduled posts: what the user queued, and how its publishing went.

Lifecycle: ``draft → scheduled → publishing → published | failed``, and ``cancelled`` from
draft, scheduled or failed. ``container_id`` is the platform's handle on the upload (an
Instagram container, a TikTok publish id, an X media id…), written before the final publish
call so that a retry can ask the platform whether that call already went through.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from soash.db import Base, IdMixin, JSONType, TimestampMixin, enum_type


class ScheduledContentType(StrEnum):
    image = "image"
    video = "video"
    carousel = "carousel"
    story = "story"
    reel = "reel"
    text = "text"


class ScheduledStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    publishing = "publishing"
    published = "published"
    failed = "failed"
    cancelled = "cancelled"


class ScheduledPost(IdMixin, TimestampMixin, Base):
    """A post queued for publishing on one social account."""

    __tablename__ = "scheduled_posts"
    __table_args__ = (Index("idx_scheduled_posts_status_due", "status", "scheduled_for"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    social_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("social_accounts.id", ondelete="CASCADE"), index=True
    )
    content_type: Mapped[ScheduledContentType] = mapped_column(enum_type(ScheduledContentType))
    caption: Mapped[str | None] = mapped_column(Text)
    media_urls: Mapped[list[str]] = mapped_column(JSONType, default=list)
    hashtags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    scheduled_for: Mapped[datetime]
    status: Mapped[ScheduledStatus] = mapped_column(
        enum_type(ScheduledStatus), default=ScheduledStatus.scheduled
    )
    # The IANA zone the time was entered in (the profile's, then), to show it back as typed.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    # A fresh key per publish attempt, sent where the platform takes one.
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    container_id: Mapped[str | None] = mapped_column(String(256))
    platform_post_id: Mapped[str | None] = mapped_column(String(128))
    permalink: Mapped[str | None] = mapped_column(String(2048))
    published_at: Mapped[datetime | None]
    # The synced post this became (the sync links it when it finds the post).
    post_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), index=True
    )
    # The durable job that will publish it, while one is queued.
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("system_jobs.id", ondelete="SET NULL")
    )
