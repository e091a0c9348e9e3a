"""Routes for job records and health checks."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import text

from soash.deps import DB, CurrentUser
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
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@health.get("/readyz")
def readyz(db: DB) -> dict[str, str]:
    db.execute(text("SELECT 1"))
    return {"status": "ready", "database": "ok"}
