"""``soash import``: load history exported elsewhere from CSV files (formats in
soash.content.importer), with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from soash.content.importer import ImportKind, import_csv
from soash.db import session_scope
from soash.errors import InvalidInput, SoashError
from soash.users import service as users

import_app = typer.Typer(
    help="Import posts and metrics exported elsewhere from CSV files.", no_args_is_help=True
)
console = Console()

FileArg = Annotated[
    Path,
    typer.Argument(exists=True, dir_okay=False, readable=True, help="The CSV file (UTF-8)."),
]
UserOpt = Annotated[str, typer.Option("--user", help="Email of the user to import for.")]


@import_app.command("posts")
def import_posts(file: FileArg, user: UserOpt) -> None:
    """Import posts with their daily metrics (one row per post per day).

    Header: platform,account,platform_post_id,content_type,caption,hashtags,posted_at,
    metric_date,likes,comments,shares,saves,reach,impressions
    """
    _run(ImportKind.posts, file, user)


@import_app.command("account-metrics")
def import_account_metrics(file: FileArg, user: UserOpt) -> None:
    """Import daily account metrics (one row per account per day).

    Header: platform,account,metric_date,follower_count,following_count,total_posts,
    total_reach,total_impressions,total_engagement
    """
    _run(ImportKind.account_metrics, file, user)


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]Error:[/red] {escape(message)}", soft_wrap=True, highlight=False)
    return typer.Exit(code=1)


def _run(kind: ImportKind, path: Path, email: str) -> None:
    with session_scope() as db:
        owner = users.get_by_email(db, email)
    if owner is None:
        raise _fail(f"there is no user {email}; create one with `soash users create`.")
    columns = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    try:
        with columns as progress, path.open("rb") as file:
            tasks: dict[str, TaskID] = {}

            def report(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = progress.add_task(phase.capitalize(), total=total)
                progress.update(tasks[phase], completed=done)

            result = import_csv(kind, file, user=owner, filename=path.name, progress=report)
    except InvalidInput as exc:
        _print_errors(exc.extra)
        raise _fail(f"{path}: {exc.detail}") from None
    except SoashError as exc:
        raise _fail(str(exc)) from None
    counts = ", ".join(f"{name.replace('_', ' ')}: {n:,}" for name, n in result.counts().items())
    console.print(
        f"Imported {path.name} for {owner.email} ({counts}); job {result.job_id}.",
        soft_wrap=True,
        markup=False,
    )


def _print_errors(extra: dict[str, Any]) -> None:
    errors = extra.get("errors") or []
    for error in errors:
        where = f"row {error['row']}" + (f", column '{error['column']}'" if error["column"] else "")
        console.print(f"  {where}: {error['message']}", soft_wrap=True, markup=False)
    if extra.get("expected"):
        header = ",".join(extra["expected"])
        console.print(f"  expected header: {header}", soft_wrap=True, markup=False)
