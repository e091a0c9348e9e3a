"""Referral codes and the sign-ups they brought."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Numeric, String, true
from sqlalchemy.orm import Mapped, mapped_column

from soash.db import Base, IdMixin, TimestampMixin, enum_type, utcnow


class ConversionStatus(StrEnum):
    pending = "pending"
    converted = "converted"
    paid = "paid"


class ReferralCode(IdMixin, TimestampMixin, Base):
    __tablename__ = "referral_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ReferralSignup(IdMixin, TimestampMixin, Base):
    __tablename__ = "referral_signups"
    __table_args__ = (Index("idx_referral_signups_code", "referral_code_id"),)

    referral_code_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referral_codes.id", ondelete="CASCADE")
    )
    # One attribution per referee, ever.
    referee_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    signup_date: Mapped[datetime] = mapped_column(default=utcnow)
    conversion_status: Mapped[ConversionStatus] = mapped_column(
        enum_type(ConversionStatus), default=ConversionStatus.pending
    )
    commission_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
