"""Users, their brand profile, sign-in sessions, password resets and (v2) team members."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soash.db import Base, IdMixin, JSONType, TimestampMixin, enum_type, utcnow


class SubscriptionTier(StrEnum):
    free = "free"
    pro = "pro"
    enterprise = "enterprise"


class SubscriptionStatus(StrEnum):
    active = "active"
    cancelled = "cancelled"
    expired = "expired"


class TeamRole(StrEnum):
    admin = "admin"
    editor = "editor"
    viewer = "viewer"


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (Index("idx_users_subscription_tier", "subscription_tier"),)

    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # HMAC hash of the outstanding email-verification token, never the token itself.
    verification_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    verification_expires_at: Mapped[datetime | None]
    subscription_tier: Mapped[SubscriptionTier] = mapped_column(
        enum_type(SubscriptionTier), default=SubscriptionTier.free, server_default="free"
    )
    subscription_status: Mapped[SubscriptionStatus] = mapped_column(
        enum_type(SubscriptionStatus),
        default=SubscriptionStatus.active,
        server_default="active",
    )
    last_login_at: Mapped[datetime | None]
    # The billing provider's ids for this user (Stripe: cus_..., sub_...); NULL with manual billing.
    billing_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    billing_subscription_id: Mapped[str | None] = mapped_column(String(255))
    # When the provider says the current tier/status took effect: an older event never wins.
    plan_changed_at: Mapped[datetime | None]

    profile: Mapped[UserProfile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True, uselist=False
    )


class UserProfile(IdMixin, TimestampMixin, Base):
    __tablename__ = "user_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    brand_name: Mapped[str | None] = mapped_column(String(200))
    brand_description: Mapped[str | None] = mapped_column(Text)
    industry: Mapped[str | None] = mapped_column(String(100))
    target_audience: Mapped[str | None] = mapped_column(Text)
    brand_values: Mapped[list[str]] = mapped_column(JSONType, default=list)
    business_goals: Mapped[list[str]] = mapped_column(JSONType, default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    avatar_url: Mapped[str | None] = mapped_column(String(2048))
    onboarding_completed: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )

    user: Mapped[User] = relationship(back_populates="profile")


class UserSession(IdMixin, Base):
    """A sign-in. Only the HMAC hash of the bearer token is stored."""

    __tablename__ = "user_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    user_agent: Mapped[str | None] = mapped_column(String(300))


class PasswordReset(IdMixin, Base):
    """A single-use password-reset token, stored as its HMAC hash."""

    __tablename__ = "password_resets"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class TeamMember(IdMixin, TimestampMixin, Base):
    """v2: another user who may work on this user's data, with a role."""

    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("user_id", "member_user_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    member_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[TeamRole] = mapped_column(enum_type(TeamRole), default=TeamRole.viewer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
