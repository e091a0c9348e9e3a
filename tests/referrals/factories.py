"""Rows for referral and billing tests, written straight to the database (no argon2, no API)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from soash.db import session_scope
from soash.referrals.models import ConversionStatus, ReferralCode, ReferralSignup
from soash.referrals.service import referee_email_hash
from soash.users.models import User
from tests.factories import make_user


def make_code(user_id: uuid.UUID, code: str | None = None, *, active: bool = True) -> str:
    code = code or f"T{uuid.uuid4().hex[:8].upper()}-REF"
    with session_scope() as db:
        db.add(ReferralCode(user_id=user_id, code=code, is_active=active))
    return code


@dataclass(frozen=True)
class Referral:
    referrer_id: uuid.UUID
    referee_id: uuid.UUID
    signup_id: uuid.UUID
    code: str


def make_referral(
    referrer_email: str | None = None,
    referee_email: str | None = None,
    *,
    status: ConversionStatus = ConversionStatus.pending,
    commission: Decimal | None = None,
    currency: str | None = None,
    converted_at: datetime | None = None,
    referrer_id: uuid.UUID | None = None,
) -> Referral:
    referrer = referrer_id or make_user(referrer_email)
    referee_address = referee_email or f"{uuid.uuid4().hex[:12]}@example.com"
    referee = make_user(referee_address)
    code = make_code(referrer)
    with session_scope() as db:
        code_id = db.scalars(select(ReferralCode.id).where(ReferralCode.code == code)).one()
        signup = ReferralSignup(
            referral_code_id=code_id,
            referee_user_id=referee,
            referee_email_hash=referee_email_hash(referee_address),
            conversion_status=status,
            commission_amount=commission,
            currency=currency,
            converted_at=converted_at,
        )
        db.add(signup)
        db.flush()
        return Referral(referrer, referee, signup.id, code)


def signup_row(signup_id: uuid.UUID) -> ReferralSignup:
    with session_scope() as db:
        return db.get_one(ReferralSignup, signup_id)


def user_row(user_id: uuid.UUID) -> User:
    with session_scope() as db:
        return db.get_one(User, user_id)
