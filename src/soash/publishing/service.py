"""A user's scheduled posts: create, list, change, cancel, retry, duplicate, publish now.

Every post that is ``scheduled`` has a durable job (``PUBLISH_TASK``) that wakes at its time;
the dispatcher (:mod:`soash.publishing.dispatch`) does the publishing.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from soash import jobs
from soash.db import utcnow
from soash.errors import Conflict, InvalidInput, LimitReached, NotFound
from soash.ownership import owned_by, owner_id
from soash.publishing import plans, rules
from soash.publishing.models import ScheduledPost, ScheduledStatus
from soash.publishing.schemas import Intent, ScheduledPostIn, ScheduledPostOut, ScheduledPostPatch
from soash.publishing.timing import to_utc
from soash.social import service as social
from soash.social.models import SocialAccount
from soash.system.models import JobStatus, JobType, SystemJob
from soash.users.models import User, UserProfile

PUBLISH_TASK = "publishing.publish_post"
# A scheduled time this far in the past is still taken (the form took a while to send).
PAST_GRACE = timedelta(minutes=1)
EDITABLE = frozenset({ScheduledStatus.draft, ScheduledStatus.scheduled, ScheduledStatus.failed})
COUNTED = (
    ScheduledStatus.scheduled,
    ScheduledStatus.publishing,
    ScheduledStatus.published,
    ScheduledStatus.failed,
)


def profile_timezone(db: Session, user: User) -> ZoneInfo:
    name = db.scalar(select(UserProfile.timezone).where(owned_by(UserProfile.user_id, user)))
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_out(post: ScheduledPost, account: SocialAccount) -> ScheduledPostOut:
    tz = _zone(post.timezone)
    return ScheduledPostOut.model_validate(
        {
            **{k: getattr(post, k) for k in ScheduledPostOut.model_fields if hasattr(post, k)},
            "platform": account.platform,
            "scheduled_for_local": post.scheduled_for.astimezone(tz),
        }
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


# -- checks ------------------------------------------------------------------------------------


def _check_rules(account: SocialAccount, post: ScheduledPost) -> None:
    broken = rules.check(
        account.platform,
        post.content_type,
        caption=post.caption,
        hashtags=post.hashtags,
        media=post.media_urls,
    )
    if broken:
        first = broken[0]
        more = f" ({len(broken) - 1} more problem(s) in 'errors'.)" if len(broken) > 1 else ""
        raise InvalidInput(
            first.message + more,
            rule=first.rule,
            errors=[{"field": v.field, "rule": v.rule, "message": v.message} for v in broken],
        )


def _check_account(account: SocialAccount) -> None:
    if not account.is_active or account.access_token is None:
        raise Conflict(
            "This account is paused or disconnected; reconnect it before scheduling posts to it."
        )


def _check_time(when: datetime, now: datetime) -> None:
    if when < now - PAST_GRACE:
        raise InvalidInput(
            f"'scheduled_for' ({when.isoformat()}) is in the past; choose a later time, or "
            "use publish-now.",
            rule="in_the_past",
            errors=[{"field": "scheduled_for", "message": "is in the past"}],
        )


def _month(when: datetime) -> tuple[datetime, datetime]:
    start = when.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def _check_plan(db: Session, user: User, when: datetime, *, exclude: uuid.UUID | None) -> None:
    limit = plans.posts_per_month(user)
    if limit is None:
        return
    start, end = _month(when)
    stmt = select(func.count()).where(
        owned_by(ScheduledPost.user_id, user),
        ScheduledPost.status.in_(COUNTED),
        ScheduledPost.scheduled_for >= start,
        ScheduledPost.scheduled_for < end,
    )
    if exclude is not None:
        stmt = stmt.where(ScheduledPost.id != exclude)
    used = db.scalar(stmt) or 0
    if used >= limit:
        raise LimitReached(
            f"Your plan schedules at most {limit} posts a month and {start:%B %Y} already has "
            f"{used}. Upgrade, or cancel a post that month.",
            limit="scheduled_posts_per_month",
            allowed=limit,
            used=used,
        )


# -- the job that publishes a post ---------------------------------------------------------------


def queue_job(db: Session, post: ScheduledPost, now: datetime) -> None:
    """Give a scheduled post its publish job (waking at its time), or move the one it has."""
    delay = max(0.0, (post.scheduled_for - now).total_seconds())
    job = db.scalar(
        select(SystemJob).where(
            SystemJob.job_type == JobType.publish_post,
            SystemJob.subject == str(post.id),
            SystemJob.status.in_([JobStatus.pending, JobStatus.running]),
        )
    )
    if job is not None:
        post.job_id = job.id
    if job is not None and job.status is JobStatus.pending:
        job.run_after = post.scheduled_for if delay else None
        job.sent_at = now
        job_id = job.id
        jobs.defer(db, lambda: jobs.send(PUBLISH_TASK, job_id, delay=delay))
        return
    if job is not None and job.status is JobStatus.running:
        return  # the dispatcher is on it; it reads the post's time when it starts
    job = jobs.enqueue(
        db,
        PUBLISH_TASK,
        {"post_id": str(post.id)},
        job_type=JobType.publish_post,
        user_id=post.user_id,
        subject=str(post.id),
        delay=delay,
    )
    post.job_id = job.id


# -- the routes' operations ----------------------------------------------------------------------


def get_post(db: Session, user: User, post_id: uuid.UUID) -> ScheduledPost:
    post = db.scalar(
        select(ScheduledPost).where(
            ScheduledPost.id == post_id, owned_by(ScheduledPost.user_id, user)
        )
    )
    if post is None:
        raise NotFound(f"You have no scheduled post with id {post_id}.")
    return post


def account_of(db: Session, post: ScheduledPost) -> SocialAccount:
    return db.get_one(SocialAccount, post.social_account_id)


def create(
    db: Session, user: User, data: ScheduledPostIn, *, now: datetime | None = None
) -> ScheduledPost:
    now = now or utcnow()
    account = social.get_account(db, user, data.social_account_id)
    tz = profile_timezone(db, user)
    post = ScheduledPost(
        id=uuid.uuid4(),
        user_id=owner_id(user),
        social_account_id=account.id,
        content_type=data.content_type,
        caption=data.caption,
        media_urls=list(data.media_urls),
        hashtags=[h.lstrip("#") for h in data.hashtags],
        scheduled_for=to_utc(data.scheduled_for, tz),
        timezone=tz.key,
        status=ScheduledStatus(data.status.value),
    )
    if post.status is ScheduledStatus.scheduled:
        _schedule(db, user, account, post, now)
    db.add(post)
    db.flush()
    return post


def _schedule(
    db: Session, user: User, account: SocialAccount, post: ScheduledPost, now: datetime
) -> None:
    _check_account(account)
    _check_rules(account, post)
    _check_time(post.scheduled_for, now)
    _check_plan(db, user, post.scheduled_for, exclude=post.id)
    post.status = ScheduledStatus.scheduled
    db.add(post)
    db.flush()
    queue_job(db, post, now)


def change(
    db: Session,
    user: User,
    post_id: uuid.UUID,
    data: ScheduledPostPatch,
    *,
    now: datetime | None = None,
) -> ScheduledPost:
    now = now or utcnow()
    post = get_post(db, user, post_id)
    if post.status not in EDITABLE:
        raise Conflict(
            f"This post is {post.status.value}; only drafts, scheduled and failed posts change."
        )
    given = data.model_fields_set
    for name in ("content_type", "caption"):
        if name in given:
            setattr(post, name, getattr(data, name))
    if "media_urls" in given:
        post.media_urls = list(data.media_urls or [])
    if "hashtags" in given:
        post.hashtags = [h.lstrip("#") for h in data.hashtags or []]
    if data.scheduled_for is not None:
        tz = profile_timezone(db, user)
        post.scheduled_for = to_utc(data.scheduled_for, tz)
        post.timezone = tz.key
    account = account_of(db, post)
    target = data.status or (
        Intent.scheduled if post.status is ScheduledStatus.scheduled else Intent.draft
    )
    if target is Intent.scheduled:
        if post.status is ScheduledStatus.failed:
            raise Conflict("This post failed; use retry to schedule it again.")
        _schedule(db, user, account, post, now)
    else:
        _unqueue(db, post)
        post.status = ScheduledStatus.draft
    db.flush()
    return post


def _unqueue(db: Session, post: ScheduledPost) -> None:
    """Retire the post's pending publish job (a running one finds the post no longer due)."""
    db.execute(
        update(SystemJob)
        .where(
            SystemJob.job_type == JobType.publish_post,
            SystemJob.subject == str(post.id),
            SystemJob.status == JobStatus.pending,
        )
        .values(
            status=JobStatus.completed,
            completed_at=utcnow(),
            error_message="the post was changed or cancelled before its time",
        )
    )
    post.job_id = None


