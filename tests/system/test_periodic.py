"""The worker's periodic tasks: the hourly sync sweep and the nightly insight runs queue one
job per account or user, and one already queued does not stop the others."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from soash import jobs
from soash.db import session_scope
from soash.insights import service as insights
from soash.insights.tasks import queue_nightly_runs
from soash.social import service as social
from soash.social.models import SocialAccount
from soash.social.tasks import queue_due_syncs
from soash.system.models import JobStatus, JobType, SystemJob
from tests.factories import make_user
from tests.social.conftest import make_account


@pytest.fixture(autouse=True)
def _empty_queue() -> None:
    jobs.huey.flush()


def _jobs(job_type: JobType) -> list[SystemJob]:
    with session_scope() as db:
        return list(db.scalars(select(SystemJob).where(SystemJob.job_type == job_type)))


def test_the_sync_sweep_queues_every_due_account_past_one_already_queued() -> None:
    user = make_user()
    accounts = [make_account(user, platform_user_id=f"demo-ig-{n}") for n in range(3)]
    with session_scope() as db:
        social.queue_sync(db, db.get_one(SocialAccount, accounts[0]))
    assert queue_due_syncs() == 2
    synced = {job.subject for job in _jobs(JobType.sync_metrics)}
    assert synced == {str(a) for a in accounts}
    assert queue_due_syncs() == 0  # all three are queued: nothing twice


def test_the_nightly_run_is_one_job_per_user_and_skips_only_the_one_already_queued() -> None:
    users = [make_user(f"user{n}@example.com") for n in range(3)]
    for n, user in enumerate(users):
        make_account(user, platform_user_id=f"demo-ig-{n}")
    with session_scope() as db:
        insights.queue_run(db, users[1])
    assert queue_nightly_runs() == 2
    runs = _jobs(JobType.generate_insights)
    assert sorted(job.subject or "" for job in runs) == sorted(str(u) for u in users)


@pytest.mark.usefixtures("inline_jobs")
def test_each_nightly_run_completes_on_its_own() -> None:
    users = [make_user(f"user{n}@example.com") for n in range(2)]
    for n, user in enumerate(users):
        make_account(user, platform_user_id=f"demo-ig-{n}")
    assert queue_nightly_runs() == 2
    runs = _jobs(JobType.generate_insights)
    assert [job.status for job in runs] == [JobStatus.completed] * 2
