"""insights: dismiss and snooze insights, dismiss recommendations

Revision ID: 8d3b6f1e2c4a
Revises: 5e1f0c2a9b7d
Create Date: 2026-11-30 06:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d3b6f1e2c4a"
down_revision: str | None = "5e1f0c2a9b7d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ai_insights", schema=None) as batch_op:
        batch_op.add_column(sa.Column("finding", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("dismissed_finding", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("content_recommendations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_dismissed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("content_recommendations", schema=None) as batch_op:
        batch_op.drop_column("is_dismissed")
    with op.batch_alter_table("ai_insights", schema=None) as batch_op:
        batch_op.drop_column("snoozed_until")
        batch_op.drop_column("dismissed_at")
        batch_op.drop_column("dismissed_finding")
        batch_op.drop_column("finding")
