"""Plan limits per subscription tier: the only place they are written down."""

from __future__ import annotations

from dataclasses import dataclass

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


def limits_for(user: User) -> PlanLimits:
    """A paid tier whose subscription is not active falls back to the free limits."""
    if user.subscription_status is not SubscriptionStatus.active:
        return PLANS[SubscriptionTier.free]
    return PLANS[user.subscription_tier]
