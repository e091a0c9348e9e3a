"""Key rotation, the due-accounts sweep, and a real `soash worker` consuming the queue."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from soash.config import Settings, new_encryption_key_spec
from soash.db import get_engine, session_scope
from soash.jobs import huey
from soash.security import KeyRing
from soash.social.models import SocialAccount
from soash.social.service import accounts_due
from soash.social.tokens import load_tokens, rotate_keys
from soash.system.models import JobStatus, SystemJob
from tests.factories import make_user
from tests.helpers import Api
from tests.social.conftest import NOW, make_account


def test_rotation_re_encrypts_every_token_under_the_new_key(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user()
    ids = [make_account(user, platform_user_id=f"demo-{n}") for n in range(3)]
    old_spec = settings.security.encryption_keys
    assert old_spec is not None
    new_spec = f"{new_encryption_key_spec('t2')},{old_spec.get_secret_value()}"
    ring = KeyRing.parse(new_spec)
    assert rotate_keys(ring=ring, batch=2) == 3
    assert rotate_keys(ring=ring, batch=2) == 0  # nothing left to do
    with get_engine().connect() as conn:
        stored = conn.execute(text("SELECT access_token, refresh_token FROM social_accounts"))
        assert all(a.startswith("v1.t2.") and r.startswith("v1.t2.") for a, r in stored)
    only_new = KeyRing.parse(new_spec.split(",")[0])  # the old key can now be dropped
    with session_scope() as db:
        for account_id in ids:
            tokens = load_tokens(db.get_one(SocialAccount, account_id), ring=only_new)
            assert tokens is not None and tokens.access_token == "tok-1"


def test_the_sweep_picks_new_stale_and_young_accounts(settings: Settings) -> None:
    user = make_user()
    fresh, stale, never = (make_account(user, platform_user_id=f"demo-{n}") for n in range(3))
    with session_scope() as db:
        db.get_one(SocialAccount, fresh).last_synced_at = NOW - timedelta(hours=2)
        db.get_one(SocialAccount, stale).last_synced_at = NOW - timedelta(hours=30)
    off_hour = NOW.replace(hour=(settings.sync.hour_utc + 5) % 24)
    with session_scope() as db:
        due = {a.id for a in accounts_due(db, off_hour)}
    assert due == {stale, never}


@pytest.fixture
def worker() -> object:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "soash", "worker", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process
    process.terminate()
    process.wait(timeout=30)


def test_a_real_worker_runs_a_queued_sync(api: Api, worker: object) -> None:
    assert not huey.immediate
    user = api.user()
    account_id = make_account(uuid.UUID(user.id), platform_user_id="demo-worker-test")
    queued = api.client.post(f"/api/v1/social-accounts/{account_id}/sync", headers=user.headers)
    assert queued.status_code == 202
    deadline = time.monotonic() + 180  # a worker starting on a busy machine
    status = None
    while time.monotonic() < deadline:
        with session_scope() as db:
            status = db.scalars(select(SystemJob.status)).one()
        if status in (JobStatus.completed, JobStatus.failed):
            break
        time.sleep(0.2)
    assert status is JobStatus.completed
    account = api.client.get(f"/api/v1/social-accounts/{account_id}", headers=user.headers)
    assert account.json()["last_synced_at"] is not None
