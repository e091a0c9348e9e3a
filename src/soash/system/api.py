"""Routes for job records and health checks."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Query, Request
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from soash.config import get_settings
from soash.db import get_engine
from soash.deps import DB, CurrentUser
from soash.problems import database_unavailable
from soash.system import service
from soash.system.schemas import JobOut

jobs = APIRouter(tags=["jobs"])
health = APIRouter(tags=["health"])


@jobs.get("/jobs", response_model=list[JobOut])
def list_jobs(user: CurrentUser, db: DB, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Any:
    return service.list_jobs(db, user, limit=limit)


@jobs.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: uuid.UUID, user: CurrentUser, db: DB) -> Any:
    return service.get_job(db, user, job_id)


@health.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up. Touches neither the database nor the thread pool (``async``), so it
    answers while the database hangs and every worker thread waits on it."""
    return {"status": "ok"}


# Probes get their own few threads: a probe stuck on a hung database is abandoned (the thread
# ends by itself at the connect timeout), and never waits behind the requests' thread pool.
_PROBES = anyio.CapacityLimiter(4)


def _ping() -> None:
    with get_engine().connect() as conn:
        conn.execute(text("SELECT 1"))


@health.get("/readyz", response_model=dict[str, str])
async def readyz(request: Request) -> Any:
    """Ready when the database answers ``SELECT 1`` within the ready timeout; 503 otherwise."""
    try:
        with anyio.fail_after(get_settings().db.ready_timeout_seconds):
            await anyio.to_thread.run_sync(_ping, abandon_on_cancel=True, limiter=_PROBES)
    except (TimeoutError, OperationalError, PoolTimeout):
        return database_unavailable(request.url.path)
    return {"status": "ready", "database": "ok"}
