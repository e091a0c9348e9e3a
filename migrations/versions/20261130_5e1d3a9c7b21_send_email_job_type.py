"""send_email job type: mail goes out from a job

Revision ID: 5e1d3a9c7b21
Revises: 5e1f0c2a9d47
Create Date: 2026-11-30 06:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1d3a9c7b21"
down_revision: str | None = "5e1f0c2a9d47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = (
    "sync_metrics",
    "generate_insights",
    "import_data",
    "seed_demo",
    "retention_purge",
    "referral_payout",
    "publish_post",
)
AFTER = (*BEFORE, "send_email")


def _job_types(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("system_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_system_jobs_jobtype"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_system_jobs_jobtype"), sa.column("job_type").in_(values)
        )


def upgrade() -> None:
    _job_types(AFTER)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM system_jobs WHERE job_type = 'send_email'"))
    _job_types(BEFORE)
