"""A user sees and changes only their own data: a two-user check for every API route.

`test_every_route_has_an_isolation_check` fails when a route is added without a check here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select

from soash.app import create_app
from soash.db import session_scope
from soash.system.models import JobType, SystemJob
from soash.system.runner import run_job
from soash.users.models import User as UserRow
from tests.helpers import Api, User

PUBLIC = {
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/verify"),
    ("POST", "/api/v1/auth/resend-verification"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/password-reset"),
    ("POST", "/api/v1/auth/password-reset/confirm"),
    ("POST", "/api/v1/billing/stripe/webhook"),  # authenticated by Stripe's signature
}

Check = Callable[[Api, User, User], None]
CHECKS: dict[tuple[str, str], Check] = {}


def check(method: str, path: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS[(method, path)] = fn
        return fn

    return register


def _alice_job(alice: User) -> uuid.UUID:
    with run_job(job_type=JobType.sync_metrics, user_id=uuid.UUID(alice.id)):
        pass
    with session_scope() as db:
        return db.scalars(select(SystemJob.id)).one()


@check("POST", "/api/v1/auth/logout")
def _logout(api: Api, alice: User, bob: User) -> None:
    assert api.client.post("/api/v1/auth/logout", headers=bob.headers).status_code == 204
    assert api.client.get("/api/v1/me", headers=alice.headers).status_code == 200


@check("GET", "/api/v1/me")
def _read_me(api: Api, alice: User, bob: User) -> None:
    assert api.client.get("/api/v1/me", headers=bob.headers).json()["email"] == bob.email


@check("PATCH", "/api/v1/me")
def _patch_me(api: Api, alice: User, bob: User) -> None:
    api.client.patch("/api/v1/me", json={"first_name": "Mallory"}, headers=bob.headers)
    assert api.client.get("/api/v1/me", headers=alice.headers).json()["first_name"] is None


@check("DELETE", "/api/v1/me")
def _delete_me(api: Api, alice: User, bob: User) -> None:
    assert api.client.delete("/api/v1/me", headers=bob.headers).status_code == 204
    with session_scope() as db:
        assert db.get(UserRow, uuid.UUID(alice.id)) is not None
        assert db.get(UserRow, uuid.UUID(bob.id)) is None


@check("GET", "/api/v1/me/export")
def _export(api: Api, alice: User, bob: User) -> None:
    api.client.put("/api/v1/profile", json={"brand_name": "Alice Co"}, headers=alice.headers)
    _alice_job(alice)
    exported = api.client.get("/api/v1/me/export", headers=bob.headers).text
    assert alice.email not in exported
    assert alice.id not in exported
    assert "Alice Co" not in exported


@check("GET", "/api/v1/profile")
def _read_profile(api: Api, alice: User, bob: User) -> None:
    api.client.put("/api/v1/profile", json={"brand_name": "Alice Co"}, headers=alice.headers)
    assert api.client.get("/api/v1/profile", headers=bob.headers).json()["brand_name"] is None


@check("PUT", "/api/v1/profile")
def _put_profile(api: Api, alice: User, bob: User) -> None:
    api.client.put("/api/v1/profile", json={"brand_name": "Bob Co"}, headers=bob.headers)
    assert api.client.get("/api/v1/profile", headers=alice.headers).json()["brand_name"] is None


@check("POST", "/api/v1/profile/complete-onboarding")
def _complete_onboarding(api: Api, alice: User, bob: User) -> None:
    body = {"brand_name": "Bob Co", "industry": "Retail", "timezone": "UTC"}
    api.client.put("/api/v1/profile", json=body, headers=bob.headers)
    done = api.client.post("/api/v1/profile/complete-onboarding", headers=bob.headers)
    assert done.status_code == 200
    profile = api.client.get("/api/v1/profile", headers=alice.headers).json()
    assert profile["onboarding_completed"] is False


@check("GET", "/api/v1/jobs")
def _list_jobs(api: Api, alice: User, bob: User) -> None:
    _alice_job(alice)
    assert api.client.get("/api/v1/jobs", headers=bob.headers).json() == []


@check("GET", "/api/v1/jobs/{job_id}")
def _read_job(api: Api, alice: User, bob: User) -> None:
    job_id = _alice_job(alice)
    assert api.client.get(f"/api/v1/jobs/{job_id}", headers=bob.headers).status_code == 404


def _alice_code(api: Api, alice: User) -> dict[str, str]:
    created = api.client.post("/api/v1/referral-codes", headers=alice.headers)
    assert created.status_code == 201, created.text
    code: dict[str, str] = created.json()
    return code


@check("GET", "/api/v1/referral-codes")
def _list_referral_codes(api: Api, alice: User, bob: User) -> None:
    _alice_code(api, alice)
    assert api.client.get("/api/v1/referral-codes", headers=bob.headers).json() == []


@check("POST", "/api/v1/referral-codes")
def _create_referral_code(api: Api, alice: User, bob: User) -> None:
    assert api.client.post("/api/v1/referral-codes", headers=bob.headers).status_code == 201
    assert api.client.get("/api/v1/referral-codes", headers=alice.headers).json() == []


@check("PATCH", "/api/v1/referral-codes/{code_id}")
def _patch_referral_code(api: Api, alice: User, bob: User) -> None:
    code = _alice_code(api, alice)
    path = f"/api/v1/referral-codes/{code['id']}"
    assert api.client.patch(path, json={"is_active": False}, headers=bob.headers).status_code == 404
    assert api.client.get("/api/v1/referral-codes", headers=alice.headers).json()[0]["is_active"]


@check("GET", "/api/v1/referrals")
def _list_referrals(api: Api, alice: User, bob: User) -> None:
    code = _alice_code(api, alice)
    assert api.register("carol@example.com", referral_code=code["code"]).status_code == 201
    assert len(api.client.get("/api/v1/referrals", headers=alice.headers).json()["signups"]) == 1
    mine = api.client.get("/api/v1/referrals", headers=bob.headers).json()
    assert mine["signups"] == []
    assert all(total["count"] == 0 for total in mine["totals"].values())


@check("GET", "/api/v1/billing/plan")
def _read_plan(api: Api, alice: User, bob: User) -> None:
    from soash.users import plans
    from soash.users.models import SubscriptionStatus, SubscriptionTier

    with session_scope() as db:
        row = db.get_one(UserRow, uuid.UUID(alice.id))
        plans.change_plan(row, tier=SubscriptionTier.pro, status=SubscriptionStatus.active)
    assert api.client.get("/api/v1/billing/plan", headers=bob.headers).json()["tier"] == "free"


def _alice_account(alice: User) -> uuid.UUID:
    from tests.social.conftest import make_account

    return make_account(uuid.UUID(alice.id), platform_user_id=f"demo-{alice.id}")


@check("GET", "/api/v1/social-accounts")
def _list_accounts(api: Api, alice: User, bob: User) -> None:
    _alice_account(alice)
    assert api.client.get("/api/v1/social-accounts", headers=bob.headers).json() == []


@check("GET", "/api/v1/social-accounts/{account_id}")
def _read_account(api: Api, alice: User, bob: User) -> None:
    path = f"/api/v1/social-accounts/{_alice_account(alice)}"
    assert api.client.get(path, headers=bob.headers).status_code == 404


@check("PATCH", "/api/v1/social-accounts/{account_id}")
def _patch_account(api: Api, alice: User, bob: User) -> None:
    path = f"/api/v1/social-accounts/{_alice_account(alice)}"
    assert api.client.patch(path, json={"is_active": False}, headers=bob.headers).status_code == 404
    assert api.client.get(path, headers=alice.headers).json()["is_active"] is True


@check("DELETE", "/api/v1/social-accounts/{account_id}")
def _delete_account(api: Api, alice: User, bob: User) -> None:
    path = f"/api/v1/social-accounts/{_alice_account(alice)}"
    assert api.client.delete(path, headers=bob.headers).status_code == 404
    assert api.client.get(path, headers=alice.headers).json()["connected"] is True


@check("POST", "/api/v1/social-accounts/{account_id}/sync")
def _sync_account(api: Api, alice: User, bob: User) -> None:
    path = f"/api/v1/social-accounts/{_alice_account(alice)}/sync"
    assert api.client.post(path, headers=bob.headers).status_code == 404
    assert api.client.get("/api/v1/jobs", headers=alice.headers).json() == []


@check("GET", "/api/v1/social-accounts/connect/{platform}")
def _start_connect(api: Api, alice: User, bob: User) -> None:
    # A connect only ever concerns the caller: the state it issues is bound to their sign-in
    # (the callback check below shows another user cannot use it).
    from pydantic import SecretStr

    from soash.config import get_settings
    from soash.social.models import OAuthState

    instagram = get_settings().instagram
    saved = (instagram.client_id, instagram.client_secret)
    instagram.client_id, instagram.client_secret = "app-id", SecretStr("app-secret")
    try:
        started = api.client.get("/api/v1/social-accounts/connect/instagram", headers=bob.headers)
    finally:
        instagram.client_id, instagram.client_secret = saved
    assert started.status_code == 200, started.text
    with session_scope() as db:
        states = db.scalars(select(OAuthState)).all()
    assert [str(s.user_id) for s in states] == [bob.id]


def _alices_state(alice: User, platform_name: str, *, offering: bool = False) -> str:
    """A connect Alice started (state bound to her sign-in); ``offering``: it waits for her
    to pick an account, "x" among them."""
    import json

    from soash.security import KeyRing
    from soash.social.connect import _dump, start_connect
    from soash.social.models import OAuthState, Platform
    from soash.social.platforms.base import Profile, Target, TokenSet
    from soash.social.platforms.demo import DemoClient
    from soash.users.service import user_for_token

    platform = Platform(platform_name)
    with session_scope() as db:
        found = user_for_token(db, alice.token)
        assert found is not None
        url = start_connect(
            db, found[0], session=found[1], platform=platform, client=DemoClient(platform, "x")
        )
        if offering:
            row = db.scalars(select(OAuthState)).one()
            offer = json.dumps([_dump(Target(Profile("x", "x"), TokenSet("token-x")))])
            row.choices = KeyRing.from_settings().encrypt(offer, context=f"oauth-choices:{row.id}")
    return url.rsplit("state=", 1)[1]


@check("GET", "/api/v1/social-accounts/callback/{platform}")
def _finish_connect(api: Api, alice: User, bob: User) -> None:
    response = api.client.get(
        "/api/v1/social-accounts/callback/instagram",
        params={"code": "demo", "state": _alices_state(alice, "instagram")},
        headers=bob.headers,
    )
    assert response.status_code == 400


@check("POST", "/api/v1/social-accounts/connect/{platform}/choose")
def _choose_target(api: Api, alice: User, bob: User) -> None:
    # Alice's pending choice (a login with several Pages) cannot be taken by Bob.
    state = _alices_state(alice, "facebook", offering=True)
    response = api.client.post(
        "/api/v1/social-accounts/connect/facebook/choose",
        json={"state": state, "platform_user_id": "x"},
        headers=bob.headers,
    )
    assert response.status_code == 400
    assert api.client.get("/api/v1/social-accounts", headers=bob.headers).json() == []


def _import_into_alices_username(api: Api, alice: User, bob: User, path: str, csv: str) -> None:
    """Bob imports rows naming the username of Alice's account: Alice's account gets nothing,
    Bob gets an account of his own."""
    from soash.content.models import Post
    from soash.social.models import PlatformMetric, SocialAccount

    account = _alice_account(alice)  # instagram @fernandfig
    files = {"file": ("x.csv", csv.encode(), "text/csv")}
    response = api.client.post(path, files=files, headers=bob.headers)
    assert response.status_code == 200, response.text
    assert response.json()["accounts_created"] == 1
    with session_scope() as db:
        assert db.scalars(select(Post).where(Post.social_account_id == account)).all() == []
        stmt = select(PlatformMetric).where(PlatformMetric.social_account_id == account)
        assert db.scalars(stmt).all() == []
        [bobs] = db.scalars(select(SocialAccount).where(SocialAccount.user_id == uuid.UUID(bob.id)))
        assert bobs.username == "fernandfig" and bobs.id != account
    assert api.client.get("/api/v1/jobs", headers=alice.headers).json() == []


@check("POST", "/api/v1/imports/posts")
def _import_posts(api: Api, alice: User, bob: User) -> None:
    from tests.content.conftest import post_row, posts_file

    csv = posts_file([post_row(account="fernandfig")])
    _import_into_alices_username(api, alice, bob, "/api/v1/imports/posts", csv)


@check("POST", "/api/v1/imports/account-metrics")
def _import_account_metrics(api: Api, alice: User, bob: User) -> None:
    from tests.content.conftest import day_row, days_file

    csv = days_file([day_row(account="fernandfig")])
    _import_into_alices_username(api, alice, bob, "/api/v1/imports/account-metrics", csv)


def _alice_insight(alice: User) -> uuid.UUID:
    from soash.insights.models import InsightType, Priority
    from soash.insights.service import upsert_insight

    with session_scope() as db:
        insight = upsert_insight(
            db,
            user_id=uuid.UUID(alice.id),
            key="performance:content_type:reel",
            insight_type=InsightType.performance,
            title="Reels get 1.8× your median engagement",
            description="45 posts",
            priority=Priority.high,
        )
        return insight.id


def _alice_recommendation(alice: User) -> uuid.UUID:
    from soash.insights.models import ContentRecommendation, RecommendationType

    with session_scope() as db:
        row = ContentRecommendation(
            user_id=uuid.UUID(alice.id),
            recommendation_type=RecommendationType.hashtag,
            title="Use #sourdough",
            key="hashtag:#sourdough",
        )
        db.add(row)
        db.flush()
        return row.id


@check("GET", "/api/v1/insights")
def _list_insights(api: Api, alice: User, bob: User) -> None:
    _alice_insight(alice)
    assert api.client.get("/api/v1/insights", headers=bob.headers).json() == []


@check("PATCH", "/api/v1/insights/{insight_id}")
def _patch_insight(api: Api, alice: User, bob: User) -> None:
    path = f"/api/v1/insights/{_alice_insight(alice)}"
    assert api.client.patch(path, json={"is_read": True}, headers=bob.headers).status_code == 404
    assert api.client.get("/api/v1/insights", headers=alice.headers).json()[0]["is_read"] is False


@check("POST", "/api/v1/insights/generate")
def _generate_insights(api: Api, alice: User, bob: User) -> None:
    from soash.jobs import huey

    huey.storage.flush_queue()
    assert api.client.post("/api/v1/insights/generate", headers=bob.headers).status_code == 202
    huey.storage.flush_queue()
    assert api.client.get("/api/v1/jobs", headers=alice.headers).json() == []


@check("GET", "/api/v1/recommendations")
def _list_recommendations(api: Api, alice: User, bob: User) -> None:
    _alice_recommendation(alice)
    assert api.client.get("/api/v1/recommendations", headers=bob.headers).json() == []


@check("PATCH", "/api/v1/recommendations/{recommendation_id}")
def _patch_recommendation(api: Api, alice: User, bob: User) -> None:
    path = f"/api/v1/recommendations/{_alice_recommendation(alice)}"
    response = api.client.patch(path, json={"feedback_score": 1}, headers=bob.headers)
    assert response.status_code == 404
    mine = api.client.get("/api/v1/recommendations", headers=alice.headers).json()
    assert mine[0]["feedback_score"] is None


@check("GET", "/api/v1/patterns")
def _list_patterns(api: Api, alice: User, bob: User) -> None:
    from soash.insights.models import PatternType, PerformancePattern

    with session_scope() as db:
        db.add(
            PerformancePattern(
                user_id=uuid.UUID(alice.id),
                pattern_type=PatternType.content_type,
                pattern_name="reel",
                sample_size=40,
            )
        )
    assert api.client.get("/api/v1/patterns", headers=bob.headers).json() == []


def _alice_post(alice: User) -> uuid.UUID:
    """One of alice's posts (two days old, within any plan's history) with figures."""
    from datetime import UTC, datetime, timedelta

    from tests.analytics.data import account, followers, metric, post

    account_id = account(uuid.UUID(alice.id))
    posted = datetime.now(UTC) - timedelta(days=2)
    post_id = post(account_id, posted, hashtags=("alice",))
    metric(post_id, posted.date(), likes=10, reach=100)
    followers(account_id, posted.date(), 1234)
    return post_id


def _alice_account_of(post_id: uuid.UUID) -> str:
    from soash.content.models import Post

    with session_scope() as db:
        return str(db.get_one(Post, post_id).social_account_id)


def _alice_category(api: Api, alice: User, name: str = "Recipes") -> str:
    created = api.client.post("/api/v1/categories", json={"name": name}, headers=alice.headers)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


@check("GET", "/api/v1/analytics/overview")
def _overview(api: Api, alice: User, bob: User) -> None:
    account_id = _alice_account_of(_alice_post(alice))
    path = "/api/v1/analytics/overview"
    assert api.client.get(path, headers=alice.headers).json()["metrics"]["posts"]["current"] == 1
    metrics = api.client.get(path, headers=bob.headers).json()["metrics"]
    assert metrics["posts"]["current"] == 0
    assert metrics["followers"]["current"] is None
    mine = api.client.get(path, params={"account_id": account_id}, headers=bob.headers)
    assert mine.status_code == 404


@check("GET", "/api/v1/analytics/timeseries")
def _timeseries(api: Api, alice: User, bob: User) -> None:
    account_id = _alice_account_of(_alice_post(alice))
    path = "/api/v1/analytics/timeseries"
    for metric in ("reach", "followers"):
        points = api.client.get(path, params={"metric": metric}, headers=bob.headers).json()
        assert all(p["value"] is None for p in points["points"])
    params = {"metric": "reach", "account_id": account_id}
    assert api.client.get(path, params=params, headers=bob.headers).status_code == 404


@check("GET", "/api/v1/analytics/breakdown")
def _breakdown(api: Api, alice: User, bob: User) -> None:
    post_id = _alice_post(alice)
    category = _alice_category(api, alice)
    body = {"category_ids": [category]}
    api.client.put(f"/api/v1/posts/{post_id}/categories", json=body, headers=alice.headers)
    path = "/api/v1/analytics/breakdown"
    for by in ("content_type", "hashtag", "category"):
        groups = api.client.get(path, params={"by": by}, headers=bob.headers).json()["groups"]
        assert groups == []
    hours = api.client.get(path, params={"by": "hour"}, headers=bob.headers).json()["groups"]
    assert sum(g["posts"] for g in hours) == 0


@check("GET", "/api/v1/posts")
def _list_posts(api: Api, alice: User, bob: User) -> None:
    _alice_post(alice)
    category = _alice_category(api, alice)
    assert api.client.get("/api/v1/posts", headers=bob.headers).json()["items"] == []
    params = {"category_id": category}
    assert api.client.get("/api/v1/posts", params=params, headers=bob.headers).status_code == 404


@check("GET", "/api/v1/posts/{post_id}")
def _read_post(api: Api, alice: User, bob: User) -> None:
    path = f"/api/v1/posts/{_alice_post(alice)}"
    assert api.client.get(path, headers=bob.headers).status_code == 404
    assert api.client.get(path, headers=alice.headers).status_code == 200


@check("PUT", "/api/v1/posts/{post_id}/categories")
def _tag_post(api: Api, alice: User, bob: User) -> None:
    post_id = _alice_post(alice)
    alices, bobs = _alice_category(api, alice), _alice_category(api, bob, "Bob's")
    path = f"/api/v1/posts/{post_id}/categories"
    assert api.client.put(path, json={"category_ids": [alices]}, headers=alice.headers).is_success
    response = api.client.put(path, json={"category_ids": [bobs]}, headers=bob.headers)
    assert response.status_code == 404
    response = api.client.put(path, json={"category_ids": []}, headers=bob.headers)
    assert response.status_code == 404
    own = api.client.put(path, json={"category_ids": [alices, bobs]}, headers=alice.headers)
    assert own.status_code == 404  # alice cannot use bob's category either
    detail = api.client.get(f"/api/v1/posts/{post_id}", headers=alice.headers).json()
    assert [c["id"] for c in detail["categories"]] == [alices]


@check("GET", "/api/v1/categories")
def _list_categories(api: Api, alice: User, bob: User) -> None:
    _alice_category(api, alice)
    assert api.client.get("/api/v1/categories", headers=bob.headers).json() == []


@check("POST", "/api/v1/categories")
def _create_category(api: Api, alice: User, bob: User) -> None:
    _alice_category(api, alice)
    _alice_category(api, bob)  # the same name is free for another user
    assert len(api.client.get("/api/v1/categories", headers=alice.headers).json()) == 1


@check("GET", "/api/v1/categories/{category_id}")
def _read_category(api: Api, alice: User, bob: User) -> None:
    path = f"/api/v1/categories/{_alice_category(api, alice)}"
    assert api.client.get(path, headers=bob.headers).status_code == 404


@check("PATCH", "/api/v1/categories/{category_id}")
def _patch_category(api: Api, alice: User, bob: User) -> None:
    path = f"/api/v1/categories/{_alice_category(api, alice)}"
    assert api.client.patch(path, json={"name": "Mine"}, headers=bob.headers).status_code == 404
    assert api.client.get(path, headers=alice.headers).json()["name"] == "Recipes"


@check("DELETE", "/api/v1/categories/{category_id}")
def _delete_category(api: Api, alice: User, bob: User) -> None:
    path = f"/api/v1/categories/{_alice_category(api, alice)}"
    assert api.client.delete(path, headers=bob.headers).status_code == 404
    assert api.client.get(path, headers=alice.headers).status_code == 200


def _alice_scheduled(api: Api, alice: User) -> str:
    from tests.publishing.conftest import new_post, x_account

    created = new_post(api, alice, x_account(alice))
    assert created.status_code == 201, created.text
    post_id: str = created.json()["id"]
    return post_id


@check("POST", "/api/v1/scheduled-posts")
def _create_scheduled(api: Api, alice: User, bob: User) -> None:
    from tests.publishing.conftest import new_post

    response = new_post(api, bob, _alice_account(alice))  # onto alice's account
    assert response.status_code == 404
    assert api.client.get("/api/v1/scheduled-posts", headers=alice.headers).json()["items"] == []


@check("GET", "/api/v1/scheduled-posts")
def _list_scheduled(api: Api, alice: User, bob: User) -> None:
    _alice_scheduled(api, alice)
    assert api.client.get("/api/v1/scheduled-posts", headers=bob.headers).json()["items"] == []
    params = {"account_id": str(_alice_account(alice))}
    mine = api.client.get("/api/v1/scheduled-posts", params=params, headers=bob.headers)
    assert mine.status_code == 404


@check("GET", "/api/v1/scheduled-posts/{post_id}")
def _read_scheduled(api: Api, alice: User, bob: User) -> None:
    path = f"/api/v1/scheduled-posts/{_alice_scheduled(api, alice)}"
    assert api.client.get(path, headers=bob.headers).status_code == 404
    assert api.client.get(path, headers=alice.headers).status_code == 200


@check("PATCH", "/api/v1/scheduled-posts/{post_id}")
def _patch_scheduled(api: Api, alice: User, bob: User) -> None:
    path = f"/api/v1/scheduled-posts/{_alice_scheduled(api, alice)}"
    response = api.client.patch(path, json={"caption": "Mallory"}, headers=bob.headers)
    assert response.status_code == 404
    assert api.client.get(path, headers=alice.headers).json()["caption"] != "Mallory"


@check("DELETE", "/api/v1/scheduled-posts/{post_id}")
def _delete_scheduled(api: Api, alice: User, bob: User) -> None:
    path = f"/api/v1/scheduled-posts/{_alice_scheduled(api, alice)}"
    assert api.client.delete(path, headers=bob.headers).status_code == 404
    assert api.client.get(path, headers=alice.headers).status_code == 200


def _scheduled_action(action: str) -> Check:
    def run(api: Api, alice: User, bob: User) -> None:
        path = f"/api/v1/scheduled-posts/{_alice_scheduled(api, alice)}"
        assert api.client.post(f"{path}/{action}", headers=bob.headers).status_code == 404
        assert api.client.get(path, headers=alice.headers).json()["status"] == "scheduled"
        listed = api.client.get("/api/v1/scheduled-posts", headers=alice.headers).json()
        assert len(listed["items"]) == 1  # nothing duplicated either

    return run


for _action in ("publish-now", "cancel", "retry", "duplicate"):
    check("POST", f"/api/v1/scheduled-posts/{{post_id}}/{_action}")(_scheduled_action(_action))


def _alice_rule(api: Api, alice: User) -> tuple[str, str]:
    """Alice's category and a hashtag rule for it (her post carries #alice)."""
    category = _alice_category(api, alice)
    body = {"category_id": category, "kind": "hashtag", "pattern": "alice"}
    created = api.client.post("/api/v1/category-rules", json=body, headers=alice.headers)
    assert created.status_code == 201, created.text
    return category, str(created.json()["id"])


