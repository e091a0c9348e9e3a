"""Connect and sync end to end, through the HTTP API, against fake platforms on 127.0.0.1."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select, text

from soash.config import Settings
from soash.content.models import Post, PostMetric
from soash.db import get_engine, session_scope
from soash.insights.models import AiInsight
from soash.jobs import huey
from soash.social.models import SocialAccount
from soash.system.models import JobStatus, SystemJob
from tests.fakes.instagram import InstagramFake
from tests.fakes.x import XFake
from tests.helpers import Api, User


@pytest.fixture
def ig_fake(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[InstagramFake]:
    fake = InstagramFake()
    fake.start()
    for name, value in fake.settings():
        monkeypatch.setattr(settings.instagram, name, value)
    yield fake
    fake.stop()


def _connect(api: Api, user: User, platform: str, code_for: object) -> dict:  # type: ignore[type-arg]
    started = api.client.get(f"/api/v1/social-accounts/connect/{platform}", headers=user.headers)
    assert started.status_code == 200, started.text
    query = {k: v[0] for k, v in parse_qs(urlsplit(started.json()["authorize_url"]).query).items()}
    code = code_for(query) if callable(code_for) else code_for
    response = api.client.get(
        f"/api/v1/social-accounts/callback/{platform}",
        params={"code": code, "state": query["state"]},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    body: dict = response.json()  # type: ignore[type-arg]
    return body


def _count(model: type) -> int:
    with session_scope() as db:
        return db.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.usefixtures("inline_jobs")
def test_connect_x_with_pkce_then_the_first_sync_runs(api: Api, x_fake: XFake) -> None:
    now = datetime.now(UTC)
    for n in range(130):  # two pages of X's 100
        x_fake.add_post(
            f"18{n:05d}",
            created=now - timedelta(hours=5 * n + 1),
            text=f"Fresh bake number {n} #sourdough",
            media=("photo",) if n % 2 else ("video",),
            likes=10 + n,
            replies=2,
            retweets=3,
            quotes=1,
            bookmarks=4,
            impressions=900,
        )
    user = api.user()
    body = _connect(
        api,
        user,
        "twitter",
        lambda q: x_fake.authorize(q["redirect_uri"], q["code_challenge"]),
    )
    assert body["account"]["platform"] == "twitter"
    assert body["account"]["username"] == "XDevelopers"
    job = api.client.get(f"/api/v1/jobs/{body['sync_job']['id']}", headers=user.headers).json()
    assert job["status"] == "completed", job
    assert _count(Post) == 130
    assert _count(PostMetric) == 130
    with session_scope() as db:
        post = db.scalars(select(Post).where(Post.platform_post_id == "1800001")).one()
        assert post.hashtags == ["sourdough"]
        metric = db.scalars(select(PostMetric).where(PostMetric.post_id == post.id)).one()
        assert (metric.likes_count, metric.comments_count, metric.shares_count) == (11, 2, 4)
        assert metric.saves_count == 4
        assert metric.reach is None  # X does not report reach: NULL, not 0
    with get_engine().connect() as conn:
        stored = conn.execute(text("SELECT access_token, refresh_token FROM social_accounts")).one()
    assert all(value.startswith("v1.") for value in stored)

    # Sync again: nothing is duplicated.
    account_id = body["account"]["id"]
    again = api.client.post(f"/api/v1/social-accounts/{account_id}/sync", headers=user.headers)
    assert again.status_code == 202
    assert _count(Post) == 130
    assert _count(PostMetric) == 130


@pytest.mark.usefixtures("inline_jobs")
def test_a_replayed_or_foreign_state_is_refused(api: Api, x_fake: XFake) -> None:
    user, other = api.user(), api.user()
    started = api.client.get("/api/v1/social-accounts/connect/twitter", headers=user.headers)
    query = {k: v[0] for k, v in parse_qs(urlsplit(started.json()["authorize_url"]).query).items()}
    code = x_fake.authorize(query["redirect_uri"], query["code_challenge"])
    params = {"code": code, "state": query["state"]}
    path = "/api/v1/social-accounts/callback/twitter"
    assert api.client.get(path, params=params, headers=other.headers).status_code == 400
    assert _count(SocialAccount) == 0
    assert api.client.get(path, params=params, headers=user.headers).status_code == 200
    replay = api.client.get(path, params=params, headers=user.headers)
    assert replay.status_code == 400
    assert "already used" in replay.json()["detail"]


@pytest.mark.usefixtures("inline_jobs")
def test_a_rate_limit_puts_the_sync_back_in_the_queue(api: Api, x_fake: XFake) -> None:
    user = api.user()
    x_fake.add_post("1", created=datetime.now(UTC) - timedelta(hours=1), text="hi")
    x_fake.fail_next("rate_limit", retry_after=3600, path="/2/users/2244994945/tweets")
    body = _connect(
        api, user, "twitter", lambda q: x_fake.authorize(q["redirect_uri"], q["code_challenge"])
    )
    with session_scope() as db:
        job = db.get_one(SystemJob, uuid.UUID(body["sync_job"]["id"]))
    assert job.status is JobStatus.pending
    assert job.error_message is not None and "rate limited" in job.error_message
    assert huey.scheduled_count() == 1  # retried after the platform's reset time
    huey.storage.flush_schedule()


@pytest.mark.usefixtures("inline_jobs")
def test_a_revoked_grant_pauses_the_account_and_asks_to_reconnect(api: Api, x_fake: XFake) -> None:
    user = api.user()
    body = _connect(
        api, user, "twitter", lambda q: x_fake.authorize(q["redirect_uri"], q["code_challenge"])
    )
    for token in list(x_fake.grants._access):
        x_fake.grants.revoke(token)
    account_id = body["account"]["id"]
    api.client.post(f"/api/v1/social-accounts/{account_id}/sync", headers=user.headers)
    account = api.client.get(f"/api/v1/social-accounts/{account_id}", headers=user.headers).json()
    assert account["is_active"] is False
    assert (
        "reconnect"
        in api.client.get("/api/v1/jobs", headers=user.headers).json()[0]["error_message"]
    )
    with session_scope() as db:
        titles = [i.title for i in db.scalars(select(AiInsight))]
    assert titles == ["Reconnect twitter @XDevelopers"]


@pytest.mark.usefixtures("inline_jobs")
def test_instagram_with_a_retired_metric_stores_null_and_records_it(
    api: Api, ig_fake: InstagramFake
) -> None:
    now = datetime.now(UTC)
    ig_fake.add_post(
        timestamp=now - timedelta(days=2),
        media_type="VIDEO",
        media_product_type="REELS",
        caption="Shaping day #bakery",
        like_count=120,
        comments_count=8,
        insights={"reach": 2000, "views": 5000, "saved": 30, "shares": 12},
    )
    user = api.user()
    body = _connect(api, user, "instagram", "ig-code")
    assert body["account"]["platform_user_id"] == "17841405822304914"
    with session_scope() as db:
        post = db.scalars(select(Post)).one()
        metric = db.scalars(select(PostMetric)).one()
        account = db.scalars(select(SocialAccount)).one()
    assert post.content_type is not None and post.content_type.value == "reel"
    assert (metric.likes_count, metric.reach, metric.saves_count) == (120, 2000, 30)
    assert account.sync_error is None
    job = api.client.get(f"/api/v1/jobs/{body['sync_job']['id']}", headers=user.headers).json()
    assert job["status"] == "completed"
