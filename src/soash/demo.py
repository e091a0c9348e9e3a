"""The demo tenant: a verified user with a brand profile and a year of synthetic history on
up to three demo accounts, written through the same write path as the sync."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from rich.console import Console
from rich.progress import Progress, TaskID
from sqlalchemy import select, update
from sqlalchemy.orm import Session

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
from soash.insights.generate import generate_insights
from soash.social.models import Platform, SocialAccount
from soash.social.platforms.base import RemotePost, TokenSet
from soash.social.platforms.demo import HISTORY_DAYS, DemoClient
from soash.social.tokens import apply_profile, store_tokens
from soash.system.models import JobType
from soash.system.runner import run_job
from soash.users import service as users
from soash.users.models import SubscriptionTier, User

TIMEZONE = "Europe/Berlin"
ACCOUNTS = (
    (Platform.instagram, "demo-instagram-fernandfig"),
    (Platform.tiktok, "demo-tiktok-fernandfig"),
    (Platform.facebook, "demo-facebook-fernandfig"),
)
BATCH = 5000


def _demo_user(db: Session, *, email: str, password: str) -> User:
    user = users.get_by_email(db, email)
    if user is None:
        user = users.create_user(
            db,
            email=email,
            password=password,
            first_name="Dana",
            last_name="Demo",
            verified=True,
            tier=SubscriptionTier.pro,
            timezone=TIMEZONE,
        )
    users.update_profile(
        db,
        user,
        values={
            "brand_name": "Fern & Fig Bakery",
            "brand_description": "A neighbourhood sourdough bakery sharing bakes, recipes and "
            "behind-the-scenes moments.",
            "industry": "Food & beverage",
            "target_audience": "Home bakers and food lovers aged 25-45 in the city",
            "brand_values": ["craft", "seasonal ingredients", "community"],
            "business_goals": ["grow local foot traffic", "sell baking classes"],
            "timezone": TIMEZONE,
            "avatar_url": None,
        },
    )
    users.complete_onboarding(db, user)
    return user


def _demo_account(db: Session, user: User, platform: Platform, seed: str) -> tuple[uuid.UUID, str]:
    """The user's own demo account on ``platform`` (made if missing) and its seed. The seed is
    the account's platform id, unique across users: a second demo user gets a seed of its own
    instead of taking over the first one's account."""
    own_seed = f"{seed}-{user.id.hex[:12]}"
    account = db.scalar(
        select(SocialAccount).where(
            SocialAccount.user_id == user.id,
            SocialAccount.platform == platform,
            SocialAccount.platform_user_id.in_((seed, own_seed)),
        )
    )
    if account is None:
        taken = db.scalar(
            select(SocialAccount.id).where(
                SocialAccount.platform == platform, SocialAccount.platform_user_id == seed
            )
        )
        account = SocialAccount(
            id=uuid.uuid4(),
            user_id=user.id,
            platform=platform,
            platform_user_id=own_seed if taken else seed,
            unavailable_metrics=[],
        )
        db.add(account)
    account.is_active = True
    store_tokens(account, TokenSet(access_token=f"demo-token-{account.platform_user_id}"))
    db.flush()
    return account.id, account.platform_user_id


def _snapshot_days(posted: date, today: date) -> list[date]:
    """The days the sync's schedule would have taken a snapshot of a post: daily for 30 days,
    weekly to 90, and today."""
    days = []
    for age in range(0, 91):
        day = posted + timedelta(days=age)
        if day > today:
            break
        if age <= 30 or age % 7 == 0 or day == today:
            days.append(day)
    return days


def seed_account_history(
    account_id: uuid.UUID, client: DemoClient, *, advance: Callable[[int], None]
) -> int:
    """Write a year of posts, daily post snapshots and account metrics; returns rows written."""
    now = client.now or utcnow()
    start = now - timedelta(days=HISTORY_DAYS)
    posts = client.posts_between(start, now)
    with session_scope() as db:
        ids = upsert_posts(
            db,
            account_id,
            [
                PostRow(
                    platform_post_id=p.platform_post_id,
                    posted_at=p.posted_at,
                    content_type=p.content_type,
                    caption=p.caption,
                    media_urls=p.media_urls,
                    platform_kind=p.kind,
                )
                for p in posts
            ],
        )
    by_day: dict[date, list[RemotePost]] = {}
    for post in posts:
        for day in _snapshot_days(post.posted_at.date(), now.date()):
            by_day.setdefault(day, []).append(post)
    written = 0
    pending: list[MetricRow] = []
    days: list[AccountMetricRow] = []
    day = start.date()
    while day <= now.date():
        end_of_day = min(now, datetime.combine(day, time(23, 59), UTC))
        for post in by_day.get(day, []):
            m = client.metrics_at(post, end_of_day)
            pending.append(
                MetricRow(
                    post_id=ids[post.platform_post_id],
                    metric_date=day,
                    likes=m.likes,
                    comments=m.comments,
                    shares=m.shares,
                    saves=m.saves,
                    reach=m.reach,
                    impressions=m.impressions,
                )
            )
        account_day = client.fetch_account_day("", platform_user_id=client.seed, day=day)
        days.append(
            AccountMetricRow(
                social_account_id=account_id,
                metric_date=day,
                follower_count=account_day.followers,
                following_count=account_day.following,
                total_posts=account_day.total_posts,
                total_reach=account_day.reach,
                total_impressions=account_day.impressions,
                total_engagement=account_day.engagement,
            )
        )
        if len(pending) >= BATCH or day == now.date():
            followers = client.followers_on(day)  # only used where a post has no reach
            with session_scope() as db:
                upsert_account_metrics(db, days)
                written += upsert_post_metrics(
                    db, pending, followers={r.post_id: followers for r in pending}
                )
            pending, days = [], []
        advance(1)
        day += timedelta(days=1)
    profile = client.fetch_profile("")
    with session_scope() as db:
        account = db.get_one(SocialAccount, account_id)
        apply_profile(account, profile)
        account.last_synced_at = now
        account.sync_error = None
        db.execute(
            update(Post).where(Post.social_account_id == account_id).values(metrics_synced_at=now)
        )
    return written


def seed_demo(
    *, email: str, password: str, console: Console, accounts: int = 3, now: datetime | None = None
) -> uuid.UUID:
    with session_scope() as db:
        user = _demo_user(db, email=email, password=password)
        user_id = user.id
        account_ids = [
            (*_demo_account(db, user, platform, seed), platform)
            for platform, seed in ACCOUNTS[:accounts]
        ]
    with (
        run_job(job_type=JobType.seed_demo, user_id=user_id) as report,
        Progress(console=console, transient=True) as progress,
    ):
        for account_id, seed, platform in account_ids:
            client = DemoClient(platform, seed, timezone=TIMEZONE, now=now)
            task = progress.add_task(f"Demo {platform.value} history", total=HISTORY_DAYS + 1)

            def advance(n: int, task: TaskID = task) -> None:
                progress.advance(task, n)

            report[platform.value] = seed_account_history(account_id, client, advance=advance)
    with console.status("Finding what works in the demo data"):
        found = generate_insights(user_id, now=now)
    console.print(
        f"Demo data ready: {len(account_ids)} accounts, "
        f"{sum(v for v in report.values())} daily post snapshots, {found['insights']} insights."
    )
    return user_id
