"""Provider-neutral billing: plan changes, payments and refunds, and what they do to referrals.

Every provider (manual, Stripe) ends up here, so "first payment converts the referral" and
"a refund or cancellation inside the window reverses it" hold the same way for each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from soash.config import get_settings
from soash.referrals import service as referrals
from soash.referrals.models import ReferralSignup
from soash.users import plans
from soash.users.models import SubscriptionStatus, SubscriptionTier, User


def apply_plan(
    db: Session,
    user: User,
    *,
    tier: SubscriptionTier,
    status: SubscriptionStatus,
    at: datetime,
) -> plans.PlanChange | None:
    """Set the plan as of ``at``. A change older than the one already applied is ignored
    (returns ``None``), so a late webhook never overwrites newer state."""
    if user.plan_changed_at is not None and at < user.plan_changed_at:
        return None
    change = plans.change_plan(user, tier=tier, status=status)
    user.plan_changed_at = at
    if change.stopped_paying:
        referrals.reverse(db, referee=user, at=at, reason="cancellation")
    db.flush()
    return change


def record_payment(
    db: Session,
    user: User,
    *,
    amount: Decimal,
    currency: str,
    at: datetime,
    reference: str | None = None,
) -> ReferralSignup | None:
    """A payment by ``user``; the first one converts their referral sign-up, if any."""
    signup = referrals.convert(
        db, referee=user, amount=amount, currency=currency, at=at, reference=reference
    )
    changed_at = user.plan_changed_at
    if (
        signup is not None
        and not plans.is_paying(user)
        and changed_at is not None
        and changed_at >= at
    ):
        # The cancellation was applied before this (earlier) payment arrived.
        referrals.reverse(db, referee=user, at=changed_at, reason="cancellation")
    return signup


def record_refund(db: Session, user: User, *, at: datetime, full: bool) -> ReferralSignup | None:
    """A refund to ``user``. A full refund inside the window reverses their referral's
    commission; a partial refund leaves it."""
    if not full:
        return None
    return referrals.reverse(db, referee=user, at=at, reason="refund", before_payment=True)


@dataclass(frozen=True)
class PlanView:
    tier: SubscriptionTier
    status: SubscriptionStatus
    provider: str
    limits: plans.PlanLimits
    paying: bool


def plan_of(user: User) -> PlanView:
    return PlanView(
        tier=user.subscription_tier,
        status=user.subscription_status,
        provider=get_settings().billing.provider,
        limits=plans.limits_for(user),
        paying=plans.is_paying(user),
    )
