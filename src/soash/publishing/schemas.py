"""Scheduled posts as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field

from soash.publishing.models import ScheduledContentType, ScheduledStatus
from soash.schemas import InModel, OutModel
from soash.social.models import Platform


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


def _web_url(url: str) -> str:
    if not url.startswith(("https://", "http://")):
        raise ValueError("must be an http(s) URL the platform can fetch")
    return _no_nul(url)


Caption = Annotated[str, Field(max_length=70000), AfterValidator(_no_nul)]
MediaUrl = Annotated[str, Field(min_length=8, max_length=2048), AfterValidator(_web_url)]
Hashtag = Annotated[
    str, Field(min_length=1, max_length=100, pattern=r"^#?\w+$"), AfterValidator(_no_nul)
]
WHEN = (
    "When to publish. With a UTC offset (2026-12-01T18:30:00+01:00) it is taken as given; "
    "without one it is read in the profile's timezone, and a time that daylight saving "
    "skips or repeats is refused (422) with what to send instead."
)


class Intent(StrEnum):
    """What a new post is: a draft to finish later, or scheduled for its time."""

    draft = "draft"
    scheduled = "scheduled"


class ScheduledPostIn(InModel):
    social_account_id: uuid.UUID
    content_type: ScheduledContentType
    caption: Caption | None = None
    media_urls: Annotated[list[MediaUrl], Field(max_length=35, default_factory=list)]
    hashtags: Annotated[list[Hashtag], Field(max_length=100, default_factory=list)]
    scheduled_for: datetime = Field(description=WHEN)
    status: Intent = Intent.scheduled


class ScheduledPostPatch(InModel):
    """Change a draft, scheduled or failed post; only the fields given change."""

    content_type: ScheduledContentType | None = None
    caption: Caption | None = None
    media_urls: Annotated[list[MediaUrl], Field(max_length=35)] | None = None
    hashtags: Annotated[list[Hashtag], Field(max_length=100)] | None = None
    scheduled_for: datetime | None = Field(default=None, description=WHEN)
    status: Intent | None = None


class ScheduledPostOut(OutModel):
    id: uuid.UUID
    social_account_id: uuid.UUID
    platform: Platform
    content_type: ScheduledContentType
    caption: str | None
    media_urls: list[str]
    hashtags: list[str]
    scheduled_for: datetime
    scheduled_for_local: datetime
    timezone: str
    status: ScheduledStatus
    attempts: int
    last_error: str | None
    platform_post_id: str | None
    permalink: str | None
    published_at: datetime | None
    post_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class ScheduledPostPage(OutModel):
    items: list[ScheduledPostOut]
    next_cursor: str | None = Field(
        description="Pass as 'cursor' to get the next page; null on the last page."
    )
