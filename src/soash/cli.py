"""The ``soash`` command.

Starting it must stay cheap (``soash --help``, every web worker process and every ``soash``
subprocess re-import this module): domain commands are loaded lazily (``soash.lazycli``) and
every command imports what it uses inside its body.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from soash import lazycli
from soash.lazycli import Lazy

if TYPE_CHECKING:
    from rich.console import Console

# Plain help and tracebacks: Typer's rich ones import rich's markdown, syntax highlighting and
# traceback machinery, and that was most of the time `soash --help` took.
PLAIN: dict[str, Any] = {"rich_markup_mode": None, "pretty_exceptions_enable": False}
app = typer.Typer(
    help="Soash: social media analytics and content assistant.",
    no_args_is_help=True,
    **PLAIN,
    cls=lazycli.group(
        {
            "users": Lazy("soash.cli_users:app", "Manage users."),
            "referrals": Lazy("soash.referrals.cli:app", "Referral program: pay out commissions."),
            "retention": Lazy("soash.retention.cli:app", "Data retention."),
            "import": Lazy(
                "soash.content.cli:import_app",
                "Import posts and metrics exported elsewhere from CSV files.",
            ),
            "sync": Lazy(
                "soash.social.cli:sync",
                "Sync now, in this process (the worker does it daily on its own).",
            ),
            "jobs": Lazy(
                "soash.system.cli:jobs_app", "Background jobs: list them, sweep lost ones."
            ),
            "posts": Lazy(
                "soash.publishing.cli:posts_app", "Schedule, list and cancel posts to publish."
            ),
            "insights": Lazy(
                "soash.insights.cli:insights_app", "AI insights and content recommendations."
            ),
            "patterns": Lazy(
                "soash.insights.cli:patterns",
                "Print the user's ranked performance patterns (from the last insight run).",
            ),
        }
    ),
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True, **PLAIN)
keys_app = typer.Typer(
    help="Secrets and encryption keys.",
    no_args_is_help=True,
    **PLAIN,
    cls=lazycli.group(
        {
            "rotate": Lazy(
                "soash.social.cli:rotate",
                "Re-encrypt every stored token under the newest key in "
                "SOASH_SECURITY_ENCRYPTION_KEYS.",
            )
        }
    ),
)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "sourdough-starter-42"  # noqa: S105 - the documented demo login


def _console() -> Console:
    from rich.console import Console

    return Console()


def _fail(message: str) -> typer.Exit:
    _console().print(f"[red]Error:[/red] {message}", soft_wrap=True)  # one line, unwrapped
    return typer.Exit(code=1)


def _database_url() -> str:
    from soash.config import get_settings

    return get_settings().resolved_database_url


def _require_migrated() -> None:
    """One clear line, not a traceback, when the database is unreachable or behind."""
    from sqlalchemy.exc import DBAPIError

    from soash import migrate

    url = _database_url()
    try:
        current = migrate.current(url)
    except DBAPIError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise _fail(f"cannot reach the database ({_shown(url)}): {reason}") from None
    if current != migrate.head():
        raise _fail("the database is not up to date; run `soash db upgrade` first.")


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    with_worker: Annotated[
        bool, typer.Option("--with-worker", help="Also run the job consumer (embedded mode).")
    ] = False,
    workers: Annotated[int, typer.Option(min=1, help="Web worker processes.")] = 1,
) -> None:
    """Run the web app and API."""
    import uvicorn

    from soash import embedded
    from soash.config import get_settings
    from soash.logs import configure, dict_config

    settings = get_settings()
    configure(settings.log_level, settings.log_format)
    _require_migrated()
    if settings.metrics.port is not None:
        from soash.metrics.exporter import serve_metrics

        serve_metrics(settings)
    worker = None
    if with_worker:
        worker = embedded.start_worker()
        embedded.stop_on_signals(worker)
    if settings.log_format == "json":  # every line of the output is then one JSON object
        logging.getLogger("soash").info("Soash is running at http://%s:%s", host, port)
    else:
        _console().print(f"Soash is running at [bold]http://{host}:{port}[/bold] (API docs: /docs)")
    try:
        uvicorn.run(
            "soash.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=dict_config(settings.log_level, settings.log_format),
            log_level=settings.log_level.lower(),
            timeout_keep_alive=settings.serve.keep_alive_seconds,
            timeout_worker_healthcheck=settings.serve.worker_healthcheck_seconds,
            proxy_headers=False,  # deps.client_ip reads X-Forwarded-For from trusted proxies
        )
    finally:
        if worker is not None:
            embedded.stop_worker(worker)


@app.command()
def worker(
    workers: Annotated[int, typer.Option(help="Worker threads.")] = 2,
    parent_pid: Annotated[
        int | None, typer.Option(hidden=True, help="Exit when this process is gone.")
    ] = None,
) -> None:
    """Consume background jobs (syncs, insights, retention) from the queue."""
    from huey.consumer import Consumer

    from soash.config import get_settings
    from soash.embedded import exit_with_parent
    from soash.jobs import huey, load_tasks
    from soash.logs import configure

    settings = get_settings()
    configure(settings.log_level, settings.log_format)
    if parent_pid is not None:
        exit_with_parent(parent_pid)
    load_tasks()
    Consumer(huey, workers=workers, worker_type="thread", periodic=True).run()


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from soash import migrate

    url = _database_url()
    migrate.upgrade(url, revision)
    _console().print(f"Database at revision {migrate.current(url)}.")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="e.g. -1 or base")]) -> None:
    """Revert migrations down to REVISION."""
    from soash import migrate

    url = _database_url()
    migrate.downgrade(url, revision)
    _console().print(f"Database at revision {migrate.current(url) or 'base (empty)'}.")


@db_app.command("current")
def db_current() -> None:
    """Show the database's revision and the newest one."""
    from soash import migrate

    url = _database_url()
    now, newest = migrate.current(url), migrate.head()
    state = "up to date" if now == newest else "needs `soash db upgrade`"
    _console().print(f"current: {now or 'none'}   head: {newest}   ({state})")


