"""Routes for importing history from CSV files (formats in soash.content.importer), for posts
and for content categories (logic in soash.content.service)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile, status

from soash.config import Settings, get_settings
from soash.content import importer, rules, service
from soash.content.engagement import DEFINITION
from soash.content.importer import ImportKind
from soash.content.models import ContentType
from soash.content.schemas import (
    AccountMetricsImportOut,
    BulkTagIn,
    BulkTagOut,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    CategoryRef,
    CategoryRuleCreated,
    CategoryRuleIn,
    CategoryRuleOut,
    PostCategoriesIn,
    PostDetail,
    PostPage,
    PostsImportOut,
    RuleSuggestion,
)
from soash.deps import DB, CurrentUser
from soash.schemas import DAY_RANGE, Day

imports = APIRouter(prefix="/imports", tags=["imports"])

# Room for the multipart framing around the file; the file itself is held to the limit exactly.
MULTIPART_SLACK = 64 * 1024

_ERRORS = {
    413: {"description": "The file is larger than SOASH_MAX_IMPORT_BYTES (50 MiB by default)."},
    422: {
        "description": "A wrong header, bytes that are not UTF-8, or bad rows: 'errors' lists "
        "the first 20 as {row, column, message}. Nothing was imported."
    },
}


def upload_limit(settings: Settings) -> int:
    """The request body limit for the import routes."""
    return settings.max_import_bytes + MULTIPART_SLACK


def _import(kind: ImportKind, file: UploadFile, user: CurrentUser) -> importer.ImportResult:
    return importer.import_csv(
        kind,
        file.file,
        user=user,
        filename=file.filename,
        max_bytes=get_settings().max_import_bytes,
    )


@imports.post("/posts", response_model=PostsImportOut, responses=_ERRORS)  # type: ignore[arg-type]
def import_posts(
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="CSV: one row per post per day.")],
) -> Any:
    """Import posts and their daily metrics. Header: platform, account, platform_post_id,
    content_type, caption, hashtags, posted_at, metric_date, likes, comments, shares, saves,
    reach, impressions. All or nothing; importing the same file again updates, never
    duplicates."""
    result = _import(ImportKind.posts, file, user)
    return PostsImportOut(job_id=result.job_id, **result.counts())


@imports.post(
    "/account-metrics",
    response_model=AccountMetricsImportOut,
    responses=_ERRORS,  # type: ignore[arg-type]
)
def import_account_metrics(
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="CSV: one row per account per day.")],
) -> Any:
    """Import daily account metrics. Header: platform, account, metric_date, follower_count,
    following_count, total_posts, total_reach, total_impressions, total_engagement. All or
    nothing; importing the same file again updates, never duplicates."""
    result = _import(ImportKind.account_metrics, file, user)
    return AccountMetricsImportOut(job_id=result.job_id, **result.counts())


# -- posts ------------------------------------------------------------------------------------

posts = APIRouter(prefix="/posts", tags=["posts"])
categories = APIRouter(prefix="/categories", tags=["categories"])

_HISTORY = (
    "Only days within your plan's history (free: 90 days, pro: 2 years) are shown; 'notes' "
    "says when something was left out."
)


@posts.get(
    "",
    response_model=PostPage,
    description=f"Your posts, a page at a time. {DEFINITION} 'from'/'to' are local days in your "
    f"profile's timezone. {_HISTORY}",
)
def list_posts(
    user: CurrentUser,
    db: DB,
    account_id: Annotated[uuid.UUID | None, Query(description="Only this account.")] = None,
    content_type: ContentType | None = None,
    category_id: Annotated[uuid.UUID | None, Query(description="Only this category.")] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Words or #hashtags the caption must all contain."),
    ] = None,
    from_: Annotated[
        Day | None, Query(alias="from", description=f"First local day ({DAY_RANGE}).")
    ] = None,
    to: Annotated[Day | None, Query(description=f"Last local day ({DAY_RANGE}).")] = None,
    sort: Annotated[
        service.PostSort,
        Query(
            description="date: when published; engagement: its latest engagement (a post "
            "without figures counts as the lowest)."
        ),
    ] = service.PostSort.date,
    order: service.SortOrder = service.SortOrder.desc,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 20,
    cursor: Annotated[
        str | None, Query(max_length=500, description="'next_cursor' of the previous page.")
    ] = None,
) -> Any:
    return service.list_posts(
        db,
        user,
        account_id=account_id,
        content_type=content_type,
        category_id=category_id,
        query=q,
        start=from_,
        end=to,
        sort=sort,
        order=order,
        limit=limit,
        cursor=cursor,
    )


@posts.get(
    "/{post_id}",
    response_model=PostDetail,
    description=f"One post with its figures and daily metric history. {DEFINITION} {_HISTORY}",
)
def get_post(post_id: uuid.UUID, user: CurrentUser, db: DB) -> Any:
    return service.get_post(db, user, post_id)


@posts.put("/{post_id}/categories", response_model=list[CategoryRef])
def set_post_categories(
    post_id: uuid.UUID, body: PostCategoriesIn, user: CurrentUser, db: DB
) -> Any:
    """Replace the post's categories (all must be yours; an empty list removes them all)."""
    return service.set_post_categories(db, user, post_id, category_ids=body.category_ids)


