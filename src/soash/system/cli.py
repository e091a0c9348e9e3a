"""``soash jobs``: the job records, and the sweep run by hand."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from soash.db import session_scope
from soash.system.models import JobStatus, SystemJob

console = Console()
jobs_app = typer.Typer(help="Background jobs: list them, sweep lost ones.", no_args_is_help=True)


@jobs_app.command("sweep")
def sweep() -> None:
    """Re-queue jobs whose worker died or whose wake-up was lost (the worker does this every
    minute on its own)."""
    from soash.system.tasks import sweep_jobs

    result = sweep_jobs()
    console.print(
        f"{result.requeued} re-queued, {result.resent} woken again, {result.failed} failed."
    )


@jobs_app.command("list")
def list_jobs(
    status: Annotated[JobStatus | None, typer.Option(help="Only jobs in this state.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
) -> None:
    """The newest jobs of every user."""
    stmt = select(SystemJob).order_by(SystemJob.created_at.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(SystemJob.status == status)
    table = Table("created", "type", "status", "attempts", "error")
    with session_scope() as db:
        for job in db.scalars(stmt):
            table.add_row(
                f"{job.created_at:%Y-%m-%d %H:%M:%S}",
                job.job_type.value,
                job.status.value,
                str(job.attempts),
                (job.error_message or "")[:80],
            )
    console.print(table)
