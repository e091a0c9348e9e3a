"""The Huey job queue: an embedded SQLite queue by default, Redis when SOASH_REDIS_URL is set.

``system_jobs`` is the durable record of work; the queue only wakes a worker. A task is
declared with :func:`task` in its domain's ``tasks.py`` (named ``domain.verb_object``) and
queued with :func:`enqueue`, which records the job row in the caller's transaction and sends
the wake-up after that transaction commits (nothing is sent if it rolls back). The worker
claims the job, holds its lease while it runs, and records how it ended; the sweep
(:mod:`soash.system.sweep`) wakes whatever a dead worker or a lost message left behind.
"""

from __future__ import annotations

import importlib
import logging
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from soash.config import get_settings
from soash.db import utcnow
from soash.system.models import JobType, SystemJob
from soash.system.runner import JobDeferred, JobFailed, claim, running
from soash.system.service import create_job

log = logging.getLogger(__name__)

TASK_MODULES: tuple[str, ...] = (
    "soash.system.tasks",
    "soash.social.tasks",
    "soash.retention.tasks",
    "soash.insights.tasks",
    "soash.publishing.tasks",
    "soash.users.tasks",
)


def _make_huey() -> Huey:
    settings = get_settings()
    name = settings.jobs.queue_name
    if settings.redis_url:
        return RedisHuey(name, url=settings.redis_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(settings.data_dir / "jobs.db"))


huey: Huey = _make_huey()


def load_tasks() -> None:
    """Import every task module so the consumer knows every task."""
    for module in TASK_MODULES:
        importlib.import_module(module)


# -- sending after commit ----------------------------------------------------------------------

_DEFERRED = "soash_deferred"


def defer(db: Session, send: Callable[[], Any]) -> None:
    """Call ``send`` once ``db``'s transaction commits; drop it if that transaction (or the
    savepoint it was deferred in) rolls back."""
    deferred: list[tuple[SessionTransaction, Callable[[], Any]]]
    deferred = db.info.setdefault(_DEFERRED, [])
    transaction = db.get_nested_transaction() or db.get_transaction() or db.begin()
    deferred.append((transaction, send))


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(db: Session, previous: SessionTransaction) -> None:
    def inside(tx: SessionTransaction | None) -> bool:
        while tx is not None:
            if tx is previous:
                return True
            tx = tx.parent
        return False

    if _DEFERRED in db.info:
        db.info[_DEFERRED] = [(tx, send) for tx, send in db.info[_DEFERRED] if not inside(tx)]


@event.listens_for(Session, "after_commit")
def _send_committed(db: Session) -> None:
    if db.in_nested_transaction():  # a savepoint was released: the transaction goes on
        return
    for _tx, send in db.info.pop(_DEFERRED, []):
        try:
            send()
        except Exception:  # the broker is only a wake-up: the sweep sends it again
            log.exception("could not queue a job; the sweep will send it again")


# -- durable tasks -----------------------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])
Work = Callable[..., None]


@dataclass(frozen=True)
class Task:
    """A task: ``work(result, **payload)``; ``wake`` is the Huey task that takes a job id."""

    name: str
    work: Work
    wake: Any


TASKS: dict[str, Task] = {}


def task(name: str) -> Callable[[Work], Task]:
    """Declare a durable task: ``work(result, **payload)`` where ``result`` is the dict
    stored as the job's result and ``payload`` what :func:`enqueue` was given."""

    def decorator(work: Work) -> Task:
        def wake(job_id: str) -> None:
            run_queued(uuid.UUID(job_id))

        declared = Task(name, work, huey.task(name=name)(wake))
        TASKS[name] = declared
        return declared

    return decorator


def send(task_name: str, job_id: uuid.UUID, *, delay: float | None = None) -> None:
    """Wake a worker for the job (now, or after ``delay`` seconds)."""
    load_tasks()
    wake = TASKS[task_name].wake
    if delay:
        # Rounded up: a wake-up before the job's ``run_after`` finds it not due.
        wake.schedule(args=(str(job_id),), delay=max(1, math.ceil(delay)))
    else:
        wake(str(job_id))


def run_queued(job_id: uuid.UUID) -> None:
    """What a worker does with a wake-up: claim the job (a duplicate wake-up finds it taken
    and does nothing), run it under its lease, and send it again if it was deferred. How it
    ended is in its system_jobs row."""
    claimed = claim(job_id)
    if claimed is None or claimed.task is None:
        return
    try:
        with running(job_id) as result:
            TASKS[claimed.task].work(result, **claimed.payload)
    except JobDeferred as exc:
        send(claimed.task, job_id, delay=exc.retry_after)
    except JobFailed as exc:
        log.warning("job %s (%s) failed: %s", job_id, claimed.task, exc)
    except Exception:
        log.exception("job %s (%s) failed", job_id, claimed.task)


def enqueue(
    db: Session,
    task_name: str,
    payload: dict[str, Any],
    *,
    job_type: JobType,
    user_id: uuid.UUID | None,
    subject: str | None = None,
    delay: float | None = None,
) -> SystemJob:
    """Record a pending job in ``db``'s transaction; wake a worker once it commits. The task
    runs as ``work(result, **payload)``. With a ``subject``, a second active job for it
    raises Conflict (see ``create_job``). With a ``delay`` (seconds), the job may not run
    before then (its ``run_after``) and its wake-up is sent with that eta; the sweep wakes it
    again should the queue lose it."""
    job = create_job(
        db, job_type=job_type, user_id=user_id, subject=subject, task=task_name, payload=payload
    )
    if delay:
        job.run_after = utcnow() + timedelta(seconds=delay)
    job_id = job.id
    defer(db, lambda: send(task_name, job_id, delay=delay))
    return job


def periodic_task(schedule: Callable[..., bool], *, name: str) -> Callable[[F], F]:
    decorator: Callable[[F], F] = huey.periodic_task(schedule, name=name)
    return decorator
