"""Retention: what goes when, at the boundary dates, in batches; dry runs change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, update
from typer.testing import CliRunner

from soash.cli import app
from soash.config import Settings
from soash.content.models import Post, PostMetric
from soash.db import get_engine, session_scope
from soash.insights.models import AiInsight, ContentRecommendation, InsightType, RecommendationType
from soash.jobs import huey
from soash.referrals.models import ReferralCode, ReferralSignup
from soash.retention import service
from soash.retention.tasks import purge_expired_data
from soash.social.models import Platform, PlatformMetric, SocialAccount
from soash.system.models import JobStatus, JobType, SystemJob
from soash.users.models import User
from tests.factories import make_user
from tests.referrals.factories import make_referral
from tests.users.conftest import count_rows

runner = CliRunner()
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
YEARLY = ("platform_metrics", "post_metrics", "ai_insights", "content_recommendations")


class Owner:
    def __init__(self) -> None:
        self.user_id = make_user()
        with session_scope() as db:
            account = SocialAccount(
                user_id=self.user_id, platform=Platform.instagram, platform_user_id="ig-1"
            )
            db.add(account)
            db.flush()
            post = Post(social_account_id=account.id, platform_post_id="p1", posted_at=NOW)
            db.add(post)
            db.flush()
            self.account_id, self.post_id = account.id, post.id

    def yearly_rows(self, *, day: date, created: datetime, n: int = 1) -> None:
        """``n`` rows in each table with a one-year policy (metrics on ``day`` and before)."""
        with session_scope() as db:
            for i in range(n):
                db.add(
                    PlatformMetric(
                        social_account_id=self.account_id, metric_date=day - timedelta(i)
                    )
                )
                db.add(PostMetric(post_id=self.post_id, metric_date=day - timedelta(i)))
                db.add(
                    AiInsight(
                        user_id=self.user_id,
                        insight_type=InsightType.trend,
                        title=f"insight {i}",
                        created_at=created,
                    )
                )
                db.add(
                    ContentRecommendation(
                        user_id=self.user_id,
                        recommendation_type=RecommendationType.hashtag,
                        title=f"tip {i}",
                        created_at=created,
                    )
                )

    def jobs(self, *ages: timedelta) -> None:
        with session_scope() as db:
            for age in ages:
                db.add(
                    SystemJob(
                        job_type=JobType.sync_metrics,
                        user_id=self.user_id,
                        created_at=NOW - age,
                        subject=str(age),
                    )
                )


@pytest.fixture
def owner() -> Owner:
    return Owner()


def _purge_jobs() -> list[SystemJob]:
    with session_scope() as db:
        stmt = select(SystemJob).where(SystemJob.job_type == JobType.retention_purge)
        return list(db.scalars(stmt))


def test_system_jobs_go_after_30_days(owner: Owner) -> None:
    owner.jobs(
        timedelta(0),
        timedelta(days=30),  # exactly 30 days: kept
        timedelta(days=30, seconds=1),
        timedelta(days=31),
    )

    result = service.purge(now=NOW)

    assert result.counts["system_jobs"] == 2
    with session_scope() as db:
        stmt = select(SystemJob.subject).where(SystemJob.job_type == JobType.sync_metrics)
        left = set(db.scalars(stmt))
    assert left == {str(timedelta(0)), str(timedelta(days=30))}


def test_metrics_and_insights_go_after_a_year(owner: Owner) -> None:
    kept_day, kept_created = TODAY - timedelta(days=365), NOW - timedelta(days=365)
    owner.yearly_rows(day=kept_day, created=kept_created)
    owner.yearly_rows(day=TODAY - timedelta(days=366), created=NOW - timedelta(days=366))

    result = service.purge(now=NOW)

    assert result.counts == {"system_jobs": 0} | dict.fromkeys(YEARLY, 1)
    with session_scope() as db:
        assert db.scalars(select(PlatformMetric.metric_date)).all() == [kept_day]
        assert db.scalars(select(PostMetric.metric_date)).all() == [kept_day]
        assert db.scalars(select(AiInsight.created_at)).all() == [kept_created]
        assert db.scalars(select(ContentRecommendation.created_at)).all() == [kept_created]


def test_profiles_posts_accounts_and_referral_data_are_kept(owner: Owner) -> None:
    ancient = NOW - timedelta(days=3000)
    make_referral()
    with session_scope() as db:
        for model in (User, SocialAccount, Post, ReferralCode, ReferralSignup):
            db.execute(update(model).values(created_at=ancient))
    before = {t: count_rows(t) for t in ("users", "user_profiles", "social_accounts", "posts")}
    before |= {t: count_rows(t) for t in ("referral_codes", "referral_signups")}

    service.purge(now=NOW)

    after = {t: count_rows(t) for t in before}
    assert after == before
    assert all(n >= 1 for t, n in after.items() if t != "user_profiles")


def test_the_windows_are_settings(
    owner: Owner, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setattr(settings.retention, "system_jobs_days", 7)
    monkeypatch.setattr(settings.retention, "metrics_days", 30)
    monkeypatch.setattr(settings.retention, "insights_days", 60)
    owner.jobs(timedelta(days=8))
    owner.yearly_rows(day=TODAY - timedelta(days=31), created=NOW - timedelta(days=45))

    result = service.purge(now=NOW)

    assert result.counts == {
        "system_jobs": 1,
        "platform_metrics": 1,
        "post_metrics": 1,
        "ai_insights": 0,
        "content_recommendations": 0,
    }


@pytest.fixture
def deletes() -> Iterator[list[str]]:
    """Every DELETE statement the purge sends."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE") and "post_metrics" in statement:
            seen.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_deletes_run_in_batches(
    owner: Owner, monkeypatch: pytest.MonkeyPatch, settings: Settings, deletes: list[str]
) -> None:
    monkeypatch.setattr(settings.retention, "batch_size", 3)
    owner.yearly_rows(day=TODAY - timedelta(days=400), created=NOW - timedelta(days=400), n=10)
    owner.yearly_rows(day=TODAY, created=NOW)
    progress: list[tuple[str, int]] = []

    result = service.purge(now=NOW, progress=lambda table, n: progress.append((table, n)))

    assert result.counts == {"system_jobs": 0} | dict.fromkeys(YEARLY, 10)
    assert len(deletes) == 4  # 3 + 3 + 3 + 1, each its own statement and transaction
    assert [n for table, n in progress if table == "post_metrics"] == [3, 6, 9, 10]
    assert {t: count_rows(t) for t in YEARLY} == dict.fromkeys(YEARLY, 1)


