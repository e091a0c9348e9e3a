"""Tasks for insights: one user's run, and every user's nightly run after the daily sync."""

from __future__ import annotations

import uuid
from typing import Any

from huey import crontab
from sqlalchemy import select

from soash import jobs
from soash.config import get_settings
from soash.db import session_scope
from soash.errors import Conflict
from soash.insights import service
from soash.insights.generate import run_generation
from soash.social.models import SocialAccount


@jobs.task(service.GENERATE_TASK)
def generate_insights_task(result: dict[str, Any], *, user_id: str) -> None:
    result.update(run_generation(uuid.UUID(user_id)))


def queue_nightly_runs() -> int:
    """One insight job per user with an active account; a user whose run is already queued
    or running is left to it. Returns how many were queued."""
    queued = 0
    with session_scope() as db:
        users = set(db.scalars(select(SocialAccount.user_id).where(SocialAccount.syncable)))
        for user_id in sorted(users):
            try:
                service.queue_run(db, user_id)
                queued += 1
            except Conflict:
                continue
    return queued


def _nightly_hour() -> str:
    return str((get_settings().sync.hour_utc + 2) % 24)


@jobs.periodic_task(crontab(minute="30", hour=_nightly_hour()), name="insights.generate_nightly")
def generate_nightly() -> None:
    """Two hours after the daily sync."""
    queue_nightly_runs()