def cancel(db: Session, user: User, post_id: uuid.UUID) -> ScheduledPost:
    post = get_post(db, user, post_id)
    if post.status is ScheduledStatus.cancelled:
        return post
    if post.status not in EDITABLE:
        raise Conflict(
            f"This post is {post.status.value} and cannot be cancelled"
            + (
                ": it is being sent to the platform now."
                if post.status is ScheduledStatus.publishing
                else "."
            )
        )
    _unqueue(db, post)
    post.status = ScheduledStatus.cancelled
    return post


def delete(db: Session, user: User, post_id: uuid.UUID) -> None:
    post = get_post(db, user, post_id)
    if post.status is ScheduledStatus.publishing:
        raise Conflict("This post is being sent to the platform now; delete it afterwards.")
    _unqueue(db, post)
    db.delete(post)


def retry(
    db: Session, user: User, post_id: uuid.UUID, *, now: datetime | None = None
) -> ScheduledPost:
    """Schedule a failed post again, now (or at its time when that is still ahead)."""
    now = now or utcnow()
    post = get_post(db, user, post_id)
    if post.status is not ScheduledStatus.failed:
        raise Conflict(f"Only failed posts are retried; this one is {post.status.value}.")
    post.scheduled_for = max(post.scheduled_for, now)
    post.last_error = None
    _schedule(db, user, account_of(db, post), post, now)
    return post


