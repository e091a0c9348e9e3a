"""kill -9 of a real `soash worker` mid-job (a sync on the embedded queue and on Redis, an
insight run) and of a `soash import`: the sweep re-queues what a worker can redo, a second
worker finishes it, and every post, snapshot and recommendation is there once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import select

from soash import jobs
from soash.config import Settings
from soash.content.models import Post
from soash.db import session_scope
from soash.insights import service as insights
from soash.insights.models import ContentRecommendation
from soash.social import service
from soash.social.models import Platform, SocialAccount
from soash.social.platforms.base import TokenSet
from soash.system.models import JobStatus, SystemJob
from tests.factories import make_user
from tests.fakes.llm import FakeLlm
from tests.fakes.x import XFake
from tests.insights.conftest import store_planted
from tests.social.conftest import counts, make_account

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


@pytest.fixture
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


@pytest.mark.parametrize(
    ("broker", "point"),
    [("embedded", point) for point in KILL_POINTS] + [("redis", KILL_POINTS[-1])],
    indirect=["broker"],
)
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
    job = _recovered(job_id, env, broker)
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


def _recovered(job_id: uuid.UUID, env: dict[str, str], broker: dict[str, str]) -> SystemJob:
    """With the first worker dead: a second worker, the sweep once the lease has expired, and
    the job as it ended."""
    second = _worker(env)
    try:
        _wait("the lease to expire", lambda: _lease_expired(job_id))
        _sweep(env, broker)
        job: SystemJob = _wait(
            "the job to finish",
            lambda: (j := _job(job_id)).status in (JobStatus.completed, JobStatus.failed) and j,
        )
    finally:
        second.terminate()
        second.wait(timeout=30)
    return job


def _lease_expired(job_id: uuid.UUID) -> bool:
    lease = _job(job_id).lease_expires_at
    return lease is not None and lease < datetime.now(UTC)


def _reached(fake: XFake, point: str, worker: subprocess.Popen[bytes]) -> bool:
    assert worker.poll() is None, "the worker stopped on its own"
    return any(r.path == point for r in fake.requests)


@pytest.fixture
def llm_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeLlm, str]]:
    fake = FakeLlm()
    fake.start()
    monkeypatch.setattr(settings.llm, "base_url", f"{fake.url}/v1")
    yield fake, f"{fake.url}/v1"
    fake.stop()


def _recommendation_keys() -> list[str]:
    with session_scope() as db:
        return sorted(k or "" for k in db.scalars(select(ContentRecommendation.key)))


def test_an_insight_run_killed_while_the_model_writes_completes_once(
    llm_env: tuple[FakeLlm, str],
) -> None:
    """Killed between its two transactions (the language model is called with none open)."""
    jobs.huey.flush()
    fake, base_url = llm_env
    user_id, _ = store_planted()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "SOASH_LLM_BASE_URL": base_url,
        "SOASH_LLM_TIMEOUT_SECONDS": "120",
        "SOASH_JOBS_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    fake.fail_next("hang", seconds=600)
    first = _worker(env)
    try:
        with session_scope() as db:
            job_id = insights.queue_run(db, user_id).id
        _wait("the model to be asked", lambda: _asked(fake, first))
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        first.kill()
    job = _recovered(job_id, env, {})
    assert job.status is JobStatus.completed, job.error_message
    assert job.attempts == 2
    keys = _recommendation_keys()
    assert len(keys) == len(set(keys))
    assert any(k.startswith("idea:") for k in keys)  # written by the second attempt


def _asked(fake: FakeLlm, worker: subprocess.Popen[bytes]) -> bool:
    assert worker.poll() is None, "the worker stopped on its own"
    return bool(fake.requests)


def test_an_import_killed_mid_write_keeps_nothing_and_runs_again_whole(
    tmp_path: Path,
) -> None:
    """An import runs in the process that was given the file: killed, it keeps nothing (one
    transaction), the sweep marks it failed ("run it again"), and running it again imports
    every row once."""
    user_id = make_user("importer@example.com")
    rows = 60_000
    path = tmp_path / "posts.csv"
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with path.open("w") as out:
        out.write(
            "platform,account,platform_post_id,content_type,caption,hashtags,posted_at,"
            "metric_date,likes,comments,shares,saves,reach,impressions\n"
        )
        for n in range(rows):
            posted = start + timedelta(hours=n // 3)
            day = (posted + timedelta(days=n % 3)).date()
            out.write(
                f"instagram,bakery,p{n // 3},image,Post {n // 3},bread,"
                f"{posted.isoformat()},{day},{n % 97},1,0,0,100,120\n"
            )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "SOASH_JOBS_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    command = [sys.executable, "-m", "soash", "import", "posts", str(path)]
    command += ["--user", "importer@example.com"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        job_id = _wait("the import to start", lambda: _running_import(process))
        time.sleep(1.0)
        assert process.poll() is None, "the import finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        process.kill()
    assert _post_count(user_id) == 0  # one transaction: nothing kept
    _wait("the lease to expire", lambda: _lease_expired(job_id))
    _sweep(env, {})
    failed = _job(job_id)
    assert failed.status is JobStatus.failed
    assert failed.error_message is not None and "Run it again" in failed.error_message

    subprocess.run(command, env=env, check=True, capture_output=True, timeout=600)
    assert _post_count(user_id) == rows // 3
    with session_scope() as db:
        statuses = sorted(j.status.value for j in db.scalars(select(SystemJob)))
    assert statuses == ["completed", "failed"]


def _running_import(process: subprocess.Popen[bytes]) -> uuid.UUID | None:
    assert process.poll() is None, "the import stopped on its own"
    with session_scope() as db:
        return db.scalar(select(SystemJob.id).where(SystemJob.status == JobStatus.running))


def _post_count(user_id: uuid.UUID) -> int:
    with session_scope() as db:
        return len(
            db.scalars(
                select(Post.id)
                .join(SocialAccount, SocialAccount.id == Post.social_account_id)
                .where(SocialAccount.user_id == user_id)
            ).all()
        )
