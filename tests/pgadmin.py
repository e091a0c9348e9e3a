"""Create or drop a PostgreSQL database: ``python -m tests.pgadmin create|drop SERVER_URL NAME``.

Used by the test harness (one database per test worker) and by CI (one per run).
"""

from __future__ import annotations

import re
import sys

from sqlalchemy import create_engine, text


def _run(server_url: str, statement: str) -> None:
    url = server_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


def _checked(name: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]{1,63}", name):
        raise ValueError(f"unsafe database name {name!r}")
    return name


def create(server_url: str, name: str) -> None:
    _run(server_url, f'CREATE DATABASE "{_checked(name)}"')


def drop(server_url: str, name: str) -> None:
    _run(server_url, f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)')


def with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + f"/{name}"


if __name__ == "__main__":
    action, server, db_name = sys.argv[1:4]
    {"create": create, "drop": drop}[action](server, db_name)
