"""``soash retention …``: run the retention purge by hand."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from soash.retention import service

app = typer.Typer(help="Data retention.", no_args_is_help=True)
console = Console()


@app.command()
def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be deleted; delete nothing.")
    ] = False,
) -> None:
    """Delete data past its retention window (system jobs after 30 days, daily metrics,
    insights and recommendations after a year), in small batches."""
    with console.status("Purging") as status:

        def progress(table: str, removed: int) -> None:
            status.update(f"Purging {table}: {removed:,} rows deleted")

        result = service.purge(dry_run=dry_run, progress=progress)
    title = "Would delete (dry run)" if dry_run else "Deleted"
    table = Table("table", "older than", "rows", title=title)
    for name, count in result.counts.items():
        table.add_row(name, result.cutoffs[name][:10], f"{count:,}")
    console.print(table)
    if dry_run:
        console.print("Dry run: nothing was deleted.")
