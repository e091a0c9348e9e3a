"""Tasks for publishing: one post at its time, and the minute sweep for lost ones."""

from __future__ import annotations

import uuid
from typing import Any

from huey import crontab

from soash import jobs
from soash.db import session_scope, utcnow
from soash.publishing.dispatch import publish_post
from soash.publishing.service import PUBLISH_TASK
from soash.publishing.sweep import requeue_lost


@jobs.task(PUBLISH_TASK)
def publish_post_task(result: dict[str, Any], *, post_id: str) -> None:
    publish_post(uuid.UUID(post_id), result=result)


def sweep_posts() -> int:
    """Give every due post that lost its job a new one (sent after commit); how many."""
    with session_scope() as db:
        return requeue_lost(db, now=utcnow())


@jobs.periodic_task(crontab(minute="*"), name="publishing.sweep_posts")
def sweep_posts_task() -> None:
    sweep_posts()
