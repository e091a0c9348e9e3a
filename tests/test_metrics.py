"""Metrics: request latency by route template, pool usage, and the figures read from the
database and the queue at scrape time."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from soash.app import create_app
from soash.config import Settings
from soash.db import session_scope, utcnow
from soash.metrics.database import DatabaseCollector
from soash.social.models import Platform
from soash.system.models import JobStatus, JobType, SystemJob
from tests.factories import make_user
from tests.social.conftest import make_account


def _count(route: str, status: str) -> float:
    value = REGISTRY.get_sample_value(
        "soash_http_request_duration_seconds_count",
        {"method": "GET", "route": route, "status": status},
    )
    return value or 0.0


def test_requests_are_timed_by_route_template_when_metrics_are_on(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.metrics, "port", 9464)
    template = "/api/v1/jobs/{job_id}"
    before, unmatched = _count(template, "401"), _count("unmatched", "404")
    with TestClient(create_app()) as client:
        for _ in range(3):
            assert client.get(f"/api/v1/jobs/{uuid.uuid4()}").status_code == 401
        assert client.get("/no/such/page/at/all").status_code == 404
    assert _count(template, "401") == before + 3  # one series, whatever the id
    assert _count("unmatched", "404") == unmatched + 1
    assert REGISTRY.get_sample_value("soash_db_pool_checked_out") == 0


def test_the_app_records_nothing_when_metrics_are_off(settings: Settings) -> None:
    assert settings.metrics.port is None
    app = create_app()
    assert "RequestMetrics" not in {m.cls.__name__ for m in app.user_middleware}  # type: ignore[attr-defined]


def _job(job_type: JobType, status: JobStatus, *, took: float, subject: str | None = None) -> None:
    now = utcnow()
    with session_scope() as db:
        db.add(
            SystemJob(
                job_type=job_type,
                status=status,
                subject=subject,
                started_at=now - timedelta(seconds=took) if took >= 0 else None,
                completed_at=now if status in (JobStatus.completed, JobStatus.failed) else None,
            )
        )


def test_job_queue_and_sync_figures_are_read_at_scrape_time() -> None:
    user = make_user()
    tiktok = make_account(user, platform=Platform.tiktok, platform_user_id="demo-tt-1")
    _job(JobType.sync_metrics, JobStatus.completed, took=2)
    _job(JobType.sync_metrics, JobStatus.completed, took=40)
    _job(JobType.sync_metrics, JobStatus.failed, took=3, subject=str(tiktok))
    _job(JobType.generate_insights, JobStatus.running, took=10)
    with session_scope() as db:  # a running job whose worker stopped renewing its lease
        stale = db.scalars(
            SystemJob.__table__.select().where(SystemJob.status == JobStatus.running)
        ).one()
        db.get_one(SystemJob, stale).lease_expires_at = utcnow() - timedelta(minutes=5)

    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in DatabaseCollector().collect()
        for s in family.samples
    }

    def value(name: str, **labels: str) -> float | None:
        return samples.get((name, tuple(sorted(labels.items()))))

    assert value("soash_jobs", type="sync_metrics", status="completed") == 2
    assert value("soash_jobs", type="sync_metrics", status="failed") == 1
    durations = {"type": "sync_metrics", "status": "completed"}
    assert value("soash_job_duration_seconds_bucket", le="5.0", **durations) == 1
    assert value("soash_job_duration_seconds_bucket", le="60.0", **durations) == 2
    assert value("soash_job_duration_seconds_gcount", **durations) == 2
    assert value("soash_sync_failures", platform="tiktok") == 1
    assert value("soash_jobs_lease_expired", type="generate_insights") == 1
    assert value("soash_queue_depth") is not None
