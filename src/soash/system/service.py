"""System jobs: every long job records a row (pending → running → completed/failed)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soash.db import utcnow
from soash.errors import Conflict
from soash.ownership import get_owned, owned_by
from soash.system.models import JobStatus, JobType, SystemJob
from soash.users.models import User


def clean_message(message: str) -> str:
    """An error message any database can store (no NUL, bounded)."""
    return message.replace("\x00", "\N{REPLACEMENT CHARACTER}")[:2000]


def create_job(
    db: Session,
    *,
    job_type: JobType,
    user_id: uuid.UUID | None,
    subject: str | None = None,
    task: str | None = None,
    payload: dict[str, Any] | None = None,
) -> SystemJob:
    """A pending job. With a ``subject``, at most one pending or running job of this type may
    exist for it: a second one raises Conflict, and the caller's transaction goes on."""
    if subject is not None:
        active = db.scalar(
            select(SystemJob).where(
                SystemJob.job_type == job_type,
                SystemJob.subject == subject,
                SystemJob.status.in_([JobStatus.pending, JobStatus.running]),
            )
        )
        if active is not None:
            raise _busy(job_type, active)
    job = SystemJob(
        job_type=job_type,
        user_id=user_id,
        subject=subject,
        status=JobStatus.pending,
        task=task,
        payload=payload,
        sent_at=utcnow(),
    )
    try:
        with db.begin_nested():
            db.add(job)
    except IntegrityError:  # another request queued the same job a moment ago
        raise _busy(job_type, None) from None
    return job


def _busy(job_type: JobType, active: SystemJob | None) -> Conflict:
    what = job_type.value.replace("_", " ")
    if active is None:
        return Conflict(f"A {what} job is already queued for this; wait for it to finish.")
    return Conflict(
        f"A {what} job is already {active.status.value} for this (job {active.id}); "
        "wait for it to finish.",
        job_id=str(active.id),
    )


def list_jobs(db: Session, user: User, *, limit: int = 50) -> list[SystemJob]:
    stmt = (
        select(SystemJob)
        .where(owned_by(SystemJob.user_id, user))
        .order_by(SystemJob.created_at.desc())
        .limit(limit)
    )
    return list(db.scalars(stmt))


def get_job(db: Session, user: User, job_id: uuid.UUID) -> SystemJob:
    return get_owned(db, SystemJob, job_id, user, what="job")
