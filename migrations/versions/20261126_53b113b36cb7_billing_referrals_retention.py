"""billing, referral commissions, retention indexes

Revision ID: 53b113b36cb7
Revises: a440c2b5da43
Create Date: 2026-11-26 06:23:52.747115

* ``billing_events``: each billing-provider webhook event, recorded once.
* ``users``: the billing provider's customer and subscription ids; ``plan_changed_at``.
* ``referral_signups``: status ``reversed``; the first payment (amount, currency, reference),
  ``converted_at``, ``paid_at``, ``reversed_at`` and why; the referee's email hash (one
  attribution per mailbox, ever). The referee link becomes ON DELETE SET NULL: the referrer's
  record outlives a referee who deletes their account.
* Date indexes the retention purge needs.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import soash.db

revision: str = "53b113b36cb7"
down_revision: str | None = "a440c2b5da43"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("pending", "converted", "paid")
NEW_STATUSES = (*OLD_STATUSES, "reversed")


def _status_type(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="conversionstatus", native_enum=False, create_constraint=True)


def upgrade() -> None:
    op.create_table(
        "billing_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("occurred_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("customer_id", sa.String(length=255), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "applied",
                "ignored",
                "deferred",
                name="eventoutcome",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_events")),
        sa.UniqueConstraint(
            "provider", "event_id", name=op.f("uq_billing_events_provider_event_id")
        ),
    )
    with op.batch_alter_table("billing_events", schema=None) as batch_op:
        batch_op.create_index(
            "idx_billing_events_customer_outcome", ["customer_id", "outcome"], unique=False
        )

    for table, index, column in (
        ("ai_insights", "idx_ai_insights_created", "created_at"),
        ("content_recommendations", "idx_content_recommendations_created", "created_at"),
        ("platform_metrics", "idx_platform_metrics_date", "metric_date"),
        ("post_metrics", "idx_post_metrics_date", "metric_date"),
        ("system_jobs", "idx_system_jobs_created", "created_at"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(index, [column], unique=False)

    with op.batch_alter_table("referral_signups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("referee_email_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("payment_amount", sa.Numeric(precision=12, scale=2), nullable=True)
        )
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("payment_reference", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("converted_at", soash.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("paid_at", soash.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("reversed_at", soash.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("reversal_reason", sa.String(length=40), nullable=True))
        batch_op.alter_column(
            "conversion_status",
            existing_type=_status_type(OLD_STATUSES),
            type_=_status_type(NEW_STATUSES),
            existing_nullable=False,
        )
        batch_op.alter_column("referee_user_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index(
            "idx_referral_signups_status_converted",
            ["conversion_status", "converted_at"],
            unique=False,
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_referral_signups_referee_email_hash"), ["referee_email_hash"]
        )
        batch_op.drop_constraint(
            batch_op.f("fk_referral_signups_referee_user_id_users"), type_="foreignkey"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_referral_signups_referee_user_id_users"),
            "users",
            ["referee_user_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("billing_customer_id", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("billing_subscription_id", sa.String(length=255), nullable=True)
        )
        batch_op.add_column(
            sa.Column("plan_changed_at", soash.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_users_billing_customer_id"), ["billing_customer_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_billing_customer_id"), type_="unique")
        batch_op.drop_column("plan_changed_at")
        batch_op.drop_column("billing_subscription_id")
        batch_op.drop_column("billing_customer_id")

    # The old schema can hold neither a sign-up whose referee is gone nor a reversed one:
    # drop the first, and return the second to pending without a commission.
    op.execute("DELETE FROM referral_signups WHERE referee_user_id IS NULL")
    op.execute(
        "UPDATE referral_signups SET conversion_status = 'pending', commission_amount = NULL "
        "WHERE conversion_status = 'reversed'"
    )
    with op.batch_alter_table("referral_signups", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_referral_signups_referee_user_id_users"), type_="foreignkey"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_referral_signups_referee_user_id_users"),
            "users",
            ["referee_user_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_constraint(
            batch_op.f("uq_referral_signups_referee_email_hash"), type_="unique"
        )
        batch_op.drop_index("idx_referral_signups_status_converted")
        batch_op.alter_column("referee_user_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.alter_column(
            "conversion_status",
            existing_type=_status_type(NEW_STATUSES),
            type_=_status_type(OLD_STATUSES),
            existing_nullable=False,
        )
        batch_op.drop_column("reversal_reason")
        batch_op.drop_column("reversed_at")
        batch_op.drop_column("paid_at")
        batch_op.drop_column("converted_at")
        batch_op.drop_column("payment_reference")
        batch_op.drop_column("currency")
        batch_op.drop_column("payment_amount")
        batch_op.drop_column("referee_email_hash")

    for table, index in (
        ("system_jobs", "idx_system_jobs_created"),
        ("post_metrics", "idx_post_metrics_date"),
        ("platform_metrics", "idx_platform_metrics_date"),
        ("content_recommendations", "idx_content_recommendations_created"),
        ("ai_insights", "idx_ai_insights_created"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)

    with op.batch_alter_table("billing_events", schema=None) as batch_op:
        batch_op.drop_index("idx_billing_events_customer_outcome")
    op.drop_table("billing_events")
