"""Queue tasks for insights: one user on demand, and every user nightly after the sync."""

from __future__ import annotations

import uuid

from huey import crontab
from sqlalchemy import select

from soash.config import get_settings
from soash.db import session_scope
from soash.insights.generate import generate_insights
from soash.jobs import periodic_task, task
from soash.social.models import SocialAccount


@task(name="insights.generate_for_user")
def generate_insights_task(user_id: str, job_id: str) -> None:
    generate_insights(uuid.UUID(user_id), job_id=uuid.UUID(job_id))


def _nightly_hour() -> str:
    return str((get_settings().sync.hour_utc + 2) % 24)


@periodic_task(crontab(minute="30", hour=_nightly_hour()), name="insights.generate_nightly")
def generate_nightly() -> None:
    """Two hours after the daily sync, for every user with an active account."""
    with session_scope() as db:
        users = set(db.scalars(select(SocialAccount.user_id).where(SocialAccount.is_active)))
    for user_id in users:
        generate_insights(user_id)
