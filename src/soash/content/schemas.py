"""Content as the API shows it: the results of CSV imports, posts and content categories."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from soash.content.models import ContentType, RuleKind
from soash.schemas import InModel, OutModel
from soash.social.models import Platform
from soash.timewindow import HistoryOut


class ImportRowError(OutModel):
    """One problem in an imported file. ``row`` counts the header as row 1."""

    row: int
    column: str | None
    message: str


class PostsImportOut(OutModel):
    job_id: uuid.UUID
    rows: int  # data rows read
    posts: int  # distinct posts in the file (created or updated)
    snapshots: int  # (post, day) metric rows written
    accounts_created: int  # accounts named in the file that did not exist (created inactive)


class AccountMetricsImportOut(OutModel):
    job_id: uuid.UUID
    rows: int
    days: int  # (account, day) rows written
    accounts_created: int


# -- posts and categories -------------------------------------------------------------------

HEX_COLOR = r"^#[0-9A-Fa-f]{6}$"
ColorCode = Annotated[
    str | None,
    Field(
        pattern=HEX_COLOR,
        max_length=7,
        description="A colour as #RRGGBB, e.g. #1E90FF.",
        examples=["#1E90FF"],
    ),
]
CategoryName = Annotated[str, Field(min_length=1, max_length=100)]


class CategoryIn(InModel):
    name: CategoryName
    color_code: ColorCode = None


class CategoryPatch(InModel):
    """Only the fields sent change; ``color_code: null`` removes the colour."""

    name: CategoryName | None = None
    color_code: ColorCode = None


class CategoryRef(OutModel):
    id: uuid.UUID
    name: str
    color_code: str | None


class CategoryOut(CategoryRef):
    posts: int = Field(description="How many of your posts carry this category.")
    created_at: datetime


class PostCategoriesIn(InModel):
    category_ids: list[uuid.UUID] = Field(
        max_length=100, description="The post's categories after the call (replaces them)."
    )


class MetricsOut(OutModel):
    """One daily snapshot of a post's figures; ``null`` means the platform did not report it."""

    metric_date: date
    likes: int | None
    comments: int | None
    shares: int | None
    saves: int | None
    reach: int | None
    impressions: int | None
    engagement: int | None = Field(description="likes + comments + shares + saves.")
    engagement_rate: float | None = Field(
        description="engagement / reach, or engagement / followers where reach is missing."
    )


class PostOut(OutModel):
    id: uuid.UUID
    social_account_id: uuid.UUID
    platform: Platform
    platform_post_id: str
    content_type: ContentType | None
    caption: str | None
    hashtags: list[str]
    media_urls: list[str]
    posted_at: datetime = Field(description="When it was published, in UTC.")
    posted_at_local: datetime = Field(description="The same instant in your profile's timezone.")
    categories: list[CategoryRef]
    latest: MetricsOut | None = Field(description="The post's figures: its latest snapshot.")


class PostPage(OutModel):
    items: list[PostOut]
    next_cursor: str | None = Field(
        description="Pass as 'cursor' to get the next page; null on the last page."
    )
    history: HistoryOut
    notes: list[str]


class PostDetail(PostOut):
    metrics: list[MetricsOut] = Field(
        description="Its daily snapshots, oldest first, within your plan's history."
    )
    history: HistoryOut
    notes: list[str]


class CategoryRuleIn(InModel):
    category_id: uuid.UUID
    kind: RuleKind = Field(
        description="hashtag: posts carrying it; keyword: posts whose caption contains it."
    )
    pattern: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00]+$")] = Field(
        description="The hashtag (with or without '#') or the word; case does not matter."
    )


class CategoryRuleOut(OutModel):
    id: uuid.UUID
    category_id: uuid.UUID
    kind: RuleKind
    pattern: str
    created_at: datetime


class CategoryRuleCreated(CategoryRuleOut):
    posts_tagged: int = Field(description="Past posts the rule tagged when it was created.")


class RuleSuggestion(OutModel):
    hashtag: str
    posts: int = Field(description="How many of your posts carry it.")


class BulkTagIn(InModel):
    post_ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)


class BulkTagOut(OutModel):
    tagged: int = Field(description="Posts that did not have the category yet and now do.")
