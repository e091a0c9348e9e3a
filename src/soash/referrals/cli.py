"""``soash referrals …``: the payout run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from soash.referrals.payout import run_payout

app = typer.Typer(help="Referral program: pay out commissions.", no_args_is_help=True)
console = Console()


@app.command()
def payout(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be paid; change nothing.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(help="Where to write the CSV (default: data/payouts/… for a real run)."),
    ] = None,
) -> None:
    """Mark converted commissions past the refund window as paid and write a CSV of what to pay
    whom. Running it again pays nothing twice."""
    with console.status("Working out what is due"):
        result = run_payout(dry_run=dry_run, out=out)
    if not result.lines:
        console.print("Nothing to pay: no converted commission is past its refund window.")
        return
    table = Table("referrer", "amount", "currency", "sign-ups", title="Referral payout")
    for line in result.lines:
        table.add_row(
            line.referrer_email, str(line.amount), line.currency, str(len(line.signup_ids))
        )
    console.print(table)
    totals = ", ".join(f"{amount} {currency}" for currency, amount in result.totals.items())
    verb = "Would pay" if dry_run else "Marked paid"
    console.print(f"{verb}: {totals}.")
    if result.file is not None:
        console.print(f"CSV: {result.file}")
    if dry_run:
        console.print("Dry run: nothing was changed.")
