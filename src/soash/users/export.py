"""``GET /me/export``: every row of a user's data as JSON, secrets left out."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Select, Table, select
from sqlalchemy.orm import Session

from soash.content.models import Post, PostMetric, post_categories
from soash.db import Base
from soash.referrals.models import ReferralCode, ReferralSignup
from soash.social.models import PlatformMetric, SocialAccount
from soash.users.models import User

SECRET_COLUMNS = {
    "password_hash",
    "verification_token",
    "access_token",
    "refresh_token",
    "token_hash",
    "state_hash",  # oauth_states: the pending OAuth state and its PKCE verifier
    "code_verifier",
}
SKIPPED_TABLES = {"users", "user_sessions", "password_resets", "referral_signups"}


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _rows(db: Session, table: Table, stmt: Select[Any]) -> list[dict[str, Any]]:
    keep = [c for c in table.columns if c.name not in SECRET_COLUMNS]
    result = db.execute(stmt.with_only_columns(*keep))
    return [{k: _plain(v) for k, v in row._mapping.items()} for row in result]


def export_user(db: Session, user: User) -> dict[str, Any]:
    tables = Base.metadata.tables
    accounts = select(SocialAccount.id).where(SocialAccount.user_id == user.id)
    posts = select(Post.id).where(Post.social_account_id.in_(accounts))
    codes = select(ReferralCode.id).where(ReferralCode.user_id == user.id)
    by_parent: dict[str, Select[Any]] = {
        "platform_metrics": select(PlatformMetric).where(
            PlatformMetric.social_account_id.in_(accounts)
        ),
        "posts": select(Post).where(Post.social_account_id.in_(accounts)),
        "post_metrics": select(PostMetric).where(PostMetric.post_id.in_(posts)),
        "post_categories": select(post_categories).where(post_categories.c.post_id.in_(posts)),
    }
    data: dict[str, Any] = {
        "exported_at": _plain(datetime.now().astimezone()),
        "user": _rows(db, tables["users"], select(User).where(User.id == user.id))[0],
    }
    for name, table in sorted(tables.items()):
        if name in SKIPPED_TABLES:
            continue
        if name in by_parent:
            data[name] = _rows(db, table, by_parent[name])
        elif "user_id" in table.c:
            data[name] = _rows(db, table, select(table).where(table.c.user_id == user.id))
    signups = select(ReferralSignup).where(ReferralSignup.referral_code_id.in_(codes))
    data["referral_signups"] = [
        {k: v for k, v in row.items() if k not in {"referee_user_id", "referee_email_hash"}}
        for row in _rows(db, tables["referral_signups"], signups)
    ]
    return data
