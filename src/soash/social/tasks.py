"""Tasks for syncing: one account, and the hourly sweep of due accounts."""

from __future__ import annotations

import uuid
from typing import Any

from huey import crontab

from soash import jobs
from soash.db import session_scope, utcnow
from soash.errors import Conflict
from soash.social import service
from soash.social.sync import SYNC_TASK, run_sync


@jobs.task(SYNC_TASK)
def sync_account_task(result: dict[str, Any], *, account_id: str) -> None:
    run_sync(uuid.UUID(account_id), report=result)


def queue_due_syncs() -> int:
    """Queue a sync of every account due one; an account whose sync is already queued or
    running is left to it. Returns how many were queued."""
    queued = 0
    with session_scope() as db:
        for account in service.accounts_due(db, utcnow()):
            try:
                service.queue_sync(db, account)
                queued += 1
            except Conflict:
                continue
    return queued


@jobs.periodic_task(crontab(minute="5"), name="social.sync_due_accounts")
def sync_due_accounts() -> None:
    queue_due_syncs()
