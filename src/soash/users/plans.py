"""Plan limits per subscription tier and tier/status changes: the only place they are written.

Every change of a user's tier or status goes through :func:`change_plan`, so "started paying" and
"stopped paying" mean the same thing for every billing provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from soash.users.models import SubscriptionStatus, SubscriptionTier, User


@dataclass(frozen=True)
class PlanLimits:
    social_accounts: int
    history_days: int | None  # how far back analytics look; None = everything
    insight_runs_per_day: int


PLANS: dict[SubscriptionTier, PlanLimits] = {
    SubscriptionTier.free: PlanLimits(social_accounts=3, history_days=90, insight_runs_per_day=1),
    SubscriptionTier.pro: PlanLimits(social_accounts=10, history_days=730, insight_runs_per_day=12),
    SubscriptionTier.enterprise: PlanLimits(
        social_accounts=50, history_days=None, insight_runs_per_day=48
    ),
}
PAID_TIERS = frozenset({SubscriptionTier.pro, SubscriptionTier.enterprise})


def limits_for(user: User) -> PlanLimits:
    """A paid tier whose subscription is not active falls back to the free limits."""
    if user.subscription_status is not SubscriptionStatus.active:
        return PLANS[SubscriptionTier.free]
    return PLANS[user.subscription_tier]


def is_paying(user: User) -> bool:
    """On a paid tier with an active subscription."""
    return (
        user.subscription_tier in PAID_TIERS
        and user.subscription_status is SubscriptionStatus.active
    )


@dataclass(frozen=True)
class PlanChange:
    was_paying: bool
    now_paying: bool

    @property
    def started_paying(self) -> bool:
        return self.now_paying and not self.was_paying

    @property
    def stopped_paying(self) -> bool:
        return self.was_paying and not self.now_paying


def change_plan(user: User, *, tier: SubscriptionTier, status: SubscriptionStatus) -> PlanChange:
    """Set the user's tier and status; says whether they started or stopped paying."""
    was = is_paying(user)
    user.subscription_tier = tier
    user.subscription_status = status
    return PlanChange(was_paying=was, now_paying=is_paying(user))


def history_start(user: User, *, today: date) -> date | None:
    """The earliest day the user's analytics may show; ``None`` means no limit."""
    days = limits_for(user).history_days
    return None if days is None else today - timedelta(days=days)
