"""Referral attribution at sign-up."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from soash.referrals.models import ReferralCode, ReferralSignup
from soash.users.models import User

log = logging.getLogger(__name__)

_DOTLESS_DOMAINS = {"gmail.com", "googlemail.com"}


def canonical_email(email: str) -> str:
    """The mailbox an address reaches: no ``+tag``, no dots where the provider ignores them."""
    local, _, domain = email.strip().lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in _DOTLESS_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def attribute_signup(db: Session, *, referee: User, code: str) -> ReferralSignup | None:
    """Record who referred ``referee``. Unknown, inactive and self-referral codes are ignored
    silently, so sign-up never reveals which codes exist."""
    referral = db.scalar(
        select(ReferralCode).where(
            ReferralCode.code == code.strip().upper(), ReferralCode.is_active
        )
    )
    if referral is None:
        return None
    referrer = db.get_one(User, referral.user_id)
    if referrer.id == referee.id or canonical_email(referrer.email) == canonical_email(
        referee.email
    ):
        log.info("ignored a self-referral at sign-up")
        return None
    existing = db.scalar(select(ReferralSignup).where(ReferralSignup.referee_user_id == referee.id))
    if existing is not None:
        return existing
    signup = ReferralSignup(referral_code_id=referral.id, referee_user_id=referee.id)
    db.add(signup)
    db.flush()
    return signup
