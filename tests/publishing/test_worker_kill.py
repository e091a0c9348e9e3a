"""kill -9 of a real `soash worker` in the middle of a publish: after the sweep a second
worker finishes it, and exactly one post reaches the X fake."""

from __future__ import annotations

import signal
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from soash import jobs
from soash.config import Settings
from soash.db import session_scope
from soash.publishing.models import ScheduledContentType, ScheduledPost, ScheduledStatus
from soash.publishing.service import queue_job
from soash.social.models import Platform
from soash.social.platforms.base import TokenSet
from soash.system.tasks import sweep_jobs
from tests.factories import make_user
from tests.fakes.x import XFake
from tests.social.conftest import make_account
from tests.system.test_worker_kill import _env, _lease_expired, _wait, _worker


@pytest.fixture
def x_platform(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[XFake]:
    fake = XFake()
    fake.start()
    for name, value in fake.settings():
        monkeypatch.setattr(settings.x, name, value)
    yield fake
    fake.stop()


def _publish_now(user: uuid.UUID, account: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    now = datetime.now(UTC)
    with session_scope() as db:
        post = ScheduledPost(
            id=uuid.uuid4(),
            user_id=user,
            social_account_id=account,
            content_type=ScheduledContentType.text,
            caption="Killed mid-publish, sent once",
            media_urls=[],
            hashtags=[],
            scheduled_for=now,
            status=ScheduledStatus.scheduled,
        )
        db.add(post)
        db.flush()
        queue_job(db, post, now)
        assert post.job_id is not None
        return post.id, post.job_id


def _status(post_id: uuid.UUID) -> ScheduledStatus:
    with session_scope() as db:
        return db.get_one(ScheduledPost, post_id).status


# "accepted": X made the post and the worker dies waiting for the answer;
# "sent": the worker dies while X has not yet made it.
@pytest.mark.parametrize("point", ["accepted", "sent"])
def test_a_publish_killed_mid_call_reaches_x_exactly_once(x_platform: XFake, point: str) -> None:
    jobs.huey.flush()
    user = make_user()
    account = make_account(
        user,
        platform=Platform.twitter,
        platform_user_id=x_platform.user["id"],
        tokens=TokenSet(access_token=x_platform.token()),
    )
    env = _env(x_platform, {})
    if point == "accepted":
        x_platform.hang_after_create = 600
    else:
        x_platform.fail_next("hang", seconds=600, path="/2/tweets")
    first = _worker(env)
    try:
        post_id, job_id = _publish_now(user, account)

        def reached() -> bool:
            assert first.poll() is None, "the worker stopped on its own"
            return any(r.method == "POST" and r.path == "/2/tweets" for r in x_platform.requests)

        _wait("the worker to call POST /2/tweets", reached)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        first.kill()
    x_platform.hang_after_create = 0
    x_platform.clear_faults()
    assert _status(post_id) is ScheduledStatus.publishing
    second = _worker(env)
    try:
        _wait("the lease to expire", lambda: _lease_expired(job_id))
        sweep_jobs()
        _wait("the post to be published", lambda: _status(post_id) is ScheduledStatus.published)
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert len(x_platform.created) == 1
    with session_scope() as db:
        post = db.get_one(ScheduledPost, post_id)
        assert post.platform_post_id == x_platform.created[0]
        assert post.attempts == 2
