"""Tasks for publishing: one post at its time, and the minute sweep for lost ones."""

from __future__ import annotations

import uuid
from typing import Any

from huey import crontab

from soash import jobs
from soash.db import session_scope, utcnow
from soash.publishing.dispatch import publish_post
from soash.publishing.service import PUBLISH_TASK
from soash.publishing.sweep import link_synced, requeue_lost


@jobs.task(PUBLISH_TASK)
def publish_post_task(result: dict[str, Any], *, post_id: str) -> None:
    publish_post(uuid.UUID(post_id), result=result)


def sweep_posts() -> int:
    """Give every due post that lost its job a new one (sent after commit), and link
    published posts to the synced ones; how many were re-queued."""
    with session_scope() as db:
        requeued = requeue_lost(db, now=utcnow())
        link_synced(db)
        return requeued


@jobs.periodic_task(crontab(minute="*"), name="publishing.sweep_posts")
def sweep_posts_task() -> None:
    sweep_posts()
