"""The publishing sweep: a scheduled or half-published post whose job is gone gets a new one.

The job sweep (:mod:`soash.system.sweep`) re-queues jobs whose worker died; this one covers
the rest: a job lost with the queue, failed by a bug, or given up on by the job sweep, while
its post is still ``scheduled`` or ``publishing``. The new job checks the platform before
publishing (see :mod:`soash.publishing.dispatch`), so a post is never sent twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from soash.content.models import Post
from soash.publishing.dispatch import MAX_ATTEMPTS
from soash.publishing.models import ScheduledPost, ScheduledStatus
from soash.publishing.service import queue_job
from soash.system.models import JobStatus, SystemJob


def requeue_lost(db: Session, *, now: datetime) -> int:
    active = select(SystemJob.id).where(
        SystemJob.status.in_([JobStatus.pending, JobStatus.running])
    )
    lost = db.scalars(
        select(ScheduledPost).where(
            ScheduledPost.status.in_([ScheduledStatus.scheduled, ScheduledStatus.publishing]),
            ScheduledPost.scheduled_for <= now,
            or_(ScheduledPost.job_id.is_(None), ScheduledPost.job_id.not_in(active)),
        )
    ).all()
    for post in lost:
        if post.attempts >= MAX_ATTEMPTS:
            post.status = ScheduledStatus.failed
            post.last_error = (
                f"Gave up after {post.attempts} attempts: the worker stopped each time. "
                "Check the platform before retrying."
            )
            post.job_id = None
            continue
        post.job_id = None
        queue_job(db, post, now)
    return len(lost)


def link_synced(db: Session) -> int:
    """Link each published post to the row the sync made of it, and mark that row as having
    come through Soash (``is_published``, ``is_scheduled``, ``scheduled_for``); how many."""
    rows = db.execute(
        select(ScheduledPost, Post)
        .join(
            Post,
            (Post.social_account_id == ScheduledPost.social_account_id)
            & (Post.platform_post_id == ScheduledPost.platform_post_id),
        )
        .where(ScheduledPost.status == ScheduledStatus.published, ScheduledPost.post_id.is_(None))
    ).all()
    for scheduled, post in rows:
        scheduled.post_id = post.id
        post.is_published = True
        post.is_scheduled = True
        post.scheduled_for = scheduled.scheduled_for
    return len(rows)