def publish_now(
    db: Session, user: User, post_id: uuid.UUID, *, now: datetime | None = None
) -> ScheduledPost:
    now = now or utcnow()
    post = get_post(db, user, post_id)
    if post.status not in (ScheduledStatus.draft, ScheduledStatus.scheduled):
        raise Conflict(
            f"This post is {post.status.value}; only drafts and scheduled posts are published "
            "now (retry a failed one)."
        )
    post.scheduled_for = now
    _schedule(db, user, account_of(db, post), post, now)
    return post


def duplicate(db: Session, user: User, post_id: uuid.UUID) -> ScheduledPost:
    """A draft copy of the post, at the same time, to edit and schedule."""
    post = get_post(db, user, post_id)
    copy = ScheduledPost(
        id=uuid.uuid4(),
        user_id=post.user_id,
        social_account_id=post.social_account_id,
        content_type=post.content_type,
        caption=post.caption,
        media_urls=list(post.media_urls),
        hashtags=list(post.hashtags),
        scheduled_for=post.scheduled_for,
        timezone=post.timezone,
        status=ScheduledStatus.draft,
    )
    db.add(copy)
    db.flush()
    return copy


# -- listing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    when: datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = json.dumps([self.when.isoformat(), str(self.id)])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            when, ident = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            parsed = datetime.fromisoformat(when)
            if parsed.tzinfo is None:
                raise ValueError("naive")
            return cls(parsed, uuid.UUID(ident))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise InvalidInput(
                "'cursor' is not one this API gave out; start again without it.",
                errors=[{"field": "cursor", "message": "is not a valid cursor"}],
            ) from None


def list_posts(
    db: Session,
    user: User,
    *,
    account_id: uuid.UUID | None = None,
    status: ScheduledStatus | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[tuple[ScheduledPost, SocialAccount]], str | None]:
    """Posts by time (then id), ``start`` inclusive, ``end`` exclusive (local times are read
    in the profile's timezone)."""
    stmt = (
        select(ScheduledPost, SocialAccount)
        .join(SocialAccount, SocialAccount.id == ScheduledPost.social_account_id)
        .where(owned_by(ScheduledPost.user_id, user))
    )
    if account_id is not None:
        social.get_account(db, user, account_id)
        stmt = stmt.where(ScheduledPost.social_account_id == account_id)
    if status is not None:
        stmt = stmt.where(ScheduledPost.status == status)
    tz = profile_timezone(db, user) if (start or end) else None
    if start is not None and tz is not None:
        stmt = stmt.where(ScheduledPost.scheduled_for >= _bound(start, tz, "start"))
    if end is not None and tz is not None:
        stmt = stmt.where(ScheduledPost.scheduled_for < _bound(end, tz, "end"))
    if cursor:
        at = Cursor.decode(cursor)
        stmt = stmt.where(
            or_(
                ScheduledPost.scheduled_for > at.when,
                and_(ScheduledPost.scheduled_for == at.when, ScheduledPost.id > at.id),
            )
        )
    rows = db.execute(
        stmt.order_by(ScheduledPost.scheduled_for, ScheduledPost.id).limit(limit + 1)
    ).all()
    page = [(r[0], r[1]) for r in rows[:limit]]
    more = len(rows) > limit
    next_cursor = Cursor(page[-1][0].scheduled_for, page[-1][0].id).encode() if more else None
    return page, next_cursor


def _bound(value: datetime, tz: ZoneInfo, name: str) -> datetime:
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    # A bound in a DST gap or overlap: the earlier reading is as good as any for a filter.
    return value.replace(tzinfo=tz).astimezone(UTC)
