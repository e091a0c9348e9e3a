"""Posts: a filterable, sortable list with thumbnails and figures; one post with its metric
history and its categories."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request, Response
from markupsafe import Markup

from soash.content import service
from soash.content.models import ContentType
from soash.content.schemas import PostDetail
from soash.deps import DB
from soash.schemas import Day
from soash.social import service as social
from soash.web.charts import day_epoch, to_json
from soash.web.core import render, web_router
from soash.web.params import Blank
from soash.web.session import Viewer

router = web_router()
PAGE = 25


def _link(params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    return "/posts?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def _sort_links(params: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per sortable column: its link (toggling the order when already sorted by it) and its
    aria-sort state."""
    links = {}
    for key in service.PostSort:
        current = params["sort"] == key.value
        order = "asc" if current and params["order"] == "desc" else "desc"
        links[key.value] = {
            "href": _link(params, sort=key.value, order=order, cursor=None),
            "aria": ("descending" if params["order"] == "desc" else "ascending") if current else "",
        }
    return links


@router.get("/posts")
def posts_page(
    request: Request,
    db: DB,
    auth: Viewer,
    account: Annotated[uuid.UUID | None, Blank, Query()] = None,
    content_type: Annotated[ContentType | None, Blank, Query(alias="type")] = None,
    category: Annotated[uuid.UUID | None, Blank, Query()] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    from_: Annotated[Day | None, Blank, Query(alias="from")] = None,
    to: Annotated[Day | None, Blank, Query()] = None,
    sort: service.PostSort = service.PostSort.date,
    order: service.SortOrder = service.SortOrder.desc,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    page = service.list_posts(
        db,
        auth.user,
        account_id=account,
        content_type=content_type,
        category_id=category,
        query=q,
        start=from_,
        end=to,
        sort=sort,
        order=order,
        limit=PAGE,
        cursor=cursor,
    )
    params: dict[str, Any] = {
        "account": account,
        "type": content_type.value if content_type else None,
        "category": category,
        "q": q,
        "from": from_,
        "to": to,
        "sort": sort.value,
        "order": order.value,
    }
    accounts = social.list_accounts(db, auth.user)
    return render(
        request,
        "posts/list.html",
        page_title="Posts",
        page=page,
        params=params,
        accounts=accounts,
        account_names={a.id: a.username or a.display_name or a.platform_user_id for a in accounts},
        categories=service.list_categories(db, auth.user),
        content_types=list(ContentType),
        sort_links=_sort_links(params),
        next_link=_link(params, cursor=page.next_cursor) if page.next_cursor else None,
        first_link=_link(params, cursor=None) if cursor else None,
        filtered=any(params[k] for k in ("account", "type", "category", "q", "from", "to")),
    )


def _history_chart(post: PostDetail) -> Markup:
    """The post's daily snapshots as chart data: engagement and reach (or impressions)."""
    days = [day_epoch(m.metric_date) for m in post.metrics]
    series = [
        {"label": "Engagement", "values": [m.engagement for m in post.metrics], "color": "#4f46e5"}
    ]
    if any(m.reach is not None for m in post.metrics):
        series.append(
            {"label": "Reach", "values": [m.reach for m in post.metrics], "color": "#0ea5e9"}
        )
    elif any(m.impressions is not None for m in post.metrics):
        series.append(
            {
                "label": "Impressions",
                "values": [m.impressions for m in post.metrics],
                "color": "#0ea5e9",
            }
        )
    return to_json({"x": days, "series": series, "format": "count", "step": "day"})


@router.get("/posts/{post_id}")
def post_page(request: Request, db: DB, auth: Viewer, post_id: uuid.UUID) -> Response:
    post = service.get_post(db, auth.user, post_id)
    account = social.get_account(db, auth.user, post.social_account_id)
    return render(
        request,
        "posts/detail.html",
        page_title="Post",
        post=post,
        account=account,
        chart=_history_chart(post),
        categories=service.list_categories(db, auth.user),
        tagged=post.categories,
        saved=False,
    )
