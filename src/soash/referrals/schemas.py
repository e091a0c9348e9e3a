"""Referral codes and referred sign-ups as the API shows them. Money is a decimal string."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import StrictBool

from soash.referrals.models import ConversionStatus
from soash.schemas import InModel, OutModel


class ReferralCodeOut(OutModel):
    id: uuid.UUID
    code: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class ReferralCodePatch(InModel):
    is_active: StrictBool


class ReferralSignupOut(OutModel):
    id: uuid.UUID
    code: str
    referee: str  # masked: j***@e***.com
    signup_date: datetime
    status: ConversionStatus
    commission_amount: Decimal | None
    currency: str | None
    converted_at: datetime | None
    paid_at: datetime | None
    reversed_at: datetime | None


class StatusTotalOut(OutModel):
    count: int
    commission: dict[str, Decimal]  # by currency


class ReferralsOut(OutModel):
    signups: list[ReferralSignupOut]
    totals: dict[ConversionStatus, StatusTotalOut]
    commission_rate: Decimal
    refund_window_days: int
