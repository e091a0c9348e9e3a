"""``soash posts schedule|list|cancel``: the scheduled-post queue for scripts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from soash.db import session_scope
from soash.errors import SoashError
from soash.publishing import service
from soash.publishing.models import ScheduledContentType, ScheduledStatus
from soash.publishing.schemas import ScheduledPostIn
from soash.users import service as users
from soash.users.models import User

console = Console()
posts_app = typer.Typer(help="Schedule, list and cancel posts.", no_args_is_help=True)
UserOption = Annotated[str, typer.Option("--user", help="The user's email.")]


def _user(db: Session, email: str) -> User:
    found = users.get_by_email(db, email)
    if found is None:
        console.print(f"[red]Error:[/red] no user {email}")
        raise typer.Exit(1)
    return found


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]Error:[/red] {message}")
    return typer.Exit(1)


@posts_app.command("schedule")
def schedule(
    user: UserOption,
    account: Annotated[str, typer.Option(help="The social account id.")],
    at: Annotated[
        str, typer.Option(help="When: 2026-12-01T18:30 (profile timezone) or with an offset.")
    ],
    caption: Annotated[str, typer.Option(help="The post's text.")] = "",
    content_type: Annotated[
        ScheduledContentType, typer.Option("--type", help="The content type.")
    ] = ScheduledContentType.text,
    media: Annotated[list[str] | None, typer.Option(help="A public media URL (repeat).")] = None,
    hashtag: Annotated[list[str] | None, typer.Option(help="A hashtag (repeat).")] = None,
) -> None:
    """Schedule a post; prints its id."""
    try:
        body = ScheduledPostIn(
            social_account_id=uuid.UUID(account),
            content_type=content_type,
            caption=caption or None,
            media_urls=media or [],
            hashtags=hashtag or [],
            scheduled_for=datetime.fromisoformat(at),
        )
    except (ValueError, ValidationError) as exc:
        raise _fail(str(exc).splitlines()[0]) from None
    try:
        with session_scope() as db:
            post = service.create(db, _user(db, user), body)
            console.print(f"scheduled {post.id} for {post.scheduled_for.isoformat()}")
    except SoashError as exc:
        raise _fail(exc.detail) from None


@posts_app.command("list")
def list_posts(
    user: UserOption,
    status: Annotated[ScheduledStatus | None, typer.Option(help="Only this status.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
) -> None:
    """The user's scheduled posts, by time."""
    with session_scope() as db:
        rows, _ = service.list_posts(db, _user(db, user), status=status, limit=limit)
        table = Table("id", "when (UTC)", "platform", "type", "status", "caption")
        for post, account in rows:
            table.add_row(
                str(post.id),
                f"{post.scheduled_for:%Y-%m-%d %H:%M}",
                account.platform.value,
                post.content_type.value,
                post.status.value + (f" ({post.last_error})" if post.last_error else ""),
                (post.caption or "")[:40],
            )
    console.print(table)


@posts_app.command("cancel")
def cancel(user: UserOption, post: Annotated[str, typer.Argument(help="The post's id.")]) -> None:
    """Cancel a draft, scheduled or failed post."""
    try:
        post_id = uuid.UUID(post)
    except ValueError:
        raise _fail(f"{post} is not a post id") from None
    try:
        with session_scope() as db:
            service.cancel(db, _user(db, user), post_id)
    except SoashError as exc:
        raise _fail(exc.detail) from None
    console.print(f"cancelled {post_id}")
