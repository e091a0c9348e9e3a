"""insights: effect model columns (scope, p-value, raw lift, interval level)

Revision ID: 5e1f0c2a9b7d
Revises: 456a54608d50
Create Date: 2026-11-30 05:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1f0c2a9b7d"
down_revision: str | None = "456a54608d50"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("performance_patterns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=20), server_default="all", nullable=False)
        )
        batch_op.add_column(sa.Column("ci_level", sa.Numeric(precision=7, scale=6), nullable=True))
        batch_op.add_column(sa.Column("p_value", sa.Numeric(precision=12, scale=10), nullable=True))
        batch_op.add_column(sa.Column("raw_lift", sa.Numeric(precision=10, scale=4), nullable=True))
        batch_op.drop_constraint(
            batch_op.f("uq_performance_patterns_user_id_pattern_type_pattern_name"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_performance_patterns_user_id_scope_pattern_type_pattern_name"),
            ["user_id", "scope", "pattern_type", "pattern_name"],
        )


def downgrade() -> None:
    op.execute("DELETE FROM performance_patterns WHERE scope <> 'all'")
    with op.batch_alter_table("performance_patterns", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_performance_patterns_user_id_scope_pattern_type_pattern_name"),
            type_="unique",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_performance_patterns_user_id_pattern_type_pattern_name"),
            ["user_id", "pattern_type", "pattern_name"],
        )
        batch_op.drop_column("raw_lift")
        batch_op.drop_column("p_value")
        batch_op.drop_column("ci_level")
        batch_op.drop_column("scope")