# -- categories -------------------------------------------------------------------------------


@categories.get("", response_model=list[CategoryOut])
def list_categories(user: CurrentUser, db: DB) -> Any:
    return service.list_categories(db, user)


@categories.post(
    "",
    response_model=CategoryOut,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "You already have a category with that name."}},
)
def create_category(body: CategoryIn, user: CurrentUser, db: DB) -> Any:
    """Names are unique per user (ignoring letter case); color_code is #RRGGBB."""
    return service.create_category(db, user, name=body.name, color_code=body.color_code)


@categories.get("/{category_id}", response_model=CategoryOut)
def get_category(category_id: uuid.UUID, user: CurrentUser, db: DB) -> Any:
    return service.read_category(db, user, category_id)


@categories.patch(
    "/{category_id}",
    response_model=CategoryOut,
    responses={409: {"description": "You already have a category with that name."}},
)
def patch_category(category_id: uuid.UUID, body: CategoryPatch, user: CurrentUser, db: DB) -> Any:
    return service.update_category(
        db, user, category_id, values=body.model_dump(exclude_unset=True)
    )


@categories.delete("/{category_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_category(category_id: uuid.UUID, user: CurrentUser, db: DB) -> None:
    """Its posts stay; they lose this category."""
    service.delete_category(db, user, category_id)


@categories.post("/{category_id}/posts", response_model=BulkTagOut)
def tag_posts(category_id: uuid.UUID, body: BulkTagIn, user: CurrentUser, db: DB) -> Any:
    """Add the category to many posts at once (they keep their other categories)."""
    return BulkTagOut(tagged=rules.tag_posts(db, user, category_id, post_ids=body.post_ids))


# -- category rules ---------------------------------------------------------------------------

category_rules = APIRouter(prefix="/category-rules", tags=["categories"])


@category_rules.get("", response_model=list[CategoryRuleOut])
def list_rules(user: CurrentUser, db: DB) -> Any:
    return rules.list_rules(db, user)


@category_rules.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CategoryRuleCreated,
    responses={409: {"description": "You already have this rule."}},
)
def create_rule(body: CategoryRuleIn, user: CurrentUser, db: DB) -> Any:
    """Tags your past posts now, and new posts at every insight run."""
    rule, tagged = rules.create_rule(
        db, user, category_id=body.category_id, kind=body.kind, pattern=body.pattern
    )
    return CategoryRuleCreated(
        id=rule.id,
        category_id=rule.category_id,
        kind=rule.kind,
        pattern=rule.pattern,
        created_at=rule.created_at,
        posts_tagged=tagged,
    )


@category_rules.get("/suggestions", response_model=list[RuleSuggestion])
def suggest_rules(user: CurrentUser, db: DB) -> Any:
    """Frequent hashtags of yours that no rule covers yet, most used first."""
    return [RuleSuggestion(hashtag=t, posts=n) for t, n in rules.suggest_rules(db, user)]


@category_rules.delete("/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_rule(rule_id: uuid.UUID, user: CurrentUser, db: DB) -> None:
    """The posts it tagged keep their category."""
    rules.delete_rule(db, user, rule_id)
