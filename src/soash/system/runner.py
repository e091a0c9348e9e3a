"""Running a job: claim it, hold its lease while it runs, record how it ended.

A job is claimed with one conditional UPDATE (pending → running), so a wake-up delivered
twice runs it once. While it runs, a heartbeat thread renews its lease; a worker killed
mid-job stops renewing, and the sweep (:mod:`soash.system.sweep`) re-queues the job once the
lease has expired. Every status change is its own short transaction, so a failure of the
job's work is recorded although that work is rolled back.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update

from soash.config import get_settings
from soash.db import session_scope, utcnow
from soash.logs import bind_job
from soash.system.models import JobStatus, JobType, SystemJob
from soash.system.service import clean_message, create_job

log = logging.getLogger(__name__)


class JobDeferred(Exception):
    """The job cannot go on now but will later (e.g. a platform rate limit): it goes back to
    pending with this message, not to run before ``retry_after`` seconds from now."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class JobFailed(Exception):
    """The job stopped for a reason the user can act on (the message says what); logged
    without a traceback."""


@dataclass(frozen=True)
class Claimed:
    id: uuid.UUID
    task: str | None
    payload: dict[str, Any]
    attempts: int


def worker_id() -> str:
    """Who holds a lease: host, process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


def _lease(now: datetime) -> datetime:
    return now + timedelta(seconds=get_settings().jobs.lease_seconds)


def claim(job_id: uuid.UUID, *, now: datetime | None = None) -> Claimed | None:
    """Take a pending job that may run now; None when it is not (already running elsewhere,
    finished, or not due yet)."""
    now = now or utcnow()
    with session_scope() as db:
        claimed = db.execute(
            update(SystemJob)
            .where(
                SystemJob.id == job_id,
                SystemJob.status == JobStatus.pending,
                or_(SystemJob.run_after.is_(None), SystemJob.run_after <= now),
            )
            .values(
                status=JobStatus.running,
                worker=worker_id(),
                attempts=SystemJob.attempts + 1,
                lease_expires_at=_lease(now),
                started_at=func.coalesce(SystemJob.started_at, now),
                updated_at=now,
            )
            .returning(SystemJob.task, SystemJob.payload, SystemJob.attempts)
        ).first()
    if claimed is None:
        return None
    return Claimed(
        id=job_id, task=claimed.task, payload=claimed.payload or {}, attempts=claimed.attempts
    )


def _update_held(job_id: uuid.UUID, holder: str, **values: Any) -> bool:
    """Change a running job ``holder`` holds; False when it no longer holds it."""
    with session_scope() as db:
        done = db.execute(
            update(SystemJob)
            .where(
                SystemJob.id == job_id,
                SystemJob.status == JobStatus.running,
                SystemJob.worker == holder,
            )
            .values(**values)
        )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def renew(job_id: uuid.UUID, worker: str) -> bool:
    """Extend the lease; False when this worker no longer holds it."""
    now = utcnow()
    return _update_held(job_id, worker, lease_expires_at=_lease(now), updated_at=now)


class _Heartbeat:
    """Renews a running job's lease every third of the lease until stopped."""

    def __init__(self, job_id: uuid.UUID, worker: str) -> None:
        self.job_id, self.worker = job_id, worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{job_id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        interval = get_settings().jobs.lease_seconds / 3
        while not self._stop.wait(interval):
            try:
                if not renew(self.job_id, self.worker):
                    log.warning("job %s: lease lost to another worker", self.job_id)
                    return
            except Exception:  # a database blip: try again at the next beat
                log.exception("job %s: could not renew the lease", self.job_id)


def _finish(job_id: uuid.UUID, holder: str, **values: Any) -> None:
    values.setdefault("updated_at", utcnow())
    if not _update_held(job_id, holder, lease_expires_at=None, **values):
        log.warning("job %s finished after its lease was taken over", job_id)


@contextmanager
def running(job_id: uuid.UUID) -> Iterator[dict[str, Any]]:
    """Hold a claimed job's lease while the block runs; yield a dict for its result, then
    record it completed, failed, or (JobDeferred) pending again."""
    worker = worker_id()
    result: dict[str, Any] = {}
    try:
        with _Heartbeat(job_id, worker), bind_job(job_id):  # its log lines carry its id
            yield result
    except JobDeferred as exc:
        _finish(
            job_id,
            worker,
            status=JobStatus.pending,
            worker=None,
            error_message=clean_message(str(exc)),
            run_after=utcnow() + timedelta(seconds=exc.retry_after),
            result=result or None,
        )
        raise
    except BaseException as exc:
        _finish(
            job_id,
            worker,
            status=JobStatus.failed,
            error_message=clean_message(str(exc) or type(exc).__name__),
            completed_at=utcnow(),
            result=result or None,
        )
        raise
    _finish(
        job_id,
        worker,
        status=JobStatus.completed,
        error_message=None,
        completed_at=utcnow(),
        result=result or None,
    )


class NotClaimed(Exception):
    """The job is not pending (it runs elsewhere, or has finished)."""


@contextmanager
def run_job(
    job_id: uuid.UUID | None = None,
    *,
    job_type: JobType | None = None,
    user_id: uuid.UUID | None = None,
    subject: str | None = None,
    task: str | None = None,
    payload: dict[str, Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """Run work in this process as a job: the one given (pending), or a new one of
    ``job_type``. Give ``task``/``payload`` when a worker could redo the work should this
    process die; without them, a job whose process died is failed by the sweep."""
    if job_id is None:
        assert job_type is not None
        with session_scope() as db:
            job_id = create_job(
                db,
                job_type=job_type,
                user_id=user_id,
                subject=subject,
                task=task,
                payload=payload,
            ).id
    if claim(job_id) is None:
        raise NotClaimed(f"job {job_id} is not pending")
    with running(job_id) as result:
        yield result
