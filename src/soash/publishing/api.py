"""Routes for scheduled posts: create, list, read, change, delete, and the actions on one."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from soash.deps import DB, CurrentUser
from soash.publishing import service
from soash.publishing.models import ScheduledStatus
from soash.publishing.schemas import (
    ScheduledPostIn,
    ScheduledPostOut,
    ScheduledPostPage,
    ScheduledPostPatch,
)

router = APIRouter(prefix="/scheduled-posts", tags=["scheduled posts"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "The plan's posts-per-month limit is reached ('limit' names it)."},
    404: {"description": "No such post (or social account) of yours."},
    409: {"description": "The post or account is not in a state that allows this."},
    422: {
        "description": "A platform rule is broken ('rule' names it: caption_length, "
        "hashtag_count, media_count, media_kind, content_type), the time is in the past, or "
        "falls in a daylight saving gap or overlap (dst_gap, dst_overlap)."
    },
}


def _out(db: DB, post: Any) -> ScheduledPostOut:
    return service.to_out(post, service.account_of(db, post))


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ScheduledPostOut, responses=_ERRORS
)
def create_post(body: ScheduledPostIn, user: CurrentUser, db: DB) -> Any:
    return _out(db, service.create(db, user, body))


@router.get("", response_model=ScheduledPostPage, responses=_ERRORS)
def list_posts(
    user: CurrentUser,
    db: DB,
    account_id: uuid.UUID | None = None,
    status_: Annotated[ScheduledStatus | None, Query(alias="status")] = None,
    start: Annotated[
        datetime | None, Query(description="From this time (profile timezone without offset).")
    ] = None,
    end: Annotated[datetime | None, Query(description="Before this time.")] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    rows, next_cursor = service.list_posts(
        db,
        user,
        account_id=account_id,
        status=status_,
        start=start,
        end=end,
        cursor=cursor,
        limit=limit,
    )
    return ScheduledPostPage(items=[service.to_out(p, a) for p, a in rows], next_cursor=next_cursor)


@router.get("/{post_id}", response_model=ScheduledPostOut, responses=_ERRORS)
def get_post(post_id: uuid.UUID, user: CurrentUser, db: DB) -> Any:
    return _out(db, service.get_post(db, user, post_id))


@router.patch("/{post_id}", response_model=ScheduledPostOut, responses=_ERRORS)
def patch_post(post_id: uuid.UUID, body: ScheduledPostPatch, user: CurrentUser, db: DB) -> Any:
    return _out(db, service.change(db, user, post_id, body))


@router.delete("/{post_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
def delete_post(post_id: uuid.UUID, user: CurrentUser, db: DB) -> None:
    service.delete(db, user, post_id)


@router.post("/{post_id}/publish-now", response_model=ScheduledPostOut, responses=_ERRORS)
def publish_now(post_id: uuid.UUID, user: CurrentUser, db: DB) -> Any:
    return _out(db, service.publish_now(db, user, post_id))


@router.post("/{post_id}/cancel", response_model=ScheduledPostOut, responses=_ERRORS)
def cancel(post_id: uuid.UUID, user: CurrentUser, db: DB) -> Any:
    return _out(db, service.cancel(db, user, post_id))


@router.post("/{post_id}/retry", response_model=ScheduledPostOut, responses=_ERRORS)
def retry(post_id: uuid.UUID, user: CurrentUser, db: DB) -> Any:
    return _out(db, service.retry(db, user, post_id))


@router.post(
    "/{post_id}/duplicate",
    status_code=status.HTTP_201_CREATED,
    response_model=ScheduledPostOut,
    responses=_ERRORS,
)
def duplicate(post_id: uuid.UUID, user: CurrentUser, db: DB) -> Any:
    return _out(db, service.duplicate(db, user, post_id))
