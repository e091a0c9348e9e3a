"""Referral codes and the sign-ups they brought.

A sign-up moves ``pending`` → ``converted`` (the referee's first payment; the commission is set)
→ ``paid`` (a payout run paid it). A refund or cancellation within the refund window moves a
``converted`` sign-up to ``reversed`` instead; ``reversed`` and ``paid`` are final.
"""

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
    reversed = "reversed"


class ReferralCode(IdMixin, TimestampMixin, Base):
    __tablename__ = "referral_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ReferralSignup(IdMixin, TimestampMixin, Base):
    """Belongs to the referrer (through the code). The referee's account may be deleted later;
    the referrer's record of it stays, without the link."""

    __tablename__ = "referral_signups"
    __table_args__ = (
        Index("idx_referral_signups_code", "referral_code_id"),
        Index("idx_referral_signups_status_converted", "conversion_status", "converted_at"),
    )

    referral_code_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referral_codes.id", ondelete="CASCADE")
    )
    # One attribution per referee, ever.
    referee_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    # HMAC of the referee's canonical email: "ever" survives the referee deleting their account
    # and signing up again (with the same address or an alias of it).
    referee_email_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    signup_date: Mapped[datetime] = mapped_column(default=utcnow)
    conversion_status: Mapped[ConversionStatus] = mapped_column(
        enum_type(ConversionStatus), default=ConversionStatus.pending
    )
    commission_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # The first payment the commission was computed from.
    payment_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    payment_reference: Mapped[str | None] = mapped_column(String(255))
    converted_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    reversed_at: Mapped[datetime | None]
    reversal_reason: Mapped[str | None] = mapped_column(String(40))
