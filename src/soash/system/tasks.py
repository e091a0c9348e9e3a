"""The sweep, every minute in the worker (see :mod:`soash.system.sweep`)."""

from __future__ import annotations

import functools
import logging

from huey import crontab

from soash import jobs
from soash.db import session_scope, utcnow
from soash.system.sweep import SweepResult, sweep

log = logging.getLogger(__name__)


def sweep_jobs() -> SweepResult:
    """One sweep: re-queue what dead workers and lost messages left; wake it after commit."""
    with session_scope() as db:
        result = sweep(db, now=utcnow())
        for job_id, task_name in result.wake:
            jobs.defer(db, functools.partial(jobs.send, task_name, job_id))
    if result.requeued or result.resent or result.failed:
        log.info(
            "job sweep: %d re-queued, %d woken again, %d failed",
            result.requeued,
            result.resent,
            result.failed,
        )
    return result


@jobs.periodic_task(crontab(minute="*"), name="system.sweep_jobs")
def sweep_jobs_task() -> None:
    sweep_jobs()
