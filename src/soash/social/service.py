"""A user's social accounts: list, pause, disconnect, and queue syncs."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from soash import jobs
from soash.config import get_settings
from soash.content.models import Post
from soash.errors import Conflict
from soash.ownership import get_owned, owned_by
from soash.social.models import SocialAccount
from soash.social.sync import SYNC_TASK
from soash.social.tokens import forget_tokens
from soash.system.models import JobStatus, JobType, SystemJob
from soash.users.models import User


def list_accounts(db: Session, user: User) -> list[SocialAccount]:
    stmt = (
        select(SocialAccount)
        .where(owned_by(SocialAccount.user_id, user))
        .order_by(SocialAccount.platform, SocialAccount.username)
    )
    return list(db.scalars(stmt))


def get_account(db: Session, user: User, account_id: uuid.UUID) -> SocialAccount:
    return get_owned(db, SocialAccount, account_id, user, what="social account")


def set_active(db: Session, user: User, account_id: uuid.UUID, *, is_active: bool) -> SocialAccount:
    account = get_account(db, user, account_id)
    if is_active and not account.connected:
        raise Conflict("This account is disconnected; connect it again to resume syncing.")
    account.is_active = is_active
    return account


def disconnect(db: Session, user: User, account_id: uuid.UUID, *, delete_data: bool) -> None:
    """Forget the tokens (the account stays, paused, with its history), or delete it all."""
    account = get_account(db, user, account_id)
    if delete_data:
        db.delete(account)
        return
    forget_tokens(account)
    account.is_active = False


def queue_sync(db: Session, account: SocialAccount) -> SystemJob:
    """Queue a sync of the account (sent once the caller commits). At most one is pending or
    running per account: a second one is a Conflict naming it."""
    if not account.syncable:
        raise Conflict("This account is paused or disconnected; reconnect it to sync.")
    return jobs.enqueue(
        db,
        SYNC_TASK,
        {"account_id": str(account.id)},
        job_type=JobType.sync_metrics,
        user_id=account.user_id,
        subject=str(account.id),
    )


def active_sync(db: Session, account: SocialAccount) -> SystemJob | None:
    """The account's pending or running sync, if any."""
    return db.scalar(
        select(SystemJob).where(
            SystemJob.job_type == JobType.sync_metrics,
            SystemJob.subject == str(account.id),
            SystemJob.status.in_([JobStatus.pending, JobStatus.running]),
        )
    )


def ensure_sync(db: Session, account: SocialAccount) -> SystemJob:
    """The account's sync: the one already pending or running, else a new one (after a
    connect or reconnect, whose tokens must be kept whatever the queue holds)."""
    return active_sync(db, account) or queue_sync(db, account)


def accounts_due(db: Session, now: datetime) -> list[SocialAccount]:
    """Active accounts due a sync: the daily one at the configured hour (or when a day was
    missed), and an hourly one while they have posts younger than a day."""
    daily_hour = get_settings().sync.hour_utc
    young = select(Post.social_account_id).where(Post.posted_at >= now - timedelta(days=1))
    due = []
    for account in db.scalars(select(SocialAccount).where(SocialAccount.syncable)):
        last = account.last_synced_at
        if (
            last is None
            or now - last >= timedelta(hours=25)
            or (now.hour == daily_hour and now - last >= timedelta(hours=12))
        ):
            due.append(account)
    young_ids = set(db.scalars(young))
    due_ids = {a.id for a in due}
    for account in db.scalars(select(SocialAccount).where(SocialAccount.id.in_(young_ids))):
        last = account.last_synced_at
        if (
            account.id not in due_ids
            and account.syncable
            and last is not None
            and now - last >= timedelta(minutes=55)
        ):
            due.append(account)
    return due