@keys_app.command("generate")
def keys_generate() -> None:
    """Print fresh secrets to put in the environment of a production install."""
    import secrets

    from soash.config import new_encryption_key_spec

    # Plain lines, never wrapped: they are meant for an environment file.
    typer.echo(f"SOASH_SECURITY_SESSION_SECRET={secrets.token_urlsafe(48)}")
    typer.echo(f"SOASH_SECURITY_ENCRYPTION_KEYS={new_encryption_key_spec('k1')}")


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="File to write (must not exist).")],
) -> None:
    """Back up the database to PATH, consistently while Soash keeps serving."""
    from soash import backup as backups

    try:
        manifest = backups.backup(_database_url(), path)
    except backups.BackupError as exc:
        raise _fail(str(exc)) from None
    keys = ", ".join(manifest.key_ids) or "none in use"
    _console().print(f"Backed up to {path} (revision {manifest.revision}; keys: {keys}).")


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="A file written by `soash backup`.")],
) -> None:
    """Restore a backup into this installation's database, which must be empty."""
    from soash import backup as backups

    try:
        manifest = backups.restore(path, _database_url())
    except backups.BackupError as exc:
        raise _fail(str(exc)) from None
    _console().print(f"Restored {path} (revision {manifest.revision}).")


@app.command()
def demo(
    email: Annotated[str, typer.Option(help="Demo login email.")] = DEMO_EMAIL,
    password: Annotated[str, typer.Option(help="Demo login password.")] = DEMO_PASSWORD,
    accounts: Annotated[
        int, typer.Option(min=1, max=3, help="Demo accounts: Instagram, TikTok, Facebook.")
    ] = 3,
) -> None:
    """Create (or refresh) the demo user and its data, migrating the database first."""
    from soash import migrate
    from soash.demo import seed_demo
    from soash.errors import SoashError

    console = _console()
    migrate.upgrade(_database_url())
    try:
        seed_demo(email=email, password=password, console=console, accounts=accounts)
    except SoashError as exc:
        raise _fail(str(exc)) from None
    console.print(f"Demo login: [bold]{email}[/bold] / [bold]{password}[/bold]")


def main() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()
