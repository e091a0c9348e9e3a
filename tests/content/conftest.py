"""Helpers for the CSV import tests: building files, uploading them, reading what was stored."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from httpx import Response
from sqlalchemy import func, select

from soash.content.importer import ACCOUNT_METRIC_COLUMNS, POST_COLUMNS
from soash.content.models import Post, PostMetric
from soash.db import session_scope
from soash.social.models import Platform, PlatformMetric, SocialAccount
from soash.system.models import SystemJob
from tests.helpers import Api, User

POSTS = "/api/v1/imports/posts"
ACCOUNT_METRICS = "/api/v1/imports/account-metrics"


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A CSV file; cells are written as given (quote them yourself where needed)."""
    lines = [",".join(header)] + [",".join("" if c is None else str(c) for c in r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


def post_row(
    *,
    platform: str = "instagram",
    account: str = "fernandfig",
    post_id: str = "p1",
    content_type: str = "image",
    caption: str = "Fresh loaves #sourdough #Bread",
    hashtags: str = "",
    posted_at: str = "2025-03-01T08:30:00+01:00",
    day: str = "2025-03-02",
    likes: object = 10,
    comments: object = 2,
    shares: object = 1,
    saves: object = 3,
    reach: object = 200,
    impressions: object = 250,
) -> list[object]:
    return [
        platform,
        account,
        post_id,
        content_type,
        caption,
        hashtags,
        posted_at,
        day,
        likes,
        comments,
        shares,
        saves,
        reach,
        impressions,
    ]


def posts_file(rows: Sequence[Sequence[object]]) -> str:
    return csv_text(POST_COLUMNS, rows)


def day_row(
    *,
    platform: str = "instagram",
    account: str = "fernandfig",
    day: str = "2025-03-02",
    followers: object = 1000,
    following: object = 100,
    total_posts: object = 50,
    reach: object = 5000,
    impressions: object = 7000,
    engagement: object = 250,
) -> list[object]:
    return [
        platform,
        account,
        day,
        followers,
        following,
        total_posts,
        reach,
        impressions,
        engagement,
    ]


def days_file(rows: Sequence[Sequence[object]]) -> str:
    return csv_text(ACCOUNT_METRIC_COLUMNS, rows)


def upload(
    api: Api, user: User, path: str, content: str | bytes, name: str = "export.csv"
) -> Response:
    data = content.encode() if isinstance(content, str) else content
    response: Response = api.client.post(
        path, files={"file": (name, data, "text/csv")}, headers=user.headers
    )
    return response


def own_account(
    user_id: str | uuid.UUID,
    *,
    platform: Platform = Platform.instagram,
    username: str = "fernandfig",
    followers: int | None = None,
) -> uuid.UUID:
    """A connected-looking account of the user (as the OAuth connect flow would store it)."""
    with session_scope() as db:
        account = SocialAccount(
            user_id=uuid.UUID(str(user_id)),
            platform=platform,
            platform_user_id=f"real-{uuid.uuid4().hex}",
            username=username,
            access_token="ciphertext",
            follower_count=followers,
            unavailable_metrics=[],
        )
        db.add(account)
        db.flush()
        return account.id


def table_counts() -> dict[str, int]:
    with session_scope() as db:
        return {
            name: db.scalar(select(func.count()).select_from(model)) or 0
            for name, model in {
                "accounts": SocialAccount,
                "posts": Post,
                "post_metrics": PostMetric,
                "platform_metrics": PlatformMetric,
            }.items()
        }


def jobs() -> list[SystemJob]:
    with session_scope() as db:
        return list(db.scalars(select(SystemJob).order_by(SystemJob.created_at)))
