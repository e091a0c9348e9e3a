"""System jobs: every long job records a row (pending → running → completed/failed)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soash.db import session_scope, utcnow
from soash.errors import NotFound
from soash.ownership import owned_by
from soash.system.models import JobStatus, JobType, SystemJob
from soash.users.models import User


def create_job(
    db: Session, *, job_type: JobType, user_id: uuid.UUID | None, subject: str | None = None
) -> SystemJob:
    job = SystemJob(job_type=job_type, user_id=user_id, subject=subject, status=JobStatus.pending)
    db.add(job)
    db.flush()
    return job


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
        yield result
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
