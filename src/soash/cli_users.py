"""``soash users``: create, list, and set a user's tier (loaded only when run)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from soash.billing.cli import set_tier
from soash.db import session_scope
from soash.errors import SoashError
from soash.users.models import SubscriptionTier

app = typer.Typer(help="Manage users.", no_args_is_help=True)
app.command("set-tier")(set_tier)
console = Console()


@app.command("create")
def create(
    email: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    first_name: Annotated[str | None, typer.Option()] = None,
    last_name: Annotated[str | None, typer.Option()] = None,
    verified: Annotated[bool, typer.Option("--verified", help="Skip email verification.")] = False,
    timezone: Annotated[str, typer.Option(help="IANA timezone of the profile.")] = "UTC",
    tier: Annotated[SubscriptionTier, typer.Option(help="Subscription tier.")] = (
        SubscriptionTier.free
    ),
) -> None:
    """Create a user."""
    from soash.users import service
    from soash.users.schemas import _valid_timezone

    try:
        _valid_timezone(timezone)
        with session_scope() as db:
            user = service.create_user(
                db,
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                verified=verified,
                tier=tier,
                timezone=timezone,
            )
            if not verified:
                service.send_verification(db, user)
            console.print(f"Created {user.email} ({user.subscription_tier.value}, id {user.id}).")
    except (SoashError, ValueError) as exc:
        console.print(f"[red]Error:[/red] {exc}")
        raise typer.Exit(code=1) from None


@app.command("list")
def list_users() -> None:
    """List users."""
    from soash.users import service

    table = Table("email", "verified", "tier", "status", "created", "last login")
    with session_scope() as db:
        for user in service.list_users(db):
            table.add_row(
                user.email,
                "yes" if user.is_verified else "no",
                user.subscription_tier.value,
                user.subscription_status.value,
                f"{user.created_at:%Y-%m-%d %H:%M}",
                f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "never",
            )
    console.print(table)
