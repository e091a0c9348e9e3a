"""The database itself refuses values outside the ERD's ranges and duplicate sync keys."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from soash.content.models import Post, PostMetric
from soash.db import session_scope
from soash.insights.models import (
    ContentRecommendation,
    PatternType,
    PerformancePattern,
    RecommendationType,
)
from soash.social.models import Platform, SocialAccount
from soash.users.models import User


def _user() -> uuid.UUID:
    with session_scope() as db:
        user = User(email=f"{uuid.uuid4().hex}@example.com", password_hash="x")
        db.add(user)
        db.flush()
        return user.id


@pytest.mark.parametrize("score", [0, 6])
def test_feedback_score_must_be_1_to_5(score: int) -> None:
    user_id = _user()
    with pytest.raises(IntegrityError), session_scope() as db:
        db.add(
            ContentRecommendation(
                user_id=user_id,
                recommendation_type=RecommendationType.hashtag,
                title="t",
                feedback_score=score,
            )
        )


@pytest.mark.parametrize("rate", ["-0.01", "1.01"])
def test_success_rate_must_be_0_to_1(rate: str) -> None:
    user_id = _user()
    with pytest.raises(IntegrityError), session_scope() as db:
        db.add(
            PerformancePattern(
                user_id=user_id,
                pattern_type=PatternType.hashtag,
                pattern_name="#x",
                success_rate=Decimal(rate),
            )
        )


def test_a_post_and_a_post_day_exist_once() -> None:
    user_id = _user()
    with session_scope() as db:
        account = SocialAccount(user_id=user_id, platform=Platform.instagram, platform_user_id="1")
        db.add(account)
        db.flush()
        post = Post(social_account_id=account.id, platform_post_id="p1")
        db.add(post)
        db.flush()
        db.add(PostMetric(post_id=post.id, metric_date=date(2026, 1, 1)))
        account_id, post_id = account.id, post.id
    with pytest.raises(IntegrityError), session_scope() as db:
        db.add(Post(social_account_id=account_id, platform_post_id="p1"))
    with pytest.raises(IntegrityError), session_scope() as db:
        db.add(PostMetric(post_id=post_id, metric_date=date(2026, 1, 1)))


def test_a_platform_account_belongs_to_one_soash_account() -> None:
    first, second = _user(), _user()
    with session_scope() as db:
        db.add(SocialAccount(user_id=first, platform=Platform.tiktok, platform_user_id="42"))
    with pytest.raises(IntegrityError), session_scope() as db:
        db.add(SocialAccount(user_id=second, platform=Platform.tiktok, platform_user_id="42"))
