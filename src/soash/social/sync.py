"""Syncing one social account: token, profile, today's account metrics, posts, post metrics.

Every write is an idempotent batched upsert committed page by page, so a sync that is run
twice, run twice at once, or killed half-way and run again leaves each post and each
(post, day) snapshot exactly once, and what earlier pages wrote stays correct.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from soash.config import get_settings
from soash.content.ingest import (
    AccountMetricRow,
    MetricRow,
    PostRow,
    upsert_account_metrics,
    upsert_post_metrics,
    upsert_posts,
)
from soash.content.models import Post
from soash.db import session_scope, utcnow
from soash.insights.models import InsightType, Priority
from soash.insights.service import upsert_insight
from soash.iterables import chunks
from soash.social.models import Platform, SocialAccount
from soash.social.platforms.base import PlatformClient, RemotePost, TargetLister, TokenSet
from soash.social.platforms.errors import PlatformError, RateLimited, TokenInvalid
from soash.social.platforms.registry import client_for
from soash.social.schedule import TRACKED_FOR, metrics_due
from soash.social.tokens import apply_profile, load_tokens, store_tokens
from soash.system.models import JobType
from soash.system.runner import JobDeferred, JobFailed, run_job

log = logging.getLogger(__name__)
METRICS_BATCH = 50
# Re-list a little before the last sync, to pick up edits to recent posts.
RELIST_OVERLAP = timedelta(days=2)


SYNC_TASK = "social.sync_account"


class SyncFailed(JobFailed):
    """The sync stopped; the message says why and what to do."""


@dataclass
class _Account:
    id: uuid.UUID
    user_id: uuid.UUID
    platform: Platform
    platform_user_id: str
    label: str
    tokens: TokenSet
    last_synced_at: datetime | None


def sync_account(
    account_id: uuid.UUID,
    *,
    client: PlatformClient | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Run one sync in this process, recorded as a system_jobs row (a worker takes it over
    should this process die). Raises JobDeferred when the platform rate-limits us (the job
    waits, pending, for the platform's reset), SyncFailed otherwise."""
    with session_scope() as db:
        user_id = db.get_one(SocialAccount, account_id).user_id
    with run_job(
        job_type=JobType.sync_metrics,
        user_id=user_id,
        subject=str(account_id),
        task=SYNC_TASK,
        payload={"account_id": str(account_id)},
    ) as report:
        run_sync(account_id, client=client, now=now, report=report)
        return report


