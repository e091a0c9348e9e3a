"""Fixtures for sync tests: a user with a connected account, and platform clients to sync from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from soash.content.models import Post, PostMetric
from soash.db import session_scope
from soash.social.models import Platform, PlatformMetric, SocialAccount
from soash.social.platforms.base import AccountDay, PostMetrics, Profile, RemotePost, TokenSet
from soash.social.platforms.demo import DemoClient
from soash.social.tokens import store_tokens
from tests.factories import make_user

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def make_account(
    user_id: uuid.UUID,
    *,
    platform: Platform = Platform.instagram,
    platform_user_id: str = "demo-ig-1",
    tokens: TokenSet | None = None,
) -> uuid.UUID:
    with session_scope() as db:
        account = SocialAccount(
            id=uuid.uuid4(),
            user_id=user_id,
            platform=platform,
            platform_user_id=platform_user_id,
            username="fernandfig",
            unavailable_metrics=[],
        )
        store_tokens(account, tokens or TokenSet(access_token="tok-1", refresh_token="ref-1"))
        db.add(account)
        return account.id


def counts(account_id: uuid.UUID) -> tuple[int, int, int]:
    """(posts, post_metrics rows, platform_metrics rows) of one account."""
    with session_scope() as db:
        posts = select(Post.id).where(Post.social_account_id == account_id)
        return (
            db.scalar(select(func.count()).select_from(posts.subquery())) or 0,
            db.scalar(select(func.count()).where(PostMetric.post_id.in_(posts))) or 0,
            db.scalar(select(func.count()).where(PlatformMetric.social_account_id == account_id))
            or 0,
        )


@dataclass
class ScriptedClient:
    """A platform client over the demo data that can be told to misbehave at a given call,
    standing in for a platform (the thing under test is the sync, not the client)."""

    inner: DemoClient
    fail_on_page: int | None = None
    page_error: Exception | None = None
    profile_error: Exception | None = None
    unavailable: set[str] = field(default_factory=set)
    refreshed_to: TokenSet | None = None
    calls: dict[str, int] = field(default_factory=dict)
    metric_posts: list[str] = field(default_factory=list)

    platform = Platform.instagram
    uses_pkce = False

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def authorize_url(self, *, state: str, redirect_uri: str, code_challenge: str | None) -> str:
        return self.inner.authorize_url(
            state=state, redirect_uri=redirect_uri, code_challenge=code_challenge
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str | None) -> TokenSet:
        return self.inner.exchange_code(
            code=code, redirect_uri=redirect_uri, code_verifier=code_verifier
        )

    def refresh(self, tokens: TokenSet) -> TokenSet:
        self._count("refresh")
        return self.refreshed_to or tokens

    def fetch_profile(self, access_token: str) -> Profile:
        self._count("profile")
        if self.profile_error:
            raise self.profile_error
        return self.inner.fetch_profile(access_token)

    def list_posts(self, access_token: str, *, platform_user_id: str, since: datetime) -> Any:
        for number, page in enumerate(
            self.inner.list_posts(access_token, platform_user_id=platform_user_id, since=since),
            start=1,
        ):
            if number == self.fail_on_page and self.page_error is not None:
                raise self.page_error
            yield page

    def fetch_post_metrics(
        self, access_token: str, posts: list[RemotePost]
    ) -> dict[str, PostMetrics]:
        self.metric_posts.extend(p.platform_post_id for p in posts)
        result = self.inner.fetch_post_metrics(access_token, posts)
        for metrics in result.values():
            for name in self.unavailable:
                setattr(metrics, name, None)
            metrics.unavailable |= self.unavailable
        return result

    def fetch_account_day(
        self, access_token: str, *, platform_user_id: str, day: date
    ) -> AccountDay:
        return self.inner.fetch_account_day(
            access_token, platform_user_id=platform_user_id, day=day
        )


@pytest.fixture
def account() -> uuid.UUID:
    return make_account(make_user())


@pytest.fixture
def scripted() -> ScriptedClient:
    return ScriptedClient(DemoClient(Platform.instagram, "demo-ig-1", now=NOW))
