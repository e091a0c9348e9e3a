"""A user whose stored posts carry planted effects, for the insight job."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from soash.content.models import Post, PostMetric
from soash.db import session_scope
from soash.social.models import Platform, SocialAccount
from soash.users.models import User, UserProfile
from tests.insights.planted import planted_figures


def store_planted(
    *, effects: bool = True, seed: int = 7, user_id: uuid.UUID | None = None
) -> tuple[uuid.UUID, datetime]:
    """Store planted posts (each with its day-7 snapshot) for a new user, or for ``user_id``;
    returns (user id, a "now" after them)."""
    figures = planted_figures(seed=seed, effects=effects)
    email = f"cafe-{seed}@example.com"
    with session_scope() as db:
        if user_id is None:
            user = User(email=email, password_hash="x", is_verified=True)
            db.add(user)
            db.flush()
        else:
            user = db.get_one(User, user_id)
        profile = user.profile or UserProfile(user_id=user.id)
        profile.brand_name = "Kissa Koffee"
        profile.industry = "Coffee shop"
        profile.brand_description = "Kissa Koffee roasts beans in Shibuya for slow mornings."
        profile.target_audience = "Commuters and remote workers in Shibuya"
        profile.brand_values = ["slow mornings", "craft"]
        profile.business_goals = ["sell more subscriptions"]
        profile.timezone = "Asia/Tokyo"
        user.profile = profile
        db.flush()
        accounts: dict[uuid.UUID, uuid.UUID] = {}
        for f in figures:
            if f.account_id not in accounts:
                account = SocialAccount(
                    user_id=user.id,
                    platform=Platform.instagram,
                    platform_user_id=f"{email}-{f.account_id}",
                    unavailable_metrics=[],
                )
                db.add(account)
                db.flush()
                accounts[f.account_id] = account.id
            post = Post(
                social_account_id=accounts[f.account_id],
                platform_post_id=str(f.post_id),
                content_type=f.content_type,
                hashtags=list(f.hashtags),
                posted_at=f.posted_at,
                is_published=True,
            )
            db.add(post)
            db.flush()
            db.add(
                PostMetric(
                    post_id=post.id,
                    metric_date=(f.posted_at + timedelta(days=7)).date(),
                    engagement_rate=Decimal(str(round(f.rate, 6))),
                )
            )
        now = max(f.posted_at for f in figures) + timedelta(days=10)
        return user.id, now


@pytest.fixture
def planted() -> tuple[uuid.UUID, datetime]:
    return store_planted()
