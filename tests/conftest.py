"""Test set-up: a real database per test worker (SQLite file, or PostgreSQL when
SOASH_TEST_DATABASE_URL is set), built by the migrations, emptied after every test."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.pgadmin import create, drop, with_database

# Settings are read once per process: fix the environment before anything imports soash.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
_TMP = Path(tempfile.mkdtemp(prefix=f"soash-test-{_WORKER}-"))
_SERVER_URL = os.environ.get("SOASH_TEST_DATABASE_URL", "")
_PG_BASE = _SERVER_URL.rsplit("/", 1)[-1] or "soash"
_PG_NAME = f"{_PG_BASE}_{_WORKER}_{uuid.uuid4().hex[:8]}".lower()[:63]
if _SERVER_URL.startswith("postgresql"):
    _DB_URL = with_database(_SERVER_URL, _PG_NAME)
else:
    _DB_URL = f"sqlite:///{_TMP / 'soash.db'}"
for key in [k for k in os.environ if k.startswith("SOASH_") and k != "SOASH_TEST_DATABASE_URL"]:
    del os.environ[key]
os.environ.update(
    {
        "SOASH_ENV": "test",
        "SOASH_DATA_DIR": str(_TMP / "data"),
        "SOASH_DATABASE_URL": _DB_URL,
        "SOASH_SECURITY_SESSION_SECRET": "test-session-secret-" + uuid.uuid4().hex,
        "SOASH_SECURITY_ENCRYPTION_KEYS": "t1:" + "A" * 43,
        "SOASH_BASE_URL": "http://testserver",
        # Real argon2id, at a cost that keeps a suite of thousands of sign-ins quick.
        "SOASH_SECURITY_ARGON2_TIME_COST": "1",
        "SOASH_SECURITY_ARGON2_MEMORY_KIB": "8192",
    }
)

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from soash import migrate  # noqa: E402
from soash.app import create_app  # noqa: E402
from soash.config import Settings, get_settings  # noqa: E402
from soash.db import get_engine  # noqa: E402
from soash.jobs import huey  # noqa: E402
from soash.models import Base  # noqa: E402
from soash.ratelimit import MemoryCounter, get_counter  # noqa: E402
from tests.fakes.x import XFake  # noqa: E402
from tests.helpers import Api  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[str]:
    if _SERVER_URL.startswith("postgresql"):
        create(_SERVER_URL, _PG_NAME)
    migrate.upgrade(_DB_URL)
    yield _DB_URL
    get_engine().dispose()
    if _SERVER_URL.startswith("postgresql"):
        drop(_SERVER_URL, _PG_NAME)
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture(autouse=True)
def _clean_state(database: str) -> Iterator[None]:
    yield
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with get_engine().begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608 - our table names
    counter = get_counter()
    if isinstance(counter, MemoryCounter):
        counter.reset()
    shutil.rmtree(get_settings().outbox_dir, ignore_errors=True)


@pytest.fixture
def settings() -> Settings:
    return get_settings()


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def outbox(settings: Settings) -> Path:
    return settings.outbox_dir


@pytest.fixture
def inline_jobs() -> Iterator[None]:
    """Queued tasks run at once, in this process (Huey's immediate mode)."""
    huey.immediate = True
    yield
    huey.immediate = False


@pytest.fixture
def x_fake(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[XFake]:
    """X's fake API on 127.0.0.1, with Soash's X app pointed at it."""
    fake = XFake()
    fake.start()
    for name, value in fake.settings():
        monkeypatch.setattr(settings.x, name, value)
    monkeypatch.setattr(settings.sync, "http_timeout_seconds", 2.0)
    yield fake
    fake.stop()
