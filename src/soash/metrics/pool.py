"""Database connection pool usage, per web worker process (summed over live processes)."""

from __future__ import annotations

from typing import Any

from prometheus_client import Gauge
from sqlalchemy import event
from sqlalchemy.pool import Pool

CHECKED_OUT = Gauge(
    "soash_db_pool_checked_out",
    "Database connections in use (checked out of the pool).",
    multiprocess_mode="livesum",
)
OPEN = Gauge(
    "soash_db_pool_connections",
    "Database connections open (in use or idle in the pool).",
    multiprocess_mode="livesum",
)


def _checkout(*_: Any) -> None:
    CHECKED_OUT.inc()


def _checkin(*_: Any) -> None:
    CHECKED_OUT.dec()


def _connect(*_: Any) -> None:
    OPEN.inc()


def _close(*_: Any) -> None:
    OPEN.dec()


def install() -> None:
    """Count on every pool of this process (the engines are made later, lazily)."""
    for name, listener in (
        ("checkout", _checkout),
        ("checkin", _checkin),
        ("connect", _connect),
        ("close", _close),
        ("close_detached", _close),
    ):
        if not event.contains(Pool, name, listener):
            event.listen(Pool, name, listener)
