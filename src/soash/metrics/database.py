"""Figures read when Prometheus scrapes: jobs from ``system_jobs``, the queue from Huey."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import timedelta

from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soash.db import get_sessionmaker, utcnow
from soash.social.models import SocialAccount
from soash.system.models import JobStatus, JobType, SystemJob

WINDOW = timedelta(hours=24)
DURATION_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        with get_sessionmaker()() as db:
            yield _jobs(db)
            yield _durations(db)
            yield _lease_expired(db)
            yield _sync_failures(db)
        yield from _queue()


def _jobs(db: Session) -> Metric:
    family = GaugeMetricFamily(
        "soash_jobs", "Jobs recorded in system_jobs, by type and status.", labels=["type", "status"]
    )
    counts = db.execute(
        select(SystemJob.job_type, SystemJob.status, func.count()).group_by(
            SystemJob.job_type, SystemJob.status
        )
    )
    for job_type, status, count in counts:
        family.add_metric([job_type.value, status.value], count)
    return family


def _durations(db: Session) -> Metric:
    family = GaugeHistogramMetricFamily(
        "soash_job_duration_seconds",
        "Run time of the jobs that finished in the last 24 hours, by type and status.",
        labels=["type", "status"],
    )
    rows = db.execute(
        select(
            SystemJob.job_type, SystemJob.status, SystemJob.started_at, SystemJob.completed_at
        ).where(SystemJob.completed_at >= utcnow() - WINDOW, SystemJob.started_at.is_not(None))
    )
    seconds: dict[tuple[str, str], list[float]] = {}
    for job_type, status, started, completed in rows:
        if started is None or completed is None:
            continue
        took = max((completed - started).total_seconds(), 0.0)
        seconds.setdefault((job_type.value, status.value), []).append(took)
    for labels, values in sorted(seconds.items()):
        family.add_metric(list(labels), _buckets(values), sum(values))
    return family


def _buckets(values: Iterable[float]) -> list[tuple[str, float]]:
    ordered = sorted(values)
    cumulative = [
        (str(bound), float(sum(1 for v in ordered if v <= bound))) for bound in DURATION_BUCKETS
    ]
    return [*cumulative, ("+Inf", float(len(ordered)))]


def _lease_expired(db: Session) -> Metric:
    """Running jobs whose worker stopped renewing them: the sweep re-queues them."""
    family = GaugeMetricFamily(
        "soash_jobs_lease_expired",
        "Running jobs whose lease expired (their worker is gone), by type.",
        labels=["type"],
    )
    counts = db.execute(
        select(SystemJob.job_type, func.count())
        .where(SystemJob.status == JobStatus.running, SystemJob.lease_expires_at < utcnow())
        .group_by(SystemJob.job_type)
    )
    for job_type, count in counts:
        family.add_metric([job_type.value], count)
    return family


def _sync_failures(db: Session) -> Metric:
    family = GaugeMetricFamily(
        "soash_sync_failures",
        "Account syncs that failed in the last 24 hours, by platform.",
        labels=["platform"],
    )
    subjects = db.scalars(
        select(SystemJob.subject).where(
            SystemJob.job_type == JobType.sync_metrics,
            SystemJob.status == JobStatus.failed,
            SystemJob.completed_at >= utcnow() - WINDOW,
        )
    ).all()
    ids = []
    for subject in subjects:
        try:
            ids.append(uuid.UUID(subject or ""))
        except ValueError:
            continue
    rows = (
        db.execute(
            select(SocialAccount.id, SocialAccount.platform).where(SocialAccount.id.in_(ids))
        ).all()
        if ids
        else []
    )
    platforms = {account_id: platform for account_id, platform in rows}
    failures = Counter(platforms[i].value for i in ids if i in platforms)
    for platform, count in sorted(failures.items()):
        family.add_metric([platform], count)
    return family


def _queue() -> Iterator[Metric]:
    from soash.jobs import huey

    depth = GaugeMetricFamily("soash_queue_depth", "Tasks waiting in the queue for a worker.")
    depth.add_metric([], huey.pending_count())
    yield depth
    scheduled = GaugeMetricFamily(
        "soash_queue_scheduled", "Tasks scheduled for later (retries, deferrals)."
    )
    scheduled.add_metric([], huey.scheduled_count())
    yield scheduled
