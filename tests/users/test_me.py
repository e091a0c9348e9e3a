"""GET/PATCH/DELETE /api/v1/me and GET /api/v1/me/export."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from soash.content.models import ScheduledContentType
from soash.db import Base, session_scope, utcnow
from soash.insights.models import InsightType, PatternType, RecommendationType
from soash.models import (
    AiInsight,
    ContentCategory,
    ContentRecommendation,
    CustomReport,
    OAuthState,
    PasswordReset,
    PerformancePattern,
    PlatformMetric,
    Post,
    PostMetric,
    ReferralCode,
    ReferralSignup,
    ScheduledPost,
    SocialAccount,
    SystemJob,
    TeamMember,
    User,
    UserProfile,
    UserSession,
    post_categories,
)
from soash.social.models import Platform
from soash.system.models import JobType
from tests.helpers import PASSWORD, Api, last_token, outbox_messages
from tests.helpers import User as ApiUser
from tests.users.conftest import assert_problem, auth, count_rows

ME = "/api/v1/me"
NEW_PASSWORD = "another-long-phrase-42"

# Every table whose rows belong to a user (directly or through a parent row).
USER_OWNED = {
    "user_profiles",
    "user_sessions",
    "password_resets",
    "team_members",
    "oauth_states",
    "social_accounts",
    "platform_metrics",
    "posts",
    "post_metrics",
    "content_categories",
    "post_categories",
    "scheduled_posts",
    "custom_reports",
    "ai_insights",
    "content_recommendations",
    "performance_patterns",
    "referral_codes",
    "referral_signups",
}


# --- GET / PATCH -----------------------------------------------------------------------------


def test_get_me_returns_the_signed_in_account(api: Api) -> None:
    me = api.user("me@example.com", first_name="Ada")

    response = api.client.get(ME, headers=me.headers)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == me.id
    assert body["email"] == "me@example.com"
    assert body["first_name"] == "Ada"
    assert body["is_verified"] is True
    assert "password_hash" not in body
    assert "verification_token" not in body


def test_patch_me_changes_names(api: Api, user: ApiUser) -> None:
    response = api.client.patch(
        ME, json={"first_name": "Grace", "last_name": "Hopper"}, headers=user.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["first_name"] == "Grace"
    again = api.client.get(ME, headers=user.headers).json()
    assert (again["first_name"], again["last_name"]) == ("Grace", "Hopper")


def test_patch_me_leaves_unsent_fields_alone(api: Api) -> None:
    me = api.user(first_name="Ada", last_name="Lovelace")

    response = api.client.patch(ME, json={"last_name": "Byron"}, headers=me.headers)

    assert response.json()["first_name"] == "Ada"
    assert response.json()["last_name"] == "Byron"


def test_patch_email_needs_the_current_password(api: Api, user: ApiUser) -> None:
    response = api.client.patch(ME, json={"email": "new@example.com"}, headers=user.headers)

    body = assert_problem(response, 403)
    assert "current_password" in body["detail"]
    assert api.client.get(ME, headers=user.headers).json()["email"] == user.email


def test_patch_email_refuses_a_wrong_current_password(api: Api, user: ApiUser) -> None:
    response = api.client.patch(
        ME,
        json={"email": "new@example.com", "current_password": "wrong-password-123"},
        headers=user.headers,
    )

    assert_problem(response, 403)
    assert count_rows("users", email="new@example.com") == 0


def test_patch_email_moves_to_unverified_and_sends_a_link(api: Api, user: ApiUser) -> None:
    response = api.client.patch(
        ME, json={"email": "Moved@Example.com", "current_password": PASSWORD}, headers=user.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["email"] == "moved@example.com"
    assert response.json()["is_verified"] is False
    token = last_token("moved@example.com", "verify")
    verified = api.client.post("/api/v1/auth/verify", json={"token": token})
    assert verified.json()["is_verified"] is True
    assert api.login("moved@example.com").status_code == 200
    assert_problem(api.login(user.email), 401)


def test_patch_email_to_the_same_address_changes_nothing(api: Api, user: ApiUser) -> None:
    sent = len(outbox_messages(user.email))

    response = api.client.patch(
        ME, json={"email": user.email.upper(), "current_password": PASSWORD}, headers=user.headers
    )

    assert response.status_code == 200, response.text
    assert (response.json()["email"], response.json()["is_verified"]) == (user.email, True)
    assert len(outbox_messages(user.email)) == sent


def test_patch_email_to_a_taken_address_is_409(api: Api) -> None:
    alice = api.user("alice@example.com")
    api.user("bob@example.com")
    sent = len(outbox_messages())

    response = api.client.patch(
        ME, json={"email": "BOB@example.com", "current_password": PASSWORD}, headers=alice.headers
    )

    assert_problem(response, 409)
    me = api.client.get(ME, headers=alice.headers).json()
    assert (me["email"], me["is_verified"]) == ("alice@example.com", True)
    assert len(outbox_messages()) == sent


def test_patch_password_needs_the_current_password(api: Api, user: ApiUser) -> None:
    response = api.client.patch(ME, json={"new_password": NEW_PASSWORD}, headers=user.headers)

    assert_problem(response, 403)
    assert api.login(user.email).status_code == 200


def test_patch_password_refuses_a_weak_one(api: Api, user: ApiUser) -> None:
    response = api.client.patch(
        ME,
        json={"new_password": "password1234", "current_password": PASSWORD},
        headers=user.headers,
    )

    body = assert_problem(response, 422)
    assert body["field"] == "new_password"
    assert api.login(user.email).status_code == 200


def test_patch_password_keeps_this_session_and_revokes_the_others(api: Api, user: ApiUser) -> None:
    other = api.login(user.email).json()["access_token"]
    api.client.cookies.clear()

    response = api.client.patch(
        ME, json={"new_password": NEW_PASSWORD, "current_password": PASSWORD}, headers=user.headers
    )

    assert response.status_code == 200, response.text
    assert api.client.get(ME, headers=user.headers).status_code == 200
    assert_problem(api.client.get(ME, headers=auth(other)), 401)
    assert api.login(user.email, NEW_PASSWORD).status_code == 200
    assert_problem(api.login(user.email, PASSWORD), 401)


def test_patch_me_refuses_fields_it_does_not_know(api: Api, user: ApiUser) -> None:
    response = api.client.patch(ME, json={"is_verified": False}, headers=user.headers)

    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "is_verified"


# --- DELETE ----------------------------------------------------------------------------------


def _new_user(db: Session, email: str) -> uuid.UUID:
    row = User(email=email, password_hash="!not-a-hash")
    db.add(row)
    db.flush()
    return row.id


def _seed_everything(db: Session, owner: uuid.UUID, *, colleague: uuid.UUID, tag: str) -> None:
    """One row in every user-owned table for ``owner`` (who signed up through the API)."""
    now = utcnow()
    db.execute(
        update(UserProfile).where(UserProfile.user_id == owner).values(brand_name=f"Brand {tag}")
    )
    session = UserSession(user_id=owner, token_hash=f"session-{tag}", expires_at=now)
    db.add(session)
    db.add(PasswordReset(user_id=owner, token_hash=f"reset-{tag}", expires_at=now))
    db.add(TeamMember(user_id=owner, member_user_id=colleague))
    account = SocialAccount(
        user_id=owner,
        platform=Platform.instagram,
        platform_user_id=f"ig-{tag}",
        username=f"handle_{tag}",
        access_token=f"ciphertext-access-{tag}",
        refresh_token=f"ciphertext-refresh-{tag}",
    )
    db.add(account)
    db.flush()
    db.add(
        OAuthState(
            user_id=owner,
            session_id=session.id,
            platform=Platform.tiktok,
            state_hash=f"state-{tag}",
            code_verifier=f"ciphertext-verifier-{tag}",
            expires_at=now,
        )
    )
    db.add(PlatformMetric(social_account_id=account.id, metric_date=date(2024, 1, 1)))
    post = Post(social_account_id=account.id, platform_post_id=f"post-{tag}", caption=f"Hi {tag}")
    category = ContentCategory(user_id=owner, name=f"Tips {tag}")
    db.add_all([post, category])
    db.flush()
    db.add(PostMetric(post_id=post.id, metric_date=date(2024, 1, 1), likes_count=7))
    db.execute(insert(post_categories).values(post_id=post.id, category_id=category.id))
    db.add(
        ScheduledPost(
            user_id=owner,
            social_account_id=account.id,
            content_type=ScheduledContentType.image,
            scheduled_for=now + timedelta(days=1),
        )
    )
    db.add(CustomReport(user_id=owner, report_name=f"Report {tag}", report_config={"a": 1}))
    db.add(AiInsight(user_id=owner, insight_type=InsightType.trend, title=f"Insight {tag}"))
    db.add(
        ContentRecommendation(
            user_id=owner, recommendation_type=RecommendationType.hashtag, title="Use #x"
        )
    )
    db.add(
        PerformancePattern(
            user_id=owner,
            pattern_type=PatternType.hashtag,
            pattern_name="#x",
            success_rate=Decimal("0.5"),
        )
    )
    code = ReferralCode(user_id=owner, code=f"CODE-{tag}".upper())
    db.add(code)
    db.flush()
    db.add(ReferralSignup(referral_code_id=code.id, referee_user_id=colleague))
    db.add(SystemJob(user_id=owner, job_type=JobType.sync_metrics))


@pytest.fixture
def two_seeded_users(api: Api) -> tuple[ApiUser, ApiUser]:
    """Alice and Bob, each with a row in every user-owned table and a system job."""
    alice = api.user("alice@example.com")
    bob = api.user("bob@example.com")
    with session_scope() as db:
        for person, tag in ((alice, "a"), (bob, "b")):
            colleague = _new_user(db, f"colleague-{tag}@example.com")
            _seed_everything(db, uuid.UUID(person.id), colleague=colleague, tag=tag)
    return alice, bob


def _tables_deleted_with_a_user() -> set[str]:
    """Tables reached from ``users`` through ON DELETE CASCADE foreign keys."""
    owned = {"users"}
    grew = True
    while grew:
        grew = False
        for name, table in Base.metadata.tables.items():
            if name not in owned and any(
                fk.column.table.name in owned and fk.ondelete == "CASCADE"
                for fk in table.foreign_keys
            ):
                owned.add(name)
                grew = True
    return owned - {"users"}


def test_the_seed_covers_every_user_owned_table() -> None:
    # A new table must be added to USER_OWNED (and to the seed) to keep the delete test honest.
    assert _tables_deleted_with_a_user() == USER_OWNED


def test_delete_me_removes_the_user_and_everything_of_theirs(
    api: Api, two_seeded_users: tuple[ApiUser, ApiUser]
) -> None:
    alice, _ = two_seeded_users
    before = {table: count_rows(table) for table in USER_OWNED}
    assert all(n >= 2 for n in before.values()), before  # both users have rows everywhere

    response = api.client.delete(ME, headers=alice.headers)

    assert response.status_code == 204, response.text
    assert count_rows("users", id=uuid.UUID(alice.id)) == 0
    after = {table: count_rows(table) for table in USER_OWNED}
    assert after == {table: n // 2 for table, n in before.items()}  # Bob's half survives


def test_delete_me_leaves_other_users_data_alone(
    api: Api, two_seeded_users: tuple[ApiUser, ApiUser]
) -> None:
    alice, bob = two_seeded_users
    bob_id = uuid.UUID(bob.id)

    assert api.client.delete(ME, headers=alice.headers).status_code == 204

    assert count_rows("social_accounts", user_id=bob_id) == 1
    assert count_rows("content_categories", user_id=bob_id) == 1
    assert count_rows("user_profiles", user_id=bob_id) == 1
    assert count_rows("users") == 3  # Bob and the two colleagues
    assert api.client.get(ME, headers=bob.headers).status_code == 200


def test_delete_me_keeps_system_jobs_without_the_user(
    api: Api, two_seeded_users: tuple[ApiUser, ApiUser]
) -> None:
    alice, bob = two_seeded_users

    assert api.client.delete(ME, headers=alice.headers).status_code == 204

    assert count_rows("system_jobs") == 2
    assert count_rows("system_jobs", user_id=None) == 1
    assert count_rows("system_jobs", user_id=uuid.UUID(bob.id)) == 1


def test_delete_me_signs_out_and_frees_the_email(api: Api, user: ApiUser) -> None:
    assert api.client.delete(ME, headers=user.headers).status_code == 204

    assert_problem(api.client.get(ME, headers=user.headers), 401)
    assert_problem(api.login(user.email), 401)
    assert api.register(user.email).status_code == 201


# --- GET /me/export --------------------------------------------------------------------------


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_export_contains_the_users_profile_and_rows(
    api: Api, two_seeded_users: tuple[ApiUser, ApiUser]
) -> None:
    alice, _ = two_seeded_users

    response = api.client.get(f"{ME}/export", headers=alice.headers)

    assert response.status_code == 200, response.text
    data = response.json()
    assert data["user"]["id"] == alice.id
    assert data["user"]["email"] == "alice@example.com"
    assert [p["brand_name"] for p in data["user_profiles"]] == ["Brand a"]
    assert [a["username"] for a in data["social_accounts"]] == ["handle_a"]
    assert [p["caption"] for p in data["posts"]] == ["Hi a"]
    assert [m["likes_count"] for m in data["post_metrics"]] == [7]
    assert [c["name"] for c in data["content_categories"]] == ["Tips a"]
    assert len(data["post_categories"]) == 1
    assert [r["report_config"] for r in data["custom_reports"]] == [{"a": 1}]
    assert [i["title"] for i in data["ai_insights"]] == ["Insight a"]
    assert [c["code"] for c in data["referral_codes"]] == ["CODE-A"]
    assert len(data["referral_signups"]) == 1
    for table in (
        "platform_metrics",
        "scheduled_posts",
        "content_recommendations",
        "performance_patterns",
        "team_members",
        "system_jobs",
    ):
        assert len(data[table]) == 1, table


def test_export_needs_a_signed_in_user(api: Api) -> None:
    assert_problem(api.client.get(f"{ME}/export"), 401)


def test_export_never_contains_secrets(api: Api, two_seeded_users: tuple[ApiUser, ApiUser]) -> None:
    alice, _ = two_seeded_users

    response = api.client.get(f"{ME}/export", headers=alice.headers)

    secret_columns = {
        "password_hash",
        "verification_token",
        "token_hash",
        "access_token",
        "refresh_token",
        "state_hash",
        "code_verifier",
    }
    assert not _keys(response.json()) & secret_columns
    with session_scope() as db:
        password_hash = db.scalar(select(User.password_hash).where(User.email == alice.email))
    assert password_hash is not None
    for secret in (
        password_hash,
        "ciphertext-access-a",
        "ciphertext-refresh-a",
        "session-a",
        "reset-a",
        "state-a",
        "ciphertext-verifier-a",
        alice.token,
        PASSWORD,
    ):
        assert secret not in response.text


def test_export_never_contains_another_users_rows(
    api: Api, two_seeded_users: tuple[ApiUser, ApiUser]
) -> None:
    alice, bob = two_seeded_users

    text = json.dumps(api.client.get(f"{ME}/export", headers=alice.headers).json())

    for theirs in (
        bob.id,
        bob.email,
        "Brand b",
        "handle_b",
        "Hi b",
        "Tips b",
        "Report b",
        "Insight b",
        "CODE-B",
    ):
        assert theirs not in text
