"""System jobs: every long job records a row (pending → running → completed/failed)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soash.db import session_scope, utcnow
from soash.errors import Conflict, NotFound
from soash.logs import bind_job
from soash.ownership import owned_by
from soash.system.models import JobStatus, JobType, SystemJob
from soash.users.models import User

STALE_AFTER = timedelta(hours=6)


def create_job(
    db: Session, *, job_type: JobType, user_id: uuid.UUID | None, subject: str | None = None
) -> SystemJob:
    """A pending job. With a ``subject``, at most one pending or running job of this type may
    exist for it: a second one raises Conflict (stale ones, abandoned by a dead worker, are
    marked failed first)."""
    if subject is not None:
        _fail_stale(db, job_type=job_type, subject=subject)
        active = db.scalar(
            select(SystemJob).where(
                SystemJob.job_type == job_type,
                SystemJob.subject == subject,
                SystemJob.status.in_([JobStatus.pending, JobStatus.running]),
            )
        )
        if active is not None:
            raise Conflict(
                f"A {job_type.value.replace('_', ' ')} job is already {active.status.value} "
                f"for this (job {active.id}); wait for it to finish.",
                job_id=str(active.id),
            )
    job = SystemJob(job_type=job_type, user_id=user_id, subject=subject, status=JobStatus.pending)
    db.add(job)
    try:
        db.flush()
    except IntegrityError:  # another request queued the same job a moment ago
        db.rollback()
        raise Conflict(
            f"A {job_type.value.replace('_', ' ')} job is already queued for this; "
            "wait for it to finish."
        ) from None
    return job


def _fail_stale(db: Session, *, job_type: JobType, subject: str) -> None:
    cutoff = utcnow() - STALE_AFTER
    db.execute(
        update(SystemJob)
        .where(
            SystemJob.job_type == job_type,
            SystemJob.subject == subject,
            SystemJob.status.in_([JobStatus.pending, JobStatus.running]),
            SystemJob.updated_at < cutoff,
        )
        .values(
            status=JobStatus.failed,
            error_message="abandoned: no progress for over "
            f"{int(STALE_AFTER.total_seconds() // 3600)} hours (the worker probably stopped)",
            completed_at=utcnow(),
        )
    )


class JobDeferred(Exception):
    """The job cannot go on now but will later (e.g. a platform rate limit): it goes back to
    pending with this message, and whoever runs it re-queues it after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@contextmanager
def run_job(
    job_id: uuid.UUID | None = None,
    *,
    job_type: JobType | None = None,
    user_id: uuid.UUID | None = None,
    subject: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Mark a job running, yield a dict for its result, then mark it completed or failed.

    Status changes are committed in their own short transactions, so a failure in the job's
    work is recorded even though that work is rolled back.
    """
    with session_scope() as db:
        if job_id is None:
            assert job_type is not None
            job_id = create_job(db, job_type=job_type, user_id=user_id, subject=subject).id
        job = db.get_one(SystemJob, job_id)
        job.status = JobStatus.running
        job.started_at = utcnow()
    result: dict[str, Any] = {}
    try:
        with bind_job(job_id):  # log lines of the job carry its id
            yield result
    except JobDeferred as exc:
        with session_scope() as db:
            job = db.get_one(SystemJob, job_id)
            job.status = JobStatus.pending
            job.error_message = str(exc)[:2000]
            job.result = result or None
        raise
    except BaseException as exc:
        with session_scope() as db:
            job = db.get_one(SystemJob, job_id)
            job.status = JobStatus.failed
            job.error_message = (str(exc) or type(exc).__name__)[:2000]
            job.completed_at = utcnow()
            job.result = result or None
        raise
    with session_scope() as db:
        job = db.get_one(SystemJob, job_id)
        job.status = JobStatus.completed
        job.completed_at = utcnow()
        job.result = result or None


def list_jobs(db: Session, user: User, *, limit: int = 50) -> list[SystemJob]:
    stmt = (
        select(SystemJob)
        .where(owned_by(SystemJob.user_id, user))
        .order_by(SystemJob.created_at.desc())
        .limit(limit)
    )
    return list(db.scalars(stmt))


def get_job(db: Session, user: User, job_id: uuid.UUID) -> SystemJob:
    job = db.scalar(
        select(SystemJob).where(SystemJob.id == job_id, owned_by(SystemJob.user_id, user))
    )
    if job is None:
        raise NotFound(f"You have no job with id {job_id}.")
    return job
