"""The sweep: ``system_jobs`` is the durable record of work, the queue only a wake-up.

Run every minute by the worker. A running job whose lease expired (its worker died) goes back
to pending and is woken again, up to ``max_attempts``; a pending job whose wake-up was lost
(the queue was wiped, the broker restarted) is woken again. A job that no worker can redo
(it ran in a process that died, with no task to re-run) is failed with a message that says so.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from soash.config import get_settings
from soash.system.models import JobStatus, SystemJob


@dataclass
class SweepResult:
    """What the sweep did; ``wake`` lists (job id, task name) to send after the commit."""

    requeued: int = 0
    resent: int = 0
    failed: int = 0
    wake: list[tuple[uuid.UUID, str]] = field(default_factory=list)


def sweep(db: Session, *, now: datetime) -> SweepResult:
    settings = get_settings().jobs
    result = SweepResult()
    expired = db.execute(
        select(SystemJob.id, SystemJob.task, SystemJob.attempts, SystemJob.worker).where(
            SystemJob.status == JobStatus.running, SystemJob.lease_expires_at < now
        )
    ).all()
    for job in expired:
        if job.task is None or job.attempts >= settings.max_attempts:
            why = (
                "the process running it stopped before it finished; nothing it had not "
                "committed was kept. Run it again."
                if job.task is None
                else f"gave up after {job.attempts} attempts: the worker stopped each time."
            )
            values = {"status": JobStatus.failed, "completed_at": now, "error_message": why}
            result.failed += _move(db, job.id, now, JobStatus.running, values)
        else:
            values = {
                "status": JobStatus.pending,
                "worker": None,
                "sent_at": now,
                "error_message": f"re-queued: its worker ({job.worker}) stopped responding",
            }
            if _move(db, job.id, now, JobStatus.running, values):
                result.requeued += 1
                result.wake.append((job.id, job.task))
    lost_before = now - timedelta(seconds=settings.resend_after_seconds)
    waiting = db.execute(
        select(SystemJob.id, SystemJob.task).where(
            SystemJob.status == JobStatus.pending,
            or_(SystemJob.sent_at.is_(None), SystemJob.sent_at < lost_before),
            or_(SystemJob.run_after.is_(None), SystemJob.run_after <= now),
        )
    ).all()
    for pending in waiting:
        if pending.task is None:
            values = {
                "status": JobStatus.failed,
                "completed_at": now,
                "error_message": "the process that queued it stopped before starting it.",
            }
            result.failed += _move(db, pending.id, now, JobStatus.pending, values)
        elif _move(db, pending.id, now, JobStatus.pending, {"sent_at": now}):
            result.resent += 1
            result.wake.append((pending.id, pending.task))
    return result


def _move(
    db: Session, job_id: uuid.UUID, now: datetime, status: JobStatus, values: dict[str, object]
) -> int:
    """Change the job only if it is still as the sweep saw it (a worker may have moved it)."""
    stmt = update(SystemJob).where(SystemJob.id == job_id, SystemJob.status == status)
    if status is JobStatus.running:
        stmt = stmt.where(SystemJob.lease_expires_at < now).values(lease_expires_at=None)
    done = db.execute(stmt.values(updated_at=now, **values))
    return int(done.rowcount)  # type: ignore[attr-defined]
