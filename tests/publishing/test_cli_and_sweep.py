"""``soash posts`` and the sweep that gives a due post whose job was lost a new one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from typer.testing import CliRunner

from soash.cli import app
from soash.content.models import Post
from soash.db import session_scope
from soash.publishing.models import ScheduledPost, ScheduledStatus
from soash.publishing.tasks import sweep_posts
from soash.system.models import JobStatus, SystemJob
from tests.fakes.x import XFake
from tests.helpers import Api, User
from tests.publishing.conftest import new_post, x_account

runner = CliRunner()


def test_posts_schedule_list_cancel(api: Api, owner: User) -> None:
    account = x_account(owner)
    when = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    args = ["posts", "schedule", "--user", owner.email, "--account", str(account)]
    done = runner.invoke(app, [*args, "--at", when, "--caption", "From the CLI"])
    assert done.exit_code == 0, done.output
    post_id = done.output.split()[1]
    listed = runner.invoke(app, ["posts", "list", "--user", owner.email])
    assert post_id[:8] in listed.output and "scheduled" in listed.output
    too_long = runner.invoke(app, [*args, "--at", when, "--caption", "x" * 300])
    assert too_long.exit_code == 1 and "280" in too_long.output
    gone = runner.invoke(app, ["posts", "cancel", "--user", owner.email, post_id])
    assert gone.exit_code == 0, gone.output
    with session_scope() as db:
        assert db.get_one(ScheduledPost, uuid.UUID(post_id)).status is ScheduledStatus.cancelled
    bad = runner.invoke(app, ["posts", "cancel", "--user", owner.email, "nope"])
    assert bad.exit_code == 1 and "not a post id" in bad.output


def test_the_sweep_requeues_a_due_post_whose_job_was_lost(
    api: Api, owner: User, x_fake: XFake, inline_jobs: None
) -> None:
    post_id = new_post(api, owner, x_account(owner, x_fake)).json()["id"]
    with session_scope() as db:  # the queue lost it, and its time came
        db.execute(update(SystemJob).values(status=JobStatus.failed))
        post = db.get_one(ScheduledPost, uuid.UUID(post_id))
        post.scheduled_for = datetime.now(UTC) - timedelta(seconds=1)
    assert sweep_posts() == 1
    with session_scope() as db:
        post = db.get_one(ScheduledPost, uuid.UUID(post_id))
        assert post.status is ScheduledStatus.published, post.last_error
        jobs = db.scalars(select(SystemJob).where(SystemJob.subject == post_id)).all()
        assert len(jobs) == 2
    assert len(x_fake.created) == 1
    assert sweep_posts() == 0  # nothing left to do, nothing sent twice
    assert len(x_fake.created) == 1
    with session_scope() as db:  # the sync finds the post on X
        synced = Post(
            social_account_id=post.social_account_id,
            platform_post_id=x_fake.created[0],
            media_urls=[],
            hashtags=[],
        )
        db.add(synced)
    sweep_posts()
    with session_scope() as db:
        row = db.get_one(Post, synced.id)
        assert row.is_published and row.is_scheduled
        assert row.scheduled_for == post.scheduled_for
        assert db.get_one(ScheduledPost, uuid.UUID(post_id)).post_id == row.id
