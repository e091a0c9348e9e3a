"""A database that refuses, hangs or holds a lock: requests answer 503 with Retry-After within
the timeouts instead of 500 or hanging; /readyz says so quickly; /healthz keeps answering even
with every worker thread taken."""

from __future__ import annotations

import pathlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from soash.app import create_app
from soash.config import Settings
from soash.db import get_engine, get_sessionmaker
from soash.problems import is_unavailable
from tests.fakes.dead_database import hanging_url, refusing_url
from tests.helpers import Api

CONNECT_TIMEOUT = 2  # the least libpq allows


@contextmanager
def database_at(settings: Settings, url: str) -> Iterator[TestClient]:
    """The app with its engine pointed at ``url``; the test database again afterwards."""
    saved = settings.database_url
    settings.database_url = url
    _fresh_engine()
    try:
        with TestClient(create_app()) as client:
            yield client
    finally:
        settings.database_url = saved
        _fresh_engine()


def _fresh_engine() -> None:
    get_engine().dispose()
    get_engine.cache_clear()
    get_sessionmaker.cache_clear()


@pytest.fixture
def quick(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setattr(settings.db, "connect_timeout_seconds", CONNECT_TIMEOUT)
    monkeypatch.setattr(settings.db, "ready_timeout_seconds", 1.0)
    monkeypatch.setattr(settings.db, "statement_timeout_seconds", 1)
    return settings


def _unavailable(response: Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert "database" in response.json()["detail"]


def _timed(call: Callable[[], Response]) -> tuple[Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_a_refusing_database_is_a_503_with_retry_after(quick: Settings) -> None:
    with database_at(quick, refusing_url()) as client:
        _unavailable(client.get("/api/v1/me", headers={"Authorization": "Bearer abc"}))
        _unavailable(
            client.post("/api/v1/auth/login", json={"email": "a@example.com", "password": "x" * 9})
        )
        _unavailable(client.get("/readyz"))
        assert client.get("/healthz").status_code == 200


def test_a_hung_database_is_a_503_within_the_connect_timeout(quick: Settings) -> None:
    with hanging_url() as url, database_at(quick, url) as client:
        response, took = _timed(
            lambda: client.get("/api/v1/me", headers={"Authorization": "Bearer abc"})
        )
        _unavailable(response)
        assert took < CONNECT_TIMEOUT + 3


def test_readyz_answers_quickly_while_the_database_hangs(quick: Settings) -> None:
    with hanging_url() as url, database_at(quick, url) as client:
        response, took = _timed(lambda: client.get("/readyz"))
        _unavailable(response)
        assert took < 1.0 + 1.5  # the ready timeout, not the connect timeout


def test_healthz_answers_with_every_worker_thread_taken(quick: Settings) -> None:
    with hanging_url() as url, database_at(quick, url) as client:
        portal = client.portal
        assert portal is not None
        limiter = portal.call(anyio.to_thread.current_default_thread_limiter)
        holders = [object() for _ in range(int(limiter.total_tokens))]
        for holder in holders:  # what a flood of requests stuck on the database does
            portal.call(limiter.acquire_on_behalf_of, holder)
        try:
            answers: list[Response] = []
            probe = threading.Thread(
                target=lambda: answers.extend([client.get("/healthz"), client.get("/readyz")]),
                daemon=True,
            )
            probe.start()
            probe.join(timeout=5)
            assert [r.status_code for r in answers] == [200, 503]
        finally:
            for holder in holders:
                portal.call(limiter.release_on_behalf_of, holder)


def test_a_statement_stuck_on_a_lock_is_a_503(quick: Settings, api: Api) -> None:
    """A hung database that still accepts connections: the statement timeout ends the wait."""
    user = api.user()
    if get_engine().dialect.name != "postgresql":
        pytest.skip("statement timeouts are PostgreSQL's; SQLite waits on its busy timeout")
    _fresh_engine()  # with the 1 s statement timeout
    try:
        with get_engine().connect() as locker:
            locker.execute(text("LOCK TABLE user_sessions IN ACCESS EXCLUSIVE MODE"))
            with TestClient(create_app()) as client:
                response, took = _timed(lambda: client.get("/api/v1/me", headers=user.headers))
            locker.rollback()
        _unavailable(response)
        assert took < 5
    finally:
        _fresh_engine()


def test_no_free_pooled_connection_is_a_503(
    quick: Settings, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = api.user()
    monkeypatch.setattr(quick.db, "pool_timeout_seconds", 0.5)
    _fresh_engine()
    engine = get_engine()
    held = []
    try:
        size = engine.pool.size() + engine.pool._max_overflow  # type: ignore[attr-defined]
        held = [engine.connect() for _ in range(size)]
        with TestClient(create_app()) as client:
            response, took = _timed(lambda: client.get("/api/v1/me", headers=user.headers))
        _unavailable(response)
        assert took < 3
    finally:
        for conn in held:
            conn.close()
        _fresh_engine()


def test_a_locked_sqlite_file_is_unavailable_but_a_bad_statement_is_a_bug(
    tmp_path: pathlib.Path,
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}", connect_args={"timeout": 0})
    with engine.connect() as writer, engine.connect() as other:
        writer.execute(text("CREATE TABLE t (x INTEGER)"))
        writer.commit()
        writer.exec_driver_sql("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError) as locked:
            other.exec_driver_sql("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError) as typo:
            other.execute(text("SELEC 1"))
    engine.dispose()
    assert is_unavailable(locked.value)
    assert not is_unavailable(typo.value)
