"""The ``soash`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from soash import migrate
from soash.billing.cli import set_tier
from soash.config import get_settings, new_encryption_key_spec
from soash.content.cli import import_app
from soash.db import session_scope
from soash.errors import SoashError
from soash.insights import cli as insights_cli
from soash.logs import configure as configure_logging
from soash.referrals.cli import app as referrals_app
from soash.retention.cli import app as retention_app
from soash.social import cli as social_cli
from soash.system.cli import jobs_app
from soash.users.models import SubscriptionTier

app = typer.Typer(help="Soash: social media analytics and content assistant.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
users_app = typer.Typer(help="Manage users.", no_args_is_help=True)
keys_app = typer.Typer(help="Secrets and encryption keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")
app.add_typer(referrals_app, name="referrals")
app.add_typer(retention_app, name="retention")
app.add_typer(import_app, name="import")
app.add_typer(jobs_app, name="jobs")
users_app.command("set-tier")(set_tier)
app.command("sync")(social_cli.sync)
app.add_typer(insights_cli.insights_app, name="insights")
app.command("patterns")(insights_cli.patterns)
keys_app.command("rotate")(social_cli.rotate)
console = Console()

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "sourdough-starter-42"  # noqa: S105 - the documented demo login


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]Error:[/red] {message}")
    return typer.Exit(code=1)


def _require_migrated() -> None:
    url = get_settings().resolved_database_url
    if migrate.current(url) != migrate.head():
        raise _fail("the database is not up to date; run `soash db upgrade` first.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    with_worker: Annotated[
        bool, typer.Option("--with-worker", help="Also run the job consumer (embedded mode).")
    ] = False,
    workers: Annotated[int, typer.Option(help="Web worker processes.")] = 1,
) -> None:
    """Run the web app and API."""
    import uvicorn

    settings = get_settings()
    configure_logging(settings.log_level)
    _require_migrated()
    worker = None
    if with_worker:
        worker = subprocess.Popen([sys.executable, "-m", "soash", "worker"])
    console.print(f"Soash is running at [bold]http://{host}:{port}[/bold] (API docs: /docs)")
    try:
        uvicorn.run(
            "soash.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=settings.log_level.lower(),
            proxy_headers=False,  # deps.client_ip reads X-Forwarded-For from trusted proxies
        )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)


@app.command()
def worker(
    workers: Annotated[int, typer.Option(help="Worker threads.")] = 2,
) -> None:
    """Consume background jobs (syncs, insights, retention) from the queue."""
    from huey.consumer import Consumer

    from soash.jobs import huey, load_tasks

    configure_logging(get_settings().log_level)
    load_tasks()
    Consumer(huey, workers=workers, worker_type="thread", periodic=True).run()


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    url = get_settings().resolved_database_url
    migrate.upgrade(url, revision)
    console.print(f"Database at revision {migrate.current(url)}.")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="e.g. -1 or base")]) -> None:
    """Revert migrations down to REVISION."""
    url = get_settings().resolved_database_url
    migrate.downgrade(url, revision)
    console.print(f"Database at revision {migrate.current(url) or 'base (empty)'}.")


@db_app.command("current")
def db_current() -> None:
    """Show the database's revision and the newest one."""
    url = get_settings().resolved_database_url
    now, newest = migrate.current(url), migrate.head()
    state = "up to date" if now == newest else "needs `soash db upgrade`"
    console.print(f"current: {now or 'none'}   head: {newest}   ({state})")


@users_app.command("create")
def users_create(
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
        raise _fail(str(exc)) from None


@users_app.command("list")
def users_list() -> None:
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


@keys_app.command("generate")
def keys_generate() -> None:
    """Print fresh secrets to put in the environment of a production install."""
    import secrets

    console.print(f"SOASH_SECURITY_SESSION_SECRET={secrets.token_urlsafe(48)}")
    console.print(f"SOASH_SECURITY_ENCRYPTION_KEYS={new_encryption_key_spec('k1')}")


@app.command()
def demo(
    email: Annotated[str, typer.Option(help="Demo login email.")] = DEMO_EMAIL,
    password: Annotated[str, typer.Option(help="Demo login password.")] = DEMO_PASSWORD,
    accounts: Annotated[
        int, typer.Option(min=1, max=3, help="Demo accounts: Instagram, TikTok, Facebook.")
    ] = 3,
) -> None:
    """Create (or refresh) the demo user and its data, migrating the database first."""
    from soash.demo import seed_demo

    migrate.upgrade(get_settings().resolved_database_url)
    try:
        seed_demo(email=email, password=password, console=console, accounts=accounts)
    except SoashError as exc:
        raise _fail(str(exc)) from None
    console.print(f"Demo login: [bold]{email}[/bold] / [bold]{password}[/bold]")


def main() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()
