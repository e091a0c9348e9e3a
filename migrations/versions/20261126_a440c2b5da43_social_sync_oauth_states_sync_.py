"""social sync: oauth states, sync bookkeeping, insight keys

Revision ID: a440c2b5da43
Revises: 06907b2880e3
Create Date: 2026-11-26 06:20:27.016275
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import soash.db

revision: str = "a440c2b5da43"
down_revision: str | None = "06907b2880e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oauth_states",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column(
            "platform",
            sa.Enum(
                "instagram",
                "facebook",
                "tiktok",
                "twitter",
                "linkedin",
                name="platform",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("code_verifier", sa.Text(), nullable=True),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", soash.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["user_sessions.id"],
            name=op.f("fk_oauth_states_session_id_user_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_oauth_states_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_states")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_oauth_states_state_hash")),
    )
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_states_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("ai_insights", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_ai_insights_user_id_key"), ["user_id", "key"]
        )

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("platform_kind", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("metrics_synced_at", soash.db.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("social_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sync_error", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "unavailable_metrics",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                server_default="[]",
                nullable=False,
            )
        )

    with op.batch_alter_table("system_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_system_jobs_subject"))
        batch_op.create_index(
            "uq_system_jobs_active_subject",
            ["job_type", "subject"],
            unique=True,
            sqlite_where=sa.text("status IN ('pending', 'running')"),
            postgresql_where=sa.text("status IN ('pending', 'running')"),
        )


def downgrade() -> None:
    with op.batch_alter_table("system_jobs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_system_jobs_active_subject",
            sqlite_where=sa.text("status IN ('pending', 'running')"),
            postgresql_where=sa.text("status IN ('pending', 'running')"),
        )
        batch_op.create_index(batch_op.f("ix_system_jobs_subject"), ["subject"], unique=False)

    with op.batch_alter_table("social_accounts", schema=None) as batch_op:
        batch_op.drop_column("unavailable_metrics")
        batch_op.drop_column("sync_error")

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("metrics_synced_at")
        batch_op.drop_column("platform_kind")

    with op.batch_alter_table("ai_insights", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_ai_insights_user_id_key"), type_="unique")
        batch_op.drop_column("key")

    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_states_user_id"))

    op.drop_table("oauth_states")
