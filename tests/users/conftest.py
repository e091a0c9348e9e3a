"""Helpers for the accounts API tests: problem-details checks and raw database access."""

from __future__ import annotations

import socket
import uuid
from typing import Any

import pytest
from httpx import Response
from sqlalchemy import Uuid, bindparam, text

from soash.db import get_engine
from tests.helpers import Api, User

PROBLEM_JSON = "application/problem+json"


def assert_problem(response: Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with ``status``; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["type"], str)
    assert body["type"]
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def count_rows(table: str, **equals: Any) -> int:
    """``SELECT COUNT(*) FROM table [WHERE col = value AND ...]``, straight from the database.

    ``None`` matches NULL; UUIDs are bound with the portable UUID type."""
    clauses = [
        f"{col} IS NULL" if value is None else f"{col} = :{col}" for col, value in equals.items()
    ]
    stmt = text(
        f"SELECT COUNT(*) FROM {table}"  # noqa: S608 - table and column names are ours
        + (" WHERE " + " AND ".join(clauses) if clauses else "")
    )
    binds = [
        bindparam(col, value, type_=Uuid() if isinstance(value, uuid.UUID) else None)
        for col, value in equals.items()
        if value is not None
    ]
    with get_engine().connect() as conn:
        value = conn.execute(stmt.bindparams(*binds)).scalar_one()
    return int(value)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def user(api: Api) -> User:
    """A verified, signed-in user (Bearer token in ``user.headers``)."""
    return api.user()
