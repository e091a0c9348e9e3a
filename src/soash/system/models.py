"""The record of every long job: what ran, for whom, how it ended."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from soash.db import Base, IdMixin, JSONType, TimestampMixin, enum_type


class JobType(StrEnum):
    sync_metrics = "sync_metrics"
    generate_insights = "generate_insights"
    import_data = "import_data"
    seed_demo = "seed_demo"
    retention_purge = "retention_purge"
    referral_payout = "referral_payout"
    publish_post = "publish_post"
    send_email = "send_email"


class JobStatus(StrEnum):
    pending = "pending"
    running = "running"
    completed = "completed"
    failed = "failed"


class SystemJob(IdMixin, TimestampMixin, Base):
    __tablename__ = "system_jobs"
    __table_args__ = (
        Index("idx_system_jobs_user_created", "user_id", "created_at"),
        Index("idx_system_jobs_status_lease", "status", "lease_expires_at"),
        # At most one pending or running job per subject (e.g. one sync per account).
        Index(
            "uq_system_jobs_active_subject",
            "job_type",
            "subject",
            unique=True,
            sqlite_where=text("status IN ('pending', 'running')"),
            postgresql_where=text("status IN ('pending', 'running')"),
        ),
    )

    job_type: Mapped[JobType] = mapped_column(enum_type(JobType))
    # Jobs outlive their user: the row stays, the link goes.
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # What the job is about (e.g. a social account id), for "one at a time" checks.
    subject: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.pending)
    error_message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # The durable record of the work: the task that does it and its arguments (a job without
    # a task runs in the process that created it and cannot be re-queued), how often a worker
    # started it, and the lease the running worker renews (expired: the sweep re-queues it).
    task: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    worker: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    # Not before this time (a rate limit's reset); and when its wake-up was last sent.
    run_after: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
