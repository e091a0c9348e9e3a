"""kill -9 of a real `soash worker` mid-job, on the embedded queue and on Redis: the sweep
re-queues the job, a second worker finishes it, and every post and snapshot is there once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from sqlalchemy import select

from soash import jobs
from soash.config import Settings
from soash.db import session_scope
from soash.social import service
from soash.social.models import Platform, SocialAccount
from soash.social.platforms.base import TokenSet
from soash.system.models import JobStatus, SystemJob
from tests.fakes.x import XFake
from tests.social.conftest import counts, make_account, make_user

POSTS = 130  # two timeline pages of X's 100
LEASE_SECONDS = 3
REDIS_URL = "redis://127.0.0.1:6379/0"
# Where the worker is when it is killed: before anything is written (the profile), while the
# posts are listed, and after the posts were written (their metrics).
KILL_POINTS = ["/2/users/me", "/2/users/2244994945/tweets", "/2/tweets"]


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["embedded", "redis"])
def broker(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Environment for the worker processes: the embedded SQLite queue (the test process
    shares it), or a Redis queue of this test's own."""
    if request.param == "embedded":
        yield {}
        return
    if not _redis_up():
        pytest.skip(f"no Redis at {REDIS_URL}")
    name = f"soash-test-{uuid.uuid4().hex[:12]}"
    yield {"SOASH_REDIS_URL": REDIS_URL, "SOASH_JOBS_QUEUE_NAME": name}
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"huey.*{name}*"):
        client.delete(key)


@pytest.fixture
def x_platform(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[XFake]:
    fake = XFake()
    fake.start()
    for name, value in fake.settings():
        monkeypatch.setattr(settings.x, name, value)
    now = datetime.now(UTC)
    for n in range(POSTS):
        fake.add_post(f"19{n:05d}", created=now - timedelta(hours=5 * n + 1), likes=n)
    yield fake
    fake.stop()


def _env(fake: XFake, broker: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **broker}
    env.update({f"SOASH_X_{k.upper()}": str(v) for k, v in fake.settings() if isinstance(v, str)})
    env["SOASH_X_CLIENT_SECRET"] = fake.client_secret
    env["SOASH_JOBS_LEASE_SECONDS"] = str(LEASE_SECONDS)
    env["SOASH_SYNC_HTTP_TIMEOUT_SECONDS"] = "120"
    return env


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = open(os.environ["SOASH_DATA_DIR"] + "/worker.log", "ab")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "soash", "worker", "--workers", "2"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
    )


def _wait(what: str, done: Callable[[], Any], seconds: float = 90) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = done()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _job(job_id: uuid.UUID) -> SystemJob:
    with session_scope() as db:
        return db.get_one(SystemJob, job_id)


def _sweep(env: dict[str, str], broker: dict[str, str]) -> None:
    """Sweep now rather than wait for the worker's own sweep at the next minute (which may
    also get there first: either way the job is re-queued once)."""
    if not broker:  # the same embedded queue as this process
        from soash.system.tasks import sweep_jobs

        sweep_jobs()
        return
    subprocess.run(
        [sys.executable, "-m", "soash", "jobs", "sweep"],
        env=env,
        capture_output=True,
        timeout=120,
        check=True,
    )


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_sync_killed_mid_job_completes_once_after_the_sweep(
    x_platform: XFake, broker: dict[str, str], point: str
) -> None:
    jobs.huey.flush()
    account = make_account(
        make_user(),
        platform=Platform.twitter,
        platform_user_id=x_platform.user["id"],
        tokens=TokenSet(access_token=x_platform.token()),
    )
    env = _env(x_platform, broker)
    x_platform.fail_next("hang", seconds=600, path=point)
    first = _worker(env)
    try:
        job_id = _queue_sync(account, env, broker)
        _wait(f"the worker to reach {point}", lambda: _reached(x_platform, point, first))
        assert _job(job_id).status is JobStatus.running
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        first.kill()
    second = _worker(env)
    try:
        _wait("the lease to expire", lambda: _lease_expired(job_id))
        _sweep(env, broker)
        job = _wait(
            "the job to finish",
            lambda: (j := _job(job_id)).status in (JobStatus.completed, JobStatus.failed) and j,
        )
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert job.status is JobStatus.completed, job.error_message
    assert job.attempts == 2
    assert counts(account) == (POSTS, POSTS, 1)  # every post, one snapshot each, one day
    with session_scope() as db:
        assert len(db.scalars(select(SystemJob)).all()) == 1


def _queue_sync(account: uuid.UUID, env: dict[str, str], broker: dict[str, str]) -> uuid.UUID:
    if broker:  # this process's queue is the embedded one: queue it on Redis from the CLI
        subprocess.run(
            [sys.executable, "-m", "soash", "sync", "--queue", "--account", str(account)],
            env=env,
            check=True,
            timeout=120,
            capture_output=True,
        )
        with session_scope() as db:
            return db.scalars(select(SystemJob.id)).one()
    with session_scope() as db:
        return service.queue_sync(db, db.get_one(SocialAccount, account)).id


def _lease_expired(job_id: uuid.UUID) -> bool:
    lease = _job(job_id).lease_expires_at
    return lease is not None and lease < datetime.now(UTC)


def _reached(fake: XFake, point: str, worker: subprocess.Popen[bytes]) -> bool:
    assert worker.poll() is None, "the worker stopped on its own"
    return any(r.path == point for r in fake.requests)
