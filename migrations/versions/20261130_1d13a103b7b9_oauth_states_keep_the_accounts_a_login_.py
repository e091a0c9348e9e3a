"""oauth states keep the accounts a login offers; one metric vocabulary

Revision ID: 1d13a103b7b9
Revises: 38585415e10f
Create Date: 2026-11-30 06:24:44.089481
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1d13a103b7b9"
down_revision: str | None = "38585415e10f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Meta's names for metrics a platform refused, as older versions recorded them, and Soash's.
RENAMED = {"views": "impressions", "saved": "saves", "page_follows": "followers"}


def upgrade() -> None:
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("choices", sa.Text(), nullable=True))
    _rename_unavailable(RENAMED)


def _rename_unavailable(names: dict[str, str]) -> None:
    accounts = sa.table(
        "social_accounts", sa.column("id", sa.Uuid()), sa.column("unavailable_metrics", sa.JSON())
    )
    connection = op.get_bind()
    for account_id, metrics in connection.execute(
        sa.select(accounts.c.id, accounts.c.unavailable_metrics)
    ):
        if metrics and set(metrics) & set(names):
            renamed = sorted({names.get(m, m) for m in metrics})
            connection.execute(
                accounts.update()
                .where(accounts.c.id == account_id)
                .values(unavailable_metrics=renamed)
            )


def downgrade() -> None:
    # Soash's names stay: older versions show them as they are.
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.drop_column("choices")
