"""content: category rules (hashtag or keyword -> category)

Revision ID: b7e2a4c9d1f3
Revises: 8d3b6f1e2c4a
Create Date: 2026-11-30 06:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import soash.db

revision: str = "b7e2a4c9d1f3"
down_revision: str | None = "8d3b6f1e2c4a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "category_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "hashtag", "keyword", name="rulekind", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("pattern", sa.String(length=100), nullable=False),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["content_categories.id"],
            name=op.f("fk_category_rules_category_id_content_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_category_rules_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_rules")),
        sa.UniqueConstraint(
            "user_id",
            "kind",
            "pattern",
            "category_id",
            name=op.f("uq_category_rules_user_id_kind_pattern_category_id"),
        ),
    )
    with op.batch_alter_table("category_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_category_rules_category_id"), ["category_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("category_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_category_rules_category_id"))
    op.drop_table("category_rules")
