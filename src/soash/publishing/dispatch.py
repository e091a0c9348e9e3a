"""Publishing one scheduled post, exactly once, whatever stops it half-way.

Three short transactions around two network steps (no network call holds a write open):

1. claim: the post goes ``scheduled → publishing`` under a lock on its account (one publisher
   per account at a time), with a fresh idempotency key when it has no upload yet;
2. ``prepare`` uploads the media and the container id is **recorded** before
3. ``publish`` makes the post visible, and its id and permalink are recorded.

A retry (a re-queued job after a crash, a timeout, a 5xx) of a post that has a recorded
container, or that was attempted before, first asks the platform whether it already has the
post (``find_published``): a crash or a timeout after the platform accepted never publishes
twice. 5xx and timeouts are retried with backoff up to ``MAX_ATTEMPTS``; a rate limit waits
for the platform's reset; a revoked token fails the post ("reconnect") and pauses the account;
any failure is emailed to the owner.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from soash import jobs, mail
from soash.db import session_scope, utcnow
from soash.publishing import rules
from soash.publishing.models import ScheduledPost, ScheduledStatus
from soash.social.models import SocialAccount
from soash.social.platforms.base import Draft, Published, Publisher
from soash.social.platforms.errors import (
    MalformedResponse,
    PlatformError,
    RateLimited,
    TokenInvalid,
    TransientError,
)
from soash.social.platforms.registry import client_for
from soash.social.tokens import load_tokens
from soash.system.runner import JobDeferred
from soash.users.models import User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 15.0  # 15 s, 30 s, 1 min, 2 min between attempts
BUSY_RETRY_SECONDS = 2.0
RECONNECT = "reconnect the account in Soash and try again"


@dataclass(frozen=True)
class _Claimed:
    post_id: uuid.UUID
    platform_user_id: str
    access_token: str
    draft: Draft
    container_id: str | None
    attempts: int
    since: datetime
    client: Publisher


def publish_post(
    post_id: uuid.UUID, *, result: dict[str, Any], client: Publisher | None = None
) -> None:
    """The publish job's work. ``client`` replaces the platform's (tests)."""
    claimed = _claim(post_id, result, client)
    if claimed is None:
        return
    try:
        published = _publish(claimed)
    except TokenInvalid as exc:
        _fail(post_id, f"The platform refused Soash's access ({exc}): {RECONNECT}.", pause=True)
        result["outcome"] = "failed"
        return
    except RateLimited as exc:
        _back_to_queue(post_id, f"rate limited by the platform: {exc}")
        raise JobDeferred(str(exc), retry_after=exc.retry_after) from None
    except (TransientError, MalformedResponse) as exc:
        if claimed.attempts >= MAX_ATTEMPTS:
            _fail(post_id, f"Gave up after {claimed.attempts} attempts: {exc}")
            result["outcome"] = "failed"
            return
        _back_to_queue(post_id, str(exc))
        wait = BACKOFF_SECONDS * 2 ** (claimed.attempts - 1)
        raise JobDeferred(f"attempt {claimed.attempts} failed: {exc}", retry_after=wait) from None
    except PlatformError as exc:
        _fail(post_id, f"The platform refused the post: {exc}")
        result["outcome"] = "failed"
        return
    _record_published(post_id, published)
    result.update(outcome="published", platform_post_id=published.platform_post_id)


def _claim(post_id: uuid.UUID, result: dict[str, Any], client: Publisher | None) -> _Claimed | None:
    now = utcnow()
    with session_scope() as db:
        post = db.get(ScheduledPost, post_id)
        if post is None or post.status not in (
            ScheduledStatus.scheduled,
            ScheduledStatus.publishing,
        ):
            result["outcome"] = f"nothing to do ({post.status.value if post else 'deleted'})"
            return None
        if post.status is ScheduledStatus.scheduled and post.scheduled_for > now:
            wait = (post.scheduled_for - now).total_seconds()
            raise JobDeferred("not due yet", retry_after=wait)
        account = db.scalar(
            select(SocialAccount)
            .where(SocialAccount.id == post.social_account_id)
            .with_for_update()
        )
        assert account is not None  # the post's foreign key cascades
        busy = db.scalar(
            select(ScheduledPost.id)
            .where(
                ScheduledPost.social_account_id == account.id,
                ScheduledPost.status == ScheduledStatus.publishing,
                ScheduledPost.id != post.id,
            )
            .limit(1)
        )
        if busy is not None:
            raise JobDeferred(
                "another post of this account is being published", retry_after=BUSY_RETRY_SECONDS
            )
        tokens = load_tokens(account)
        if not account.is_active or tokens is None:
            _fail_in(db, post, f"The account is paused or disconnected: {RECONNECT}.")
            result["outcome"] = "failed"
            return None
        publisher = client or client_for(account.platform, account.platform_user_id)
        if not isinstance(publisher, Publisher):
            _fail_in(db, post, f"Publishing to {account.platform.value} is not supported yet.")
            result["outcome"] = "failed"
            return None
        post.status = ScheduledStatus.publishing
        post.attempts += 1
        if post.container_id is None or post.idempotency_key is None:
            post.idempotency_key = uuid.uuid4().hex
        return _Claimed(
            post_id=post.id,
            platform_user_id=account.platform_user_id,
            access_token=tokens.access_token,
            draft=Draft(
                kind=post.content_type.value,
                text=rules.full_text(post.caption, post.hashtags),
                media_urls=tuple(post.media_urls),
                idempotency_key=post.idempotency_key,
            ),
            container_id=post.container_id,
            attempts=post.attempts,
            since=post.scheduled_for,
            client=publisher,
        )


def _publish(c: _Claimed) -> Published:
    container = c.container_id
    if container is not None or c.attempts > 1:
        found = c.client.find_published(
            c.access_token,
            platform_user_id=c.platform_user_id,
            draft=c.draft,
            container_id=container or "",
            since=c.since - timedelta(minutes=5),
        )
        if found is not None:
            log.info("post %s was already on the platform as %s", c.post_id, found.platform_post_id)
            return found
    if container is None:
        container = c.client.prepare(
            c.access_token, platform_user_id=c.platform_user_id, draft=c.draft
        )
        _record_container(c.post_id, container)
    return c.client.publish(
        c.access_token, platform_user_id=c.platform_user_id, draft=c.draft, container_id=container
    )


def _record_container(post_id: uuid.UUID, container_id: str) -> None:
    with session_scope() as db:
        db.get_one(ScheduledPost, post_id).container_id = container_id


def _record_published(post_id: uuid.UUID, published: Published) -> None:
    with session_scope() as db:
        post = db.get_one(ScheduledPost, post_id)
        post.status = ScheduledStatus.published
        post.platform_post_id = published.platform_post_id
        post.permalink = published.permalink
        post.published_at = utcnow()
        post.last_error = None
        post.job_id = None


def _back_to_queue(post_id: uuid.UUID, error: str) -> None:
    """Keep the post (and its recorded container) for the next attempt; free the account."""
    with session_scope() as db:
        post = db.get_one(ScheduledPost, post_id)
        post.status = ScheduledStatus.scheduled
        post.last_error = error[:2000]


def _fail(post_id: uuid.UUID, reason: str, *, pause: bool = False) -> None:
    with session_scope() as db:
        post = db.get_one(ScheduledPost, post_id)
        _fail_in(db, post, reason)
        if pause:
            account = db.get_one(SocialAccount, post.social_account_id)
            account.is_active = False
            account.sync_error = reason[:2000]


def _fail_in(db: Any, post: ScheduledPost, reason: str) -> None:
    post.status = ScheduledStatus.failed
    post.last_error = reason[:2000]
    post.job_id = None
    owner = db.get(User, post.user_id)
    if owner is None:
        return
    to, when = owner.email, post.scheduled_for
    body = (
        f"Your post scheduled for {when:%Y-%m-%d %H:%M} UTC was not published.\n\n"
        f"Why: {reason}\n\nOpen your queue in Soash to fix it and press Retry."
    )
    jobs.defer(db, lambda: mail.send_email(to, "A scheduled post was not published", body))