def run_sync(
    account_id: uuid.UUID,
    *,
    client: PlatformClient | None = None,
    now: datetime | None = None,
    report: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The sync's work, without the job record (safe to run concurrently: see module doc)."""
    now = now or utcnow()
    report = report if report is not None else {}
    account = _load(account_id)
    client = client or client_for(account.platform, account.platform_user_id)
    try:
        tokens = _fresh_tokens(account, client, now)
        try:
            _sync_profile(account, client, tokens, now)
        except TokenInvalid:
            # The platform says no before the token's own expiry: refresh once, if we can.
            if not tokens.refresh_token:
                raise
            tokens = _refresh(account, client)
            _sync_profile(account, client, tokens, now)
        report["posts"] = _sync_posts(account, client, tokens, now)
        report["snapshots"] = _sync_post_metrics(account, client, tokens, now)
    except TokenInvalid as exc:
        _deactivate(account, str(exc))
        raise SyncFailed(
            f"{account.label}: the platform no longer accepts Soash's access ({exc}). "
            "The account is paused; reconnect it to resume syncing."
        ) from exc
    except RateLimited as exc:
        _record_error(account.id, f"rate limited: {exc}")
        raise JobDeferred(
            f"{account.label}: rate limited by the platform; retrying in {int(exc.retry_after)} s",
            retry_after=exc.retry_after,
        ) from exc
    except PlatformError as exc:
        _record_error(account.id, str(exc))
        raise SyncFailed(f"{account.label}: {exc}") from exc
    with session_scope() as db:
        row = db.get_one(SocialAccount, account.id)
        row.last_synced_at = now
        row.sync_error = None
    return report


def _load(account_id: uuid.UUID) -> _Account:
    with session_scope() as db:
        row = db.get_one(SocialAccount, account_id)
        label = f"{row.platform.value} @{row.username or row.platform_user_id}"
        if not row.is_active:
            raise SyncFailed(f"{label} is paused; reconnect or re-enable it to sync.")
        tokens = load_tokens(row)
        if tokens is None:
            raise SyncFailed(f"{label} has no access token; reconnect it.")
        return _Account(
            id=row.id,
            user_id=row.user_id,
            platform=row.platform,
            platform_user_id=row.platform_user_id,
            label=label,
            tokens=tokens,
            last_synced_at=row.last_synced_at,
        )


def _fresh_tokens(account: _Account, client: PlatformClient, now: datetime) -> TokenSet:
    """Refresh a token that is about to expire. If the platform refuses while the current
    token still works (LinkedIn gives most apps no refresh token), keep using it until it
    expires; the sync after that asks the user to reconnect."""
    tokens = account.tokens
    margin = timedelta(hours=get_settings().sync.refresh_before_expiry_hours)
    if tokens.expires_at is None or tokens.expires_at - now > margin:
        return tokens
    try:
        return _refresh(account, client)
    except TokenInvalid:
        if tokens.expires_at > now:
            log.warning(
                "%s: the token cannot be refreshed; it works until it expires", account.label
            )
            return tokens
        raise


def _refresh(account: _Account, client: PlatformClient) -> TokenSet:
    refreshed = client.refresh(account.tokens)
    with session_scope() as db:
        store_tokens(db.get_one(SocialAccount, account.id), refreshed)
    log.info("refreshed the token of %s", account.label)
    account.tokens = refreshed
    return refreshed


def _sync_profile(
    account: _Account, client: PlatformClient, tokens: TokenSet, now: datetime
) -> None:
    profile = (
        client.fetch_target_profile(tokens.access_token, platform_user_id=account.platform_user_id)
        if isinstance(client, TargetLister)
        else client.fetch_profile(tokens.access_token)
    )
    day = client.fetch_account_day(
        tokens.access_token, platform_user_id=account.platform_user_id, day=now.date()
    )
    with session_scope() as db:
        row = db.get_one(SocialAccount, account.id)
        apply_profile(row, profile)
        _note_unavailable(row, day.unavailable)
        upsert_account_metrics(
            db,
            [
                AccountMetricRow(
                    social_account_id=account.id,
                    metric_date=now.date(),
                    follower_count=day.followers
                    if day.followers is not None
                    else profile.followers,
                    following_count=day.following
                    if day.following is not None
                    else profile.following,
                    total_posts=day.total_posts
                    if day.total_posts is not None
                    else profile.post_count,
                    total_reach=day.reach,
                    total_impressions=day.impressions,
                    total_engagement=day.engagement,
                )
            ],
        )


def _sync_posts(account: _Account, client: PlatformClient, tokens: TokenSet, now: datetime) -> int:
    if account.last_synced_at is None:
        since = now - timedelta(days=get_settings().sync.first_sync_days)
    else:
        since = account.last_synced_at - RELIST_OVERLAP
    seen = 0
    pages = client.list_posts(
        tokens.access_token, platform_user_id=account.platform_user_id, since=since
    )
    for page in pages:
        with session_scope() as db:
            upsert_posts(db, account.id, [_post_row(p) for p in page])
        seen += len(page)
    return seen


def _post_row(post: RemotePost) -> PostRow:
    return PostRow(
        platform_post_id=post.platform_post_id,
        posted_at=post.posted_at,
        content_type=post.content_type,
        caption=post.caption,
        media_urls=post.media_urls,
        platform_kind=post.kind or None,
    )


def _due_posts(account_id: uuid.UUID, now: datetime) -> list[Any]:
    with session_scope() as db:
        rows = db.execute(
            select(
                Post.id,
                Post.platform_post_id,
                Post.posted_at,
                Post.content_type,
                Post.platform_kind,
                Post.metrics_synced_at,
            )
            .where(
                Post.social_account_id == account_id,
                or_(Post.metrics_synced_at.is_(None), Post.posted_at >= now - TRACKED_FOR),
            )
            .order_by(Post.posted_at.desc())
        ).all()
    return [
        r
        for r in rows
        if r.posted_at is not None and metrics_due(r.posted_at, r.metrics_synced_at, now)
    ]


def _sync_post_metrics(
    account: _Account, client: PlatformClient, tokens: TokenSet, now: datetime
) -> int:
    written = 0
    for batch in chunks(_due_posts(account.id, now), METRICS_BATCH):
        remote = [
            RemotePost(
                platform_post_id=r.platform_post_id,
                posted_at=r.posted_at,
                content_type=r.content_type,
                kind=r.platform_kind or "",
            )
            for r in batch
        ]
        fetched = client.fetch_post_metrics(tokens.access_token, remote)
        ids = {r.platform_post_id: r.id for r in batch}
        with session_scope() as db:
            row = db.get_one(SocialAccount, account.id)
            rows = []
            for platform_id, m in fetched.items():
                if platform_id not in ids:
                    continue  # the platform answered about a post we did not ask for
                _note_unavailable(row, m.unavailable)
                rows.append(
                    MetricRow(
                        post_id=ids[platform_id],
                        metric_date=now.date(),
                        likes=m.likes,
                        comments=m.comments,
                        shares=m.shares,
                        saves=m.saves,
                        reach=m.reach,
                        impressions=m.impressions,
                    )
                )
            written += upsert_post_metrics(
                db, rows, followers={r.post_id: row.follower_count for r in rows}
            )
            db.execute(
                update(Post)
                .where(Post.id.in_([ids[p] for p in fetched if p in ids]))
                .values(metrics_synced_at=now)
            )
    return written


def _note_unavailable(row: SocialAccount, names: set[str]) -> None:
    if names - set(row.unavailable_metrics or []):
        row.unavailable_metrics = sorted(set(row.unavailable_metrics or []) | names)


def _record_error(account_id: uuid.UUID, message: str) -> None:
    with session_scope() as db:
        db.get_one(SocialAccount, account_id).sync_error = message[:2000]


def _deactivate(account: _Account, reason: str) -> None:
    """Pause the account (nothing is deleted) and ask the user to reconnect it."""
    with session_scope() as db:
        row = db.get_one(SocialAccount, account.id)
        row.is_active = False
        row.sync_error = f"access revoked or expired: {reason}"[:2000]
        upsert_insight(
            db,
            user_id=account.user_id,
            key=f"reconnect:{account.id}",
            insight_type=InsightType.recommendation,
            title=f"Reconnect {account.label}",
            description=(
                f"{account.label} stopped accepting Soash's access ({reason}). Your data is "
                "safe; reconnect the account to resume the daily sync."
            ),
            priority=Priority.high,
        )