@check("POST", "/api/v1/categories/{category_id}/posts")
def _bulk_tag(api: Api, alice: User, bob: User) -> None:
    post_id = str(_alice_post(alice))
    alices, bobs = _alice_category(api, alice), _alice_category(api, bob, "Bob's")
    body = {"post_ids": [post_id]}
    path = "/api/v1/categories/{}/posts"
    assert api.client.post(path.format(alices), json=body, headers=bob.headers).status_code == 404
    assert api.client.post(path.format(bobs), json=body, headers=bob.headers).status_code == 404
    detail = api.client.get(f"/api/v1/posts/{post_id}", headers=alice.headers).json()
    assert detail["categories"] == []


@check("GET", "/api/v1/category-rules")
def _list_rules(api: Api, alice: User, bob: User) -> None:
    _alice_rule(api, alice)
    assert api.client.get("/api/v1/category-rules", headers=bob.headers).json() == []


@check("POST", "/api/v1/category-rules")
def _create_rule(api: Api, alice: User, bob: User) -> None:
    _alice_post(alice)
    category = _alice_category(api, alice)
    body = {"category_id": category, "kind": "hashtag", "pattern": "alice"}
    response = api.client.post("/api/v1/category-rules", json=body, headers=bob.headers)
    assert response.status_code == 404
    bobs = _alice_category(api, bob, "Bob's")
    body["category_id"] = bobs
    created = api.client.post("/api/v1/category-rules", json=body, headers=bob.headers)
    assert created.json()["posts_tagged"] == 0  # alice's post is not bob's to tag
    assert (
        api.client.get(f"/api/v1/categories/{category}", headers=alice.headers).json()["posts"] == 0
    )


