"""publishing: scheduled post lifecycle (draft → scheduled → publishing → published | failed,
cancelled), attempts, errors, the platform's ids, the link to the synced post

Revision ID: 456a54608d50
Revises: 1d13a103b7b9
Create Date: 2026-11-30 06:05:22.730583
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import soash.db

revision: str = "456a54608d50"
down_revision: str | None = "1d13a103b7b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("scheduled", "published", "failed")
NEW_STATUSES = ("draft", "scheduled", "publishing", "published", "failed", "cancelled")
OLD_TYPES = ("image", "video", "carousel", "story")
NEW_TYPES = (*OLD_TYPES, "reel", "text")
OLD_JOBS = (
    "sync_metrics",
    "generate_insights",
    "import_data",
    "seed_demo",
    "retention_purge",
    "referral_payout",
)
NEW_JOBS = (*OLD_JOBS, "publish_post")


def _job_types(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("system_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_system_jobs_jobtype"), type_="check")
        batch_op.create_check_constraint("jobtype", sa.column("job_type").in_(values))


def upgrade() -> None:
    _job_types(NEW_JOBS)
    with op.batch_alter_table("scheduled_posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False)
        )
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("container_id", sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column("platform_post_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("permalink", sa.String(length=2048), nullable=True))
        batch_op.add_column(
            sa.Column("published_at", soash.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("post_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("job_id", sa.Uuid(), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_scheduled_posts_scheduledstatus"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("ck_scheduled_posts_scheduledcontenttype"), type_="check"
        )
        batch_op.alter_column(
            "status",
            existing_type=sa.VARCHAR(length=9),
            type_=sa.String(length=10),
            existing_nullable=False,
        )
        batch_op.create_check_constraint("scheduledstatus", sa.column("status").in_(NEW_STATUSES))
        batch_op.create_check_constraint(
            "scheduledcontenttype", sa.column("content_type").in_(NEW_TYPES)
        )
        batch_op.create_index(
            "idx_scheduled_posts_status_due", ["status", "scheduled_for"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_scheduled_posts_post_id"), ["post_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_scheduled_posts_post_id_posts"),
            "posts",
            ["post_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_scheduled_posts_job_id_system_jobs"),
            "system_jobs",
            ["job_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    op.execute("DELETE FROM system_jobs WHERE job_type = 'publish_post'")
    _job_types(OLD_JOBS)
    # The old enums cannot hold the new values: keep the rows, in the nearest old meaning.
    op.execute(
        "UPDATE scheduled_posts SET status = 'scheduled' WHERE status IN ('draft', 'publishing')"
    )
    op.execute("UPDATE scheduled_posts SET status = 'failed' WHERE status = 'cancelled'")
    op.execute("UPDATE scheduled_posts SET content_type = 'video' WHERE content_type = 'reel'")
    op.execute("UPDATE scheduled_posts SET content_type = 'image' WHERE content_type = 'text'")
    with op.batch_alter_table("scheduled_posts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_scheduled_posts_job_id_system_jobs"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_scheduled_posts_post_id_posts"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_scheduled_posts_post_id"))
        batch_op.drop_index("idx_scheduled_posts_status_due")
        batch_op.drop_constraint(batch_op.f("ck_scheduled_posts_scheduledstatus"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("ck_scheduled_posts_scheduledcontenttype"), type_="check"
        )
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=10),
            type_=sa.VARCHAR(length=9),
            existing_nullable=False,
        )
        batch_op.create_check_constraint("scheduledstatus", sa.column("status").in_(OLD_STATUSES))
        batch_op.create_check_constraint(
            "scheduledcontenttype", sa.column("content_type").in_(OLD_TYPES)
        )
        batch_op.drop_column("job_id")
        batch_op.drop_column("post_id")
        batch_op.drop_column("published_at")
        batch_op.drop_column("permalink")
        batch_op.drop_column("platform_post_id")
        batch_op.drop_column("container_id")
        batch_op.drop_column("idempotency_key")
        batch_op.drop_column("last_error")
        batch_op.drop_column("attempts")
        batch_op.drop_column("timezone")
