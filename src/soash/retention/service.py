"""Data retention: the ERD's policies, applied in small batches.

* system job records: after ``SOASH_RETENTION_SYSTEM_JOBS_DAYS`` (30);
* daily platform and post metrics (by ``metric_date``): after ``…_METRICS_DAYS`` (365);
* AI insights and content recommendations (by ``created_at``): after ``…_INSIGHTS_DAYS`` (365);
* users, profiles, accounts, posts, referral and billing records: kept.

A row exactly at the limit is kept; one day older goes. Each batch of at most
``SOASH_RETENTION_BATCH_SIZE`` rows is deleted in its own short transaction, so a large purge never
holds locks for long and a purge stopped half-way simply continues on its next run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, func, select
from sqlalchemy.orm import Session

from soash.config import RetentionSettings, get_settings
from soash.content.models import PostMetric
from soash.db import session_scope, utcnow
from soash.insights.models import AiInsight, ContentRecommendation
from soash.social.models import PlatformMetric
from soash.system.models import JobType, SystemJob
from soash.system.runner import run_job

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class Policy:
    table: Table
    expired: ColumnElement[bool]
    cutoff: date | datetime  # rows older than this go

    @property
    def name(self) -> str:
        return self.table.name


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def policies(now: datetime, settings: RetentionSettings) -> list[Policy]:
    jobs_cutoff = now - timedelta(days=settings.system_jobs_days)
    metrics_cutoff = now.date() - timedelta(days=settings.metrics_days)
    insights_cutoff = now - timedelta(days=settings.insights_days)
    return [
        Policy(_table(SystemJob), SystemJob.created_at < jobs_cutoff, jobs_cutoff),
        Policy(_table(PlatformMetric), PlatformMetric.metric_date < metrics_cutoff, metrics_cutoff),
        Policy(_table(PostMetric), PostMetric.metric_date < metrics_cutoff, metrics_cutoff),
        Policy(_table(AiInsight), AiInsight.created_at < insights_cutoff, insights_cutoff),
        Policy(
            _table(ContentRecommendation),
            ContentRecommendation.created_at < insights_cutoff,
            insights_cutoff,
        ),
    ]


def count_expired(db: Session, policy: Policy) -> int:
    return int(db.scalar(select(func.count()).select_from(policy.table).where(policy.expired)) or 0)


def delete_batch(db: Session, policy: Policy, *, size: int) -> int:
    """Delete at most ``size`` expired rows of one table; returns how many went."""
    ids = select(policy.table.c.id).where(policy.expired).limit(size)
    result = db.execute(delete(policy.table).where(policy.table.c.id.in_(ids)))
    return int(getattr(result, "rowcount", 0) or 0)


def _purge_table(policy: Policy, *, size: int, progress: Progress | None) -> int:
    removed = 0
    while True:
        with session_scope() as db:  # one short transaction per batch
            batch = delete_batch(db, policy, size=size)
        removed += batch
        if progress is not None:
            progress(policy.name, removed)
        if batch < size:
            return removed


@dataclass(frozen=True)
class PurgeResult:
    dry_run: bool
    counts: dict[str, int]
    cutoffs: dict[str, str]


def purge(
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> PurgeResult:
    """Apply every policy (or with ``dry_run`` count what would go); recorded as a
    ``retention_purge`` job whose result holds the counts per table."""
    settings = get_settings().retention
    now = now or utcnow()
    counts: dict[str, int] = {}
    todo = policies(now, settings)
    cutoffs = {p.name: p.cutoff.isoformat() for p in todo}
    with run_job(job_type=JobType.retention_purge) as record:
        record.update(dry_run=dry_run, cutoffs=cutoffs, deleted=counts)
        for policy in todo:
            if dry_run:
                with session_scope() as db:
                    counts[policy.name] = count_expired(db, policy)
            else:
                counts[policy.name] = _purge_table(
                    policy, size=settings.batch_size, progress=progress
                )
    return PurgeResult(dry_run=dry_run, counts=counts, cutoffs=cutoffs)
