"""The job rules: wake-ups are sent after commit and dropped on rollback; a job is claimed
once; a dead worker's job is re-queued by the sweep; a job that cannot be redone is failed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from soash import jobs
from soash.config import Settings
from soash.db import session_scope, utcnow
from soash.system.models import JobStatus, JobType, SystemJob
from soash.system.runner import JobDeferred, claim, run_job
from soash.system.service import create_job
from soash.system.tasks import sweep_jobs

RUNS: list[dict[str, Any]] = []


@jobs.task("tests.record_run")
def record_run(result: dict[str, Any], *, label: str, defer_for: float = 0) -> None:
    if defer_for:
        raise JobDeferred("the platform asked us to wait", retry_after=defer_for)
    RUNS.append({"label": label})
    result["label"] = label


@pytest.fixture(autouse=True)
def _no_runs() -> Iterator[None]:
    RUNS.clear()
    jobs.huey.flush()
    yield
    RUNS.clear()
    jobs.huey.flush()


def _enqueue(label: str, **payload: Any) -> uuid.UUID:
    with session_scope() as db:
        return jobs.enqueue(
            db,
            "tests.record_run",
            {"label": label, **payload},
            job_type=JobType.seed_demo,
            user_id=None,
        ).id


def _job(job_id: uuid.UUID) -> SystemJob:
    with session_scope() as db:
        return db.get_one(SystemJob, job_id)


def _as_if_its_worker_died(job_id: uuid.UUID) -> None:
    """What kill -9 leaves: running, with a lease nobody renews any more."""
    assert claim(job_id) is not None
    with session_scope() as db:
        db.execute(
            update(SystemJob)
            .where(SystemJob.id == job_id)
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )


def test_a_deferred_send_happens_after_commit_and_never_after_rollback() -> None:
    sent: list[int] = []
    with session_scope() as db:
        jobs.defer(db, lambda: sent.append(1))
        assert sent == []  # not before the commit
    assert sent == [1]

    def failing_request() -> None:
        with session_scope() as db:
            jobs.defer(db, lambda: sent.append(2))
            raise RuntimeError("the request failed")

    with pytest.raises(RuntimeError, match="request failed"):
        failing_request()
    assert sent == [1]

    def failing_step(db: Session) -> None:
        with db.begin_nested():
            jobs.defer(db, lambda: sent.append(4))
            raise ValueError("this step failed alone")

    with session_scope() as db:
        jobs.defer(db, lambda: sent.append(3))
        with pytest.raises(ValueError, match="failed alone"):
            failing_step(db)
        with db.begin_nested():
            jobs.defer(db, lambda: sent.append(5))
        assert sent == [1]  # a released savepoint is not a commit
    assert sent == [1, 3, 5]


def test_an_enqueued_job_rolled_back_leaves_no_row_and_no_message() -> None:
    def rolled_back() -> None:
        with session_scope() as db:
            jobs.enqueue(
                db, "tests.record_run", {"label": "x"}, job_type=JobType.seed_demo, user_id=None
            )
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError, match="rolled back"):
        rolled_back()
    with session_scope() as db:
        assert db.scalars(select(SystemJob)).all() == []
    assert jobs.huey.pending_count() == 0


@pytest.mark.usefixtures("inline_jobs")
def test_an_enqueued_job_runs_once_after_commit_and_records_its_result() -> None:
    job_id = _enqueue("first")
    job = _job(job_id)
    assert RUNS == [{"label": "first"}]
    assert job.status is JobStatus.completed
    assert job.result == {"label": "first"}
    assert job.attempts == 1
    assert job.lease_expires_at is None


def test_a_wake_up_delivered_twice_runs_the_job_once() -> None:
    job_id = _enqueue("twice")
    jobs.run_queued(job_id)
    jobs.run_queued(job_id)
    assert RUNS == [{"label": "twice"}]
    assert _job(job_id).attempts == 1


def test_the_sweep_requeues_a_dead_workers_job_and_it_then_completes_once() -> None:
    job_id = _enqueue("survivor")
    _as_if_its_worker_died(job_id)
    assert _job(job_id).status is JobStatus.running

    result = sweep_jobs()
    assert (result.requeued, result.failed) == (1, 0)
    job = _job(job_id)
    assert job.status is JobStatus.pending
    assert job.error_message is not None and "stopped responding" in job.error_message
    assert jobs.huey.pending_count() >= 1  # woken again

    jobs.run_queued(job_id)
    job = _job(job_id)
    assert job.status is JobStatus.completed
    assert job.attempts == 2
    assert RUNS == [{"label": "survivor"}]


def test_a_live_lease_is_left_alone() -> None:
    job_id = _enqueue("busy")
    assert claim(job_id) is not None
    assert sweep_jobs().requeued == 0
    assert _job(job_id).status is JobStatus.running


def test_a_job_whose_worker_died_too_often_is_failed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.jobs, "max_attempts", 2)
    job_id = _enqueue("cursed")
    _as_if_its_worker_died(job_id)
    sweep_jobs()
    _as_if_its_worker_died(job_id)
    assert sweep_jobs().failed == 1
    job = _job(job_id)
    assert job.status is JobStatus.failed
    assert job.error_message is not None and "gave up after 2 attempts" in job.error_message


def test_a_job_no_worker_can_redo_is_failed_when_its_process_dies() -> None:
    """An import runs in the process that received the file: if it dies, nothing was kept and
    the job says so instead of staying 'running' for ever."""
    with session_scope() as db:
        job_id = create_job(db, job_type=JobType.import_data, user_id=None).id
    _as_if_its_worker_died(job_id)
    assert sweep_jobs().failed == 1
    job = _job(job_id)
    assert job.status is JobStatus.failed
    assert job.error_message is not None and "Run it again" in job.error_message


def test_a_lost_wake_up_is_sent_again(settings: Settings) -> None:
    job_id = _enqueue("lost")
    jobs.huey.flush()  # the queue was wiped (a Redis restart, a deleted jobs.db)
    with session_scope() as db:
        db.execute(
            update(SystemJob)
            .where(SystemJob.id == job_id)
            .values(sent_at=utcnow() - timedelta(seconds=settings.jobs.resend_after_seconds + 1))
        )
    assert sweep_jobs().resent == 1
    assert jobs.huey.pending_count() == 1
    jobs.run_queued(job_id)
    assert _job(job_id).status is JobStatus.completed


def test_a_deferred_job_waits_pending_until_its_time() -> None:
    job_id = _enqueue("later", defer_for=600)
    jobs.run_queued(job_id)
    job = _job(job_id)
    assert job.status is JobStatus.pending
    assert job.run_after is not None and job.run_after > utcnow() + timedelta(seconds=590)
    assert claim(job_id) is None  # not before its time, whoever wakes it
    assert sweep_jobs().resent == 0


def test_an_error_message_with_nul_bytes_is_stored() -> None:
    def failing_import() -> None:
        with run_job(job_type=JobType.import_data, user_id=None):
            raise ValueError("bad header \x00 in column 1")

    with pytest.raises(ValueError, match="bad header"):
        failing_import()
    with session_scope() as db:
        job = db.scalars(select(SystemJob)).one()
    assert job.status is JobStatus.failed
    assert job.error_message is not None and "\x00" not in job.error_message
    assert "bad header" in job.error_message
