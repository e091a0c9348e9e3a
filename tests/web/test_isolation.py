"""The pages show and change only the signed-in user's data: user B asking for user A's post,
account, insight, category, recommendation or referral code gets a 404 and changes nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from soash.content.models import ContentCategory, post_categories
from soash.db import session_scope
from soash.insights import service as insights
from soash.insights.models import (
    AiInsight,
    ContentRecommendation,
    InsightType,
    Priority,
    RecommendationType,
)
from soash.referrals import service as referrals
from soash.referrals.models import ReferralCode
from soash.social.models import SocialAccount
from soash.social.platforms.base import TokenSet
from soash.social.tokens import store_tokens
from soash.users.models import User
from tests.analytics import data
from tests.factories import make_user
from tests.web.test_csrf import signed_in


@dataclass
class Alice:
    account: uuid.UUID
    post: uuid.UUID
    category: uuid.UUID
    insight: uuid.UUID
    recommendation: uuid.UUID
    code: uuid.UUID


@pytest.fixture
def alice() -> Alice:
    user_id = make_user("alice@example.com")
    account = data.account(user_id, username="alice")
    post = data.post(account, datetime.now(UTC) - timedelta(days=3))
    data.metric(post, date.today(), likes=10, reach=100)
    with session_scope() as db:
        row = db.get_one(SocialAccount, account)
        store_tokens(row, TokenSet(access_token="alice-token"))
        user = db.get_one(User, user_id)
        category = ContentCategory(user_id=user_id, name="Alice's")
        db.add(category)
        insight = insights.upsert_insight(
            db,
            user_id=user_id,
            key="k",
            insight_type=InsightType.trend,
            title="Alice's insight",
            description="private",
            priority=Priority.high,
        )
        rec = ContentRecommendation(
            user_id=user_id, recommendation_type=RecommendationType.hashtag, title="Use #alice"
        )
        db.add(rec)
        code = referrals.create_code(db, user)
        db.flush()
        return Alice(account, post, category.id, insight.id, rec.id, code.id)


def test_another_users_pages_are_not_found(client: TestClient, alice: Alice) -> None:
    make_user("bob@example.com")
    signed_in(client, "bob@example.com")
    for path in (
        f"/posts/{alice.post}",
        f"/accounts/{alice.account}",
        f"/accounts/{alice.account}/status",
        f"/insights/{alice.insight}",
        f"/dashboard?account={alice.account}",
        f"/posts?account={alice.account}",
        f"/posts?category={alice.category}",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Alice" not in response.text and "alice" not in response.text.lower(), path


def test_another_users_things_cannot_be_changed(client: TestClient, alice: Alice) -> None:
    make_user("bob@example.com")
    token = signed_in(client, "bob@example.com")
    for path, form in (
        (f"/insights/{alice.insight}/read", {"is_read": "yes"}),
        (f"/recommendations/{alice.recommendation}", {"feedback_score": "1", "is_used": "yes"}),
        (f"/categories/{alice.category}", {"name": "Mine now", "color_code": "#000000"}),
        (f"/categories/{alice.category}/delete", {}),
        (f"/posts/{alice.post}/categories", {"category_ids": str(alice.category)}),
        (f"/accounts/{alice.account}/sync", {}),
        (f"/accounts/{alice.account}/pause", {}),
        (f"/accounts/{alice.account}/resume", {}),
        (f"/accounts/{alice.account}/reconnect", {}),
        (f"/accounts/{alice.account}/disconnect", {"delete_data": "yes"}),
        (f"/referrals/codes/{alice.code}/deactivate", {}),
    ):
        response = client.post(path, data={"csrf_token": token, **form}, follow_redirects=False)
        assert response.status_code == 404, path
    with session_scope() as db:
        assert db.get_one(AiInsight, alice.insight).is_read is False
        rec = db.get_one(ContentRecommendation, alice.recommendation)
        assert (rec.feedback_score, rec.is_used) == (None, False)
        assert db.get_one(ContentCategory, alice.category).name == "Alice's"
        assert db.scalars(select(post_categories.c.post_id)).all() == []
        account = db.get_one(SocialAccount, alice.account)
        assert account.is_active and account.access_token is not None
        assert db.get_one(ReferralCode, alice.code).is_active
