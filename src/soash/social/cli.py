"""``soash sync`` and ``soash keys rotate``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import func, select

from soash.db import session_scope
from soash.errors import Conflict, SoashError
from soash.social import service
from soash.social.models import SocialAccount
from soash.social.sync import SyncFailed, sync_account
from soash.social.tokens import rotate_keys
from soash.system.runner import JobDeferred
from soash.users import service as users

console = Console()


def sync(
    user: Annotated[str | None, typer.Option(help="Sync this user's active accounts.")] = None,
    account: Annotated[str | None, typer.Option(help="Sync one account by id.")] = None,
    queue: Annotated[
        bool, typer.Option("--queue", help="Hand the syncs to the workers instead.")
    ] = False,
) -> None:
    """Sync now, in this process (the worker does it daily on its own)."""
    with session_scope() as db:
        stmt = select(SocialAccount.id, SocialAccount.platform, SocialAccount.username).where(
            SocialAccount.syncable
        )
        if account:
            stmt = stmt.where(SocialAccount.id == uuid.UUID(account))
        if user:
            found = users.get_by_email(db, user)
            if found is None:
                console.print(f"[red]Error:[/red] no user {user}")
                raise typer.Exit(1)
            stmt = stmt.where(SocialAccount.user_id == found.id)
        targets = db.execute(stmt).all()
    if queue:
        _queue(targets)
        return
    failed = 0
    with Progress(console=console) as progress:
        task = progress.add_task("Syncing", total=len(targets))
        for account_id, platform, username in targets:
            label = f"{platform.value} @{username}"
            try:
                report = sync_account(account_id)
                progress.console.print(
                    f"{label}: {report['posts']} posts, {report['snapshots']} snapshots"
                )
            except (SyncFailed, JobDeferred, SoashError) as exc:
                failed += 1
                progress.console.print(f"[red]{label}:[/red] {exc}")
            progress.advance(task)
    if failed:
        raise typer.Exit(1)


def _queue(targets: Sequence[Any]) -> None:
    with session_scope() as db:
        for account_id, platform, username in targets:
            label = f"{platform.value} @{username}"
            try:
                job = service.queue_sync(db, db.get_one(SocialAccount, account_id))
                console.print(f"{label}: queued (job {job.id})")
            except Conflict as exc:
                console.print(f"{label}: {exc}")


def rotate() -> None:
    """Re-encrypt every stored token under the newest key in SOASH_SECURITY_ENCRYPTION_KEYS.

    Put the new key first and keep the old one after it while this runs; remove the old key
    once it has finished.
    """
    with session_scope() as db:
        total = db.scalar(select(func.count()).select_from(SocialAccount)) or 0
    with Progress(console=console) as progress:
        task = progress.add_task("Re-encrypting tokens", total=total)
        changed = rotate_keys(progress=lambda n: progress.advance(task, n))
    console.print(f"Re-encrypted the tokens of {changed} accounts under the newest key.")
