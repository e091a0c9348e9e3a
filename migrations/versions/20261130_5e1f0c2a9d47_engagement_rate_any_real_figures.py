"""engagement_rate holds any real figures (a reach of 1 and billions of likes)

Revision ID: 5e1f0c2a9d47
Revises: b7e2a4c9d1f3
Create Date: 2026-11-30 05:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1f0c2a9d47"
down_revision: str | None = "b7e2a4c9d1f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("post_metrics", "platform_metrics")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "engagement_rate",
                existing_type=sa.Numeric(precision=10, scale=6),
                type_=sa.Numeric(precision=26, scale=6),
                existing_nullable=True,
            )


def downgrade() -> None:
    # Rates that no longer fit the old type are dropped to NULL rather than failing.
    for table in TABLES:
        op.execute(
            sa.text(f"UPDATE {table} SET engagement_rate = NULL WHERE engagement_rate >= 10000")  # noqa: S608 - our table names
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "engagement_rate",
                existing_type=sa.Numeric(precision=26, scale=6),
                type_=sa.Numeric(precision=10, scale=6),
                existing_nullable=True,
            )
