"""Connected social accounts and their daily account-level metrics."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    true,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from soash.db import Base, IdMixin, JSONType, TimestampMixin, enum_type, utcnow


class Platform(StrEnum):
    instagram = "instagram"
    facebook = "facebook"
    tiktok = "tiktok"
    twitter = "twitter"
    linkedin = "linkedin"


class SocialAccount(IdMixin, TimestampMixin, Base):
    __tablename__ = "social_accounts"
    __table_args__ = (
        UniqueConstraint("platform", "platform_user_id"),
        Index("idx_social_accounts_platform", "platform"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[Platform] = mapped_column(enum_type(Platform))
    platform_user_id: Mapped[str] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(255))
    avatar_url: Mapped[str | None] = mapped_column(String(2048))
    follower_count: Mapped[int | None] = mapped_column(BigInteger)
    following_count: Mapped[int | None] = mapped_column(BigInteger)
    # AES-GCM ciphertexts (see soash.security.KeyRing), never the tokens themselves.
    access_token: Mapped[str | None] = mapped_column(Text)
    refresh_token: Mapped[str | None] = mapped_column(Text)
    token_expires_at: Mapped[datetime | None]
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    last_synced_at: Mapped[datetime | None]
    # Why the last sync failed (shown to the user), and metrics the platform refused or retired.
    sync_error: Mapped[str | None] = mapped_column(Text)
    unavailable_metrics: Mapped[list[str]] = mapped_column(
        JSONType, default=list, server_default="[]"
    )

    @hybrid_property
    def connected(self) -> bool:
        """Soash holds a grant for the account (false after a disconnect)."""
        return self.access_token is not None

    @connected.inplace.expression
    @classmethod
    def _connected(cls) -> ColumnElement[bool]:
        return cls.access_token.is_not(None)

    @hybrid_property
    def syncable(self) -> bool:
        """Connected and not paused: the daily sync runs."""
        return self.is_active and self.access_token is not None

    @syncable.inplace.expression
    @classmethod
    def _syncable(cls) -> ColumnElement[bool]:
        return and_(cls.is_active, cls.access_token.is_not(None))


class OAuthState(IdMixin, Base):
    """A pending connect: the state sent to the platform, bound to the sign-in that started it."""

    __tablename__ = "oauth_states"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_sessions.id", ondelete="CASCADE")
    )
    platform: Mapped[Platform] = mapped_column(enum_type(Platform))
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The PKCE verifier, encrypted (KeyRing) with this row's id as associated data.
    code_verifier: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # A login that administers several accounts: what it offered (profiles and tokens, as
    # encrypted JSON, this row's id bound) until the user picks one or the state expires.
    choices: Mapped[str | None] = mapped_column(Text)


class PlatformMetric(IdMixin, TimestampMixin, Base):
    __tablename__ = "platform_metrics"
    __table_args__ = (
        UniqueConstraint("social_account_id", "metric_date"),
        Index("idx_platform_metrics_account_date", "social_account_id", "metric_date"),
    )

    social_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("social_accounts.id", ondelete="CASCADE")
    )
    metric_date: Mapped[date] = mapped_column(Date)
    follower_count: Mapped[int | None] = mapped_column(BigInteger)
    following_count: Mapped[int | None] = mapped_column(BigInteger)
    total_posts: Mapped[int | None] = mapped_column(BigInteger)
    total_reach: Mapped[int | None] = mapped_column(BigInteger)
    total_impressions: Mapped[int | None] = mapped_column(BigInteger)
    total_engagement: Mapped[int | None] = mapped_column(BigInteger)
    # Up to 4 × 2^63 engagements over a reach of 1: 20 digits before the point, 6 after.
    engagement_rate: Mapped[Decimal | None] = mapped_column(Numeric(26, 6))
