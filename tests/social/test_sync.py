"""The sync: idempotent, safe to run twice at once, resumable, and honest about faults."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from soash.content.models import Post, PostMetric
from soash.db import get_engine, session_scope
from soash.errors import Conflict
from soash.insights.models import AiInsight
from soash.social.models import SocialAccount
from soash.social.platforms.base import TokenSet
from soash.social.platforms.errors import MalformedResponse, RateLimited, TokenInvalid
from soash.social.sync import SyncFailed, run_sync, sync_account
from soash.social.tokens import load_tokens
from soash.system.models import JobStatus, JobType, SystemJob
from soash.system.runner import JobDeferred
from soash.system.service import create_job
from tests.social.conftest import NOW, ScriptedClient, counts


def _jobs() -> list[SystemJob]:
    with session_scope() as db:
        return list(db.scalars(select(SystemJob)))


def test_a_first_sync_stores_the_account_posts_and_todays_snapshots(
    account: uuid.UUID, scripted: ScriptedClient
) -> None:
    report = sync_account(account, client=scripted, now=NOW)
    posts, snapshots, days = counts(account)
    assert posts > 40  # about 90 days of posting
    assert snapshots == posts  # one snapshot per post for today
    assert days == 1
    assert report == {"posts": posts, "snapshots": snapshots}
    with session_scope() as db:
        row = db.get_one(SocialAccount, account)
        assert row.follower_count and row.follower_count > 1000
        assert row.last_synced_at == NOW
        assert row.sync_error is None
        metric = db.scalars(select(PostMetric)).first()
        assert metric is not None and metric.metric_date == NOW.date()
        assert metric.engagement_rate is not None
    [job] = _jobs()
    assert (job.job_type, job.status) == (JobType.sync_metrics, JobStatus.completed)
    assert job.result == report


def test_running_the_same_sync_twice_changes_nothing(
    account: uuid.UUID, scripted: ScriptedClient
) -> None:
    sync_account(account, client=scripted, now=NOW)
    first = counts(account)
    run_sync(account, client=scripted, now=NOW)
    assert counts(account) == first


def test_two_syncs_of_one_account_at_once_leave_each_row_once(
    account: uuid.UUID, scripted: ScriptedClient
) -> None:
    errors: list[BaseException] = []

    def sync() -> None:
        try:
            run_sync(account, client=scripted, now=NOW)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sync) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    posts, snapshots, days = counts(account)
    with get_engine().connect() as conn:
        distinct = conn.execute(
            text("SELECT COUNT(DISTINCT platform_post_id) FROM posts")
        ).scalar_one()
    assert posts == distinct
    assert snapshots == posts
    assert days == 1


def test_only_one_sync_job_per_account_can_be_queued(account: uuid.UUID) -> None:
    with session_scope() as db:
        create_job(db, job_type=JobType.sync_metrics, user_id=None, subject=str(account))
    with pytest.raises(Conflict, match="already"), session_scope() as db:
        create_job(db, job_type=JobType.sync_metrics, user_id=None, subject=str(account))


def test_a_sync_killed_half_way_keeps_what_it_wrote_and_finishes_on_the_next_run(
    account: uuid.UUID, scripted: ScriptedClient
) -> None:
    scripted.fail_on_page = 2
    scripted.page_error = MalformedResponse("GET /media: the platform answered garbage")
    with pytest.raises(SyncFailed, match="garbage"):
        sync_account(account, client=scripted, now=NOW)
    [job] = _jobs()
    assert job.status is JobStatus.failed
    assert job.error_message is not None and "garbage" in job.error_message
    written, _, _ = counts(account)
    assert written == 25  # the first page, whole

    scripted.fail_on_page = None
    sync_account(account, client=scripted, now=NOW)
    with session_scope() as db:
        stored = db.get_one(SocialAccount, account)
        assert stored.sync_error is None
    posts, snapshots, _ = counts(account)
    clean = ScriptedClient(scripted.inner)
    assert posts == len(
        [
            p
            for page in clean.list_posts("t", platform_user_id="x", since=NOW - timedelta(days=90))
            for p in page
        ]
    )
    assert snapshots == posts


def test_a_rate_limit_defers_the_job_instead_of_failing_it(
    account: uuid.UUID, scripted: ScriptedClient
) -> None:
    scripted.profile_error = RateLimited("slow down", retry_after=900)
    with pytest.raises(JobDeferred) as deferred:
        sync_account(account, client=scripted, now=NOW)
    assert deferred.value.retry_after == 900
    [job] = _jobs()
    assert job.status is JobStatus.pending
    assert job.error_message is not None and "rate limited" in job.error_message


def test_a_dead_token_pauses_the_account_and_asks_once_to_reconnect(
    account: uuid.UUID, scripted: ScriptedClient
) -> None:
    run_sync(account, client=scripted, now=NOW)
    before = counts(account)
    scripted.profile_error = TokenInvalid("Error validating access token (code 190)")
    for _ in range(2):
        with session_scope() as db:
            db.get_one(SocialAccount, account).is_active = True
        with pytest.raises(SyncFailed, match="reconnect"):
            run_sync(account, client=scripted, now=NOW + timedelta(days=1))
    assert counts(account) == before  # nothing deleted
    with session_scope() as db:
        stored = db.get_one(SocialAccount, account)
        assert not stored.is_active
        assert stored.sync_error is not None and "190" in stored.sync_error
        insights = db.scalars(select(AiInsight)).all()
    assert len(insights) == 1
    assert insights[0].title.startswith("Reconnect instagram")
    assert insights[0].priority.value == "high"


def test_a_token_about_to_expire_is_refreshed_and_the_old_refresh_token_kept(
    account: uuid.UUID, scripted: ScriptedClient
) -> None:
    with session_scope() as db:
        db.get_one(SocialAccount, account).token_expires_at = NOW + timedelta(hours=2)
    scripted.refreshed_to = TokenSet(access_token="tok-2", expires_at=NOW + timedelta(days=60))
    run_sync(account, client=scripted, now=NOW)
    assert scripted.calls["refresh"] == 1
    with session_scope() as db:
        tokens = load_tokens(db.get_one(SocialAccount, account))
    assert tokens is not None
    assert tokens.access_token == "tok-2"
    assert tokens.refresh_token == "ref-1"  # the platform did not send a new one
    assert tokens.expires_at == NOW + timedelta(days=60)


def test_tokens_are_encrypted_at_rest(account: uuid.UUID) -> None:
    with get_engine().connect() as conn:
        row = conn.execute(text("SELECT access_token, refresh_token FROM social_accounts")).one()
    assert "tok-1" not in row.access_token
    assert "ref-1" not in row.refresh_token
    assert row.access_token.startswith("v1.t1.")


def test_young_posts_are_refetched_hourly_and_old_ones_rarely(
    account: uuid.UUID, scripted: ScriptedClient
) -> None:
    run_sync(account, client=scripted, now=NOW)
    scripted.metric_posts.clear()
    an_hour_later = NOW + timedelta(hours=1)
    run_sync(account, client=scripted, now=an_hour_later)
    with session_scope() as db:
        young = {
            p.platform_post_id
            for p in db.scalars(select(Post).where(Post.social_account_id == account))
            if p.posted_at is not None and an_hour_later - p.posted_at < timedelta(days=1)
        }
    assert set(scripted.metric_posts) == young


def test_a_retired_metric_is_stored_as_null_and_recorded(
    account: uuid.UUID, scripted: ScriptedClient
) -> None:
    scripted.unavailable = {"impressions"}
    run_sync(account, client=scripted, now=NOW)
    with session_scope() as db:
        assert db.get_one(SocialAccount, account).unavailable_metrics == ["impressions"]
        metrics = db.scalars(select(PostMetric)).all()
    assert metrics
    assert all(m.impressions is None for m in metrics)
    assert all(m.likes_count is not None for m in metrics)
