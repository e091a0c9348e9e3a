"""Job records: every long job leaves a system_jobs row; users see only their own."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from soash.db import session_scope
from soash.system.models import JobStatus, JobType, SystemJob
from soash.system.runner import run_job
from tests.helpers import Api


def _job(job_id: uuid.UUID) -> SystemJob:
    with session_scope() as db:
        return db.get_one(SystemJob, job_id)


def test_a_job_that_finishes_is_recorded_completed_with_its_result(api: Api) -> None:
    user = api.user()
    with run_job(job_type=JobType.seed_demo, user_id=uuid.UUID(user.id)) as result:
        result["posts"] = 3
    with session_scope() as db:
        job = db.scalars(select(SystemJob)).one()
    assert job.status is JobStatus.completed
    assert job.result == {"posts": 3}
    assert job.started_at is not None and job.completed_at is not None
    assert job.completed_at >= job.started_at


def test_a_job_that_fails_is_recorded_failed_with_the_error(api: Api) -> None:
    user = api.user()
    with (
        pytest.raises(RuntimeError),
        run_job(job_type=JobType.sync_metrics, user_id=uuid.UUID(user.id)),
    ):
        raise RuntimeError("platform answered garbage")
    with session_scope() as db:
        job = db.scalars(select(SystemJob)).one()
    assert job.status is JobStatus.failed
    assert job.error_message == "platform answered garbage"


def test_users_list_and_read_only_their_own_jobs(api: Api) -> None:
    alice, bob = api.user(), api.user()
    with run_job(job_type=JobType.sync_metrics, user_id=uuid.UUID(alice.id)):
        pass
    with session_scope() as db:
        alice_job = db.scalars(select(SystemJob)).one().id

    listed = api.client.get("/api/v1/jobs", headers=alice.headers)
    assert [j["id"] for j in listed.json()] == [str(alice_job)]
    assert listed.json()[0]["status"] == "completed"
    assert api.client.get("/api/v1/jobs", headers=bob.headers).json() == []

    own = api.client.get(f"/api/v1/jobs/{alice_job}", headers=alice.headers)
    assert own.status_code == 200
    other = api.client.get(f"/api/v1/jobs/{alice_job}", headers=bob.headers)
    assert other.status_code == 404
    assert other.headers["content-type"] == "application/problem+json"


def test_a_bad_uuid_in_the_path_is_a_clear_422(api: Api) -> None:
    user = api.user()
    response = api.client.get("/api/v1/jobs/not-a-uuid", headers=user.headers)
    assert response.status_code == 422
    assert "UUID" in response.json()["detail"]
