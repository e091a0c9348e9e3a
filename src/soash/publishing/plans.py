"""How many posts each plan may schedule a month (the month of the post's time, UTC).

Follows :mod:`soash.users.plans`: a paid tier whose subscription is not active gets the free
limit. ``None`` means unlimited.
"""

from __future__ import annotations

from soash.users.models import SubscriptionStatus, SubscriptionTier, User

POSTS_PER_MONTH: dict[SubscriptionTier, int | None] = {
    SubscriptionTier.free: 30,
    SubscriptionTier.pro: 500,
    SubscriptionTier.enterprise: None,
}


def posts_per_month(user: User) -> int | None:
    if user.subscription_status is not SubscriptionStatus.active:
        return POSTS_PER_MONTH[SubscriptionTier.free]
    return POSTS_PER_MONTH[user.subscription_tier]