def test_an_exact_multiple_of_the_batch_ends_with_an_empty_batch(
    owner: Owner, monkeypatch: pytest.MonkeyPatch, settings: Settings, deletes: list[str]
) -> None:
    monkeypatch.setattr(settings.retention, "batch_size", 5)
    owner.yearly_rows(day=TODAY - timedelta(days=400), created=NOW - timedelta(days=400), n=10)

    assert service.purge(now=NOW).counts["post_metrics"] == 10
    assert len(deletes) == 3
    assert count_rows("post_metrics") == 0


def test_the_job_is_recorded_with_its_counts(owner: Owner) -> None:
    owner.jobs(timedelta(days=40))

    service.purge(now=NOW)

    [job] = _purge_jobs()
    assert job.status is JobStatus.completed
    assert job.result is not None
    assert job.result["dry_run"] is False
    assert job.result["deleted"] == {"system_jobs": 1} | dict.fromkeys(YEARLY, 0)
    assert job.result["cutoffs"]["system_jobs"].startswith("2026-05-02T12:00:00")
    assert job.result["cutoffs"]["post_metrics"] == "2025-06-01"


def test_dry_run_counts_and_deletes_nothing(owner: Owner) -> None:
    owner.jobs(timedelta(days=40), timedelta(days=1))
    owner.yearly_rows(day=TODAY - timedelta(days=400), created=NOW - timedelta(days=400), n=2)
    before = {t: count_rows(t) for t in ("system_jobs", *YEARLY)}

    result = service.purge(now=NOW, dry_run=True)

    assert result.counts == {"system_jobs": 1} | dict.fromkeys(YEARLY, 2)
    after = {t: count_rows(t) for t in before}
    assert after == before | {"system_jobs": before["system_jobs"] + 1}  # + its own record
    [job] = _purge_jobs()
    assert job.result is not None and job.result["dry_run"] is True


def test_cli_purge_prints_a_table(owner: Owner) -> None:
    owner.jobs(timedelta(days=400))

    dry = runner.invoke(app, ["retention", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would delete" in dry.output and "nothing was deleted" in dry.output
    assert count_rows("system_jobs", job_type="sync_metrics") == 1

    real = runner.invoke(app, ["retention", "purge"])
    assert real.exit_code == 0, real.output
    for table in ("system_jobs", *YEARLY):
        assert table in real.output
    assert count_rows("system_jobs", job_type="sync_metrics") == 0


def test_a_daily_periodic_task_runs_the_purge(owner: Owner) -> None:
    owner.jobs(timedelta(days=400))
    [task_class] = [
        t for t in huey._registry._periodic_tasks if t.__name__ == "retention.purge_expired_data"
    ]
    runs = [
        hour
        for hour in range(24)
        for minute in range(0, 60, 15)
        if task_class().validate_datetime(datetime(2026, 6, 1, hour, minute))
    ]
    assert runs == [4]  # once a day, at 04:30 UTC by default

    task: Any = purge_expired_data  # a Huey TaskWrapper
    counts = task.call_local()

    assert counts["system_jobs"] == 1
    assert [j.status for j in _purge_jobs()] == [JobStatus.completed]


def test_purge_help() -> None:
    result = runner.invoke(app, ["retention", "purge", "--help"])
    assert result.exit_code == 0
    assert "--dry-run" in result.output