@check("GET", "/api/v1/category-rules/suggestions")
def _suggest_rules(api: Api, alice: User, bob: User) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.analytics.data import post

    account_id = _alice_account_of(_alice_post(alice))
    for i in range(5):
        post(uuid.UUID(account_id), datetime.now(UTC) - timedelta(days=3 + i), hashtags=("alice",))
    path = "/api/v1/category-rules/suggestions"
    assert api.client.get(path, headers=alice.headers).json()[0]["hashtag"] == "alice"
    assert api.client.get(path, headers=bob.headers).json() == []


@check("DELETE", "/api/v1/category-rules/{rule_id}")
def _delete_rule(api: Api, alice: User, bob: User) -> None:
    _, rule = _alice_rule(api, alice)
    path = f"/api/v1/category-rules/{rule}"
    assert api.client.delete(path, headers=bob.headers).status_code == 404
    assert len(api.client.get("/api/v1/category-rules", headers=alice.headers).json()) == 1


def _api_routes() -> list[tuple[str, str]]:
    # The OpenAPI document lists every route however routers are nested.
    paths = create_app().openapi()["paths"]
    routes = [(m.upper(), p) for p, ops in paths.items() if p.startswith("/api/") for m in ops]
    assert len(routes) > 20  # the enumeration itself works
    return routes


def test_every_route_has_an_isolation_check() -> None:
    unchecked = [r for r in _api_routes() if r not in PUBLIC and r not in CHECKS]
    assert unchecked == [], f"add a two-user check to tests/test_isolation.py for {unchecked}"


@pytest.mark.parametrize("route", sorted(CHECKS), ids=lambda r: " ".join(r))
def test_a_user_cannot_reach_another_users_data(api: Api, route: tuple[str, str]) -> None:
    alice, bob = api.user(), api.user()
    CHECKS[route](api, alice, bob)


@pytest.mark.parametrize("route", sorted(CHECKS), ids=lambda r: " ".join(r))
def test_private_routes_refuse_anonymous_callers(api: Api, route: tuple[str, str]) -> None:
    method, path = route
    response = api.client.request(method, re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
