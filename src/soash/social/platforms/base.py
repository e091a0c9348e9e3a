"""What every platform client gives the sync: the data shapes and the client interface.

A client is a thin httpx wrapper around one platform's real API (see docs/platforms.md). It
returns these plain dataclasses and raises the errors in ``soash.social.platforms.errors``;
it never touches the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from soash.content.models import ContentType
from soash.social.models import Platform


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None  # aware UTC; None = does not expire
    platform_user_id: str | None = None  # when the token response names the account
    scopes: tuple[str, ...] = ()
    # The user-level token a grant's targets are listed with, when it is not ``access_token``
    # (Facebook: the long-lived user token behind a Page token). Only for
    # :meth:`TargetLister.list_targets` during a connect; never stored, never shown.
    grant_token: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Profile:
    platform_user_id: str
    username: str | None
    display_name: str | None = None
    avatar_url: str | None = None
    followers: int | None = None
    following: int | None = None
    post_count: int | None = None


@dataclass(frozen=True)
class RemotePost:
    platform_post_id: str
    posted_at: datetime  # aware UTC
    content_type: ContentType | None  # None: text/link posts the ERD enum has no value for
    caption: str | None = None
    media_urls: tuple[str, ...] = ()
    # The platform's own kind (e.g. Instagram FEED/REELS/STORY): picks which metrics to ask for.
    kind: str = ""


@dataclass
class PostMetrics:
    """A post's figures now. ``None`` means the platform did not report it (never 0)."""

    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    reach: int | None = None
    impressions: int | None = None
    # Metric names the platform refused or retired for this post: stored NULL and recorded.
    unavailable: set[str] = field(default_factory=set)


@dataclass
class AccountDay:
    """Account-level figures for one day. ``None`` = not reported."""

    day: date
    followers: int | None = None
    following: int | None = None
    total_posts: int | None = None
    reach: int | None = None
    impressions: int | None = None
    engagement: int | None = None
    unavailable: set[str] = field(default_factory=set)


class PlatformClient(Protocol):
    platform: Platform
    uses_pkce: bool

    def authorize_url(self, *, state: str, redirect_uri: str, code_challenge: str | None) -> str:
        """Where to send the user's browser to grant access."""

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str | None) -> TokenSet:
        """Trade the callback's code for tokens (long-lived where the platform has them)."""

    def refresh(self, tokens: TokenSet) -> TokenSet:
        """A fresh token set; keeps the old refresh token when the platform sends none.
        Raises TokenInvalid when the grant is gone."""

    def fetch_profile(self, access_token: str) -> Profile: ...

    def list_posts(
        self, access_token: str, *, platform_user_id: str, since: datetime
    ) -> Iterator[list[RemotePost]]:
        """Posts published at or after ``since``, one list per page of the platform's API."""

    def fetch_post_metrics(
        self, access_token: str, posts: list[RemotePost]
    ) -> dict[str, PostMetrics]:
        """Current figures for ``posts``, keyed by platform_post_id (batched where possible)."""

    def fetch_account_day(
        self, access_token: str, *, platform_user_id: str, day: date
    ) -> AccountDay: ...


# -- optional capabilities: a client has them when it implements the protocol ------------------
@dataclass(frozen=True)
class Target:
    """An account a grant administers that Soash can connect on its own (a Facebook Page, a
    LinkedIn organization, or the member themself). Connecting it means keying the account on
    ``profile.platform_user_id``, showing ``profile`` and storing ``tokens``."""

    profile: Profile
    tokens: TokenSet


@runtime_checkable
class TargetLister(Protocol):
    """A client whose login may administer several accounts, for the user to pick one.
    Check with ``isinstance(client, TargetLister)``."""

    def list_targets(self, tokens: TokenSet) -> list[Target]:
        """The connectable accounts of the grant behind ``tokens`` (what ``exchange_code``
        returned), in the platform's order; [] when there are none."""

    def fetch_target_profile(self, access_token: str, *, platform_user_id: str) -> Profile:
        """The profile of one connected target (``fetch_profile`` describes the token's own
        user, which for a LinkedIn organization is the member, not the organization)."""


# -- publishing --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Draft:
    """What to publish: the content type (soash.publishing's kinds), the full text (caption
    and hashtags), public media URLs, and this attempt's idempotency key."""

    kind: str
    text: str
    media_urls: tuple[str, ...] = ()
    idempotency_key: str = ""


@dataclass(frozen=True)
class Published:
    platform_post_id: str
    permalink: str | None = None


@runtime_checkable
class Publisher(Protocol):
    """A client that publishes, in two steps so that a post is never published twice:

    1. ``prepare`` uploads what the post needs and publishes nothing; its answer (a container,
       media or upload id) is recorded before step 2.
    2. ``publish`` makes the post visible. It is never retried blindly: a retry after a crash
       or a timeout first asks ``find_published`` whether step 2 already went through.
    """

    def prepare(self, access_token: str, *, platform_user_id: str, draft: Draft) -> str: ...

    def publish(
        self, access_token: str, *, platform_user_id: str, draft: Draft, container_id: str
    ) -> Published: ...

    def find_published(
        self,
        access_token: str,
        *,
        platform_user_id: str,
        draft: Draft,
        container_id: str,
        since: datetime,
    ) -> Published | None:
        """The post made from ``container_id`` (or matching ``draft`` since ``since``), if
        the platform has it; None when it was not published."""
