"""Queue tasks for syncing: one account on demand, and the hourly sweep of due accounts."""

from __future__ import annotations

import logging
import uuid

from huey import crontab
from huey.exceptions import RetryTask

from soash.db import session_scope, utcnow
from soash.errors import Conflict
from soash.jobs import periodic_task, task
from soash.social import service
from soash.social.sync import SyncFailed, sync_account
from soash.system.service import JobDeferred

log = logging.getLogger(__name__)


@task(name="social.sync_account")
def sync_account_task(account_id: str, job_id: str) -> None:
    try:
        sync_account(uuid.UUID(account_id), job_id=uuid.UUID(job_id))
    except JobDeferred as exc:
        raise RetryTask(delay=max(1, int(exc.retry_after))) from exc
    except SyncFailed as exc:
        log.warning("sync failed: %s", exc)


@periodic_task(crontab(minute="5"), name="social.sync_due_accounts")
def sync_due_accounts() -> None:
    with session_scope() as db:
        for account in service.accounts_due(db, utcnow()):
            try:
                service.queue_sync(db, account)
            except Conflict:
                db.rollback()  # a sync of this account is already queued or running
