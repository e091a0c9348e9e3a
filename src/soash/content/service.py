"""Posts with their figures, their metric history, and the user's content categories.

A post's figures are its latest daily snapshot in ``post_metrics`` (see
``soash.content.engagement``); :func:`post_figures` is that rule in SQL, for this module and for
the analytics.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    true,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from soash.content.engagement import Column, engagement_sql
from soash.content.models import ContentCategory, ContentType, Post, PostMetric, post_categories
from soash.content.schemas import (
    CategoryOut,
    CategoryRef,
    MetricsOut,
    PostDetail,
    PostOut,
    PostPage,
)
from soash.errors import Conflict, InvalidInput, NotFound
from soash.ownership import get_owned, owned_by, owned_by_bound, owner_id
from soash.social import service as social
from soash.social.models import Platform, SocialAccount
from soash.timewindow import Clock, check_order, clock_for, local_midnight
from soash.users.models import User

MAX_PAGE = 100
PostSelect = Select[*tuple[Any, ...]]
RATE_DIGITS = 6
MAX_ENGAGEMENT = 4 * (2**63 - 1)  # likes + comments + shares + saves, each a BIGINT


class PostSort(StrEnum):
    date = "date"
    engagement = "engagement"


class SortOrder(StrEnum):
    asc = "asc"
    desc = "desc"


# -- the latest-snapshot rule, in SQL ---------------------------------------------------------


def user_posts(
    user: User | None,
    *,
    account_id: uuid.UUID | BindParameter[Any] | None = None,
    platform: Platform | BindParameter[Any] | None = None,
    lo: datetime | BindParameter[Any] | None = None,
    hi: datetime | BindParameter[Any] | None = None,
) -> PostSelect:
    """The user's published posts (``posted_at`` in [lo, hi) when given), joined to their
    account; select the columns with ``.with_only_columns`` or ``.add_columns``. Values may be
    bind parameters; ``user=None`` binds the owner at execution (``ownership.owner_binds``)."""
    owner = (
        owned_by_bound(SocialAccount.user_id)
        if user is None
        else owned_by(SocialAccount.user_id, user)
    )
    stmt = (
        select(Post.id)
        .join(SocialAccount, SocialAccount.id == Post.social_account_id)
        .where(owner, Post.posted_at.is_not(None))
    )
    if account_id is not None:
        stmt = stmt.where(Post.social_account_id == account_id)
    if platform is not None:
        stmt = stmt.where(SocialAccount.platform == platform)
    if lo is not None:
        stmt = stmt.where(Post.posted_at >= lo)
    if hi is not None:
        stmt = stmt.where(Post.posted_at < hi)
    return stmt


_METRICS = PostMetric.__table__.alias("latest_metrics")
_DAYS = PostMetric.__table__.alias("snapshot_days")
_FIGURES = (
    _METRICS.c.metric_date,
    _METRICS.c.likes_count.label("likes"),
    _METRICS.c.comments_count.label("comments"),
    _METRICS.c.shares_count.label("shares"),
    _METRICS.c.saves_count.label("saves"),
    _METRICS.c.reach,
    _METRICS.c.impressions,
    engagement_sql(
        _METRICS.c.likes_count,
        _METRICS.c.comments_count,
        _METRICS.c.shares_count,
        _METRICS.c.saves_count,
    ).label("engagement"),
    _METRICS.c.engagement_rate,
)


def post_figures(
    posts: PostSelect,
    *,
    as_of: date | ColumnElement[Any] | None,
    dialect: str,
    name: str = "figures",
) -> Subquery:
    """One row per post of ``posts`` (a :func:`user_posts` select): its selected columns plus
    the figures of its latest snapshot on or before ``as_of`` (any day when None; NULLs
    without one): metric_date, likes, comments, shares, saves, reach, impressions, engagement,
    engagement_rate.

    ``as_of`` may be an expression over the post's columns. Each post costs one descent of the
    (post_id, metric_date) index: on PostgreSQL a LATERAL ``ORDER BY metric_date DESC LIMIT
    1``; on SQLite (no LATERAL) a correlated ``max(metric_date)`` and a join on the unique key.
    """
    m = _METRICS
    if dialect == "postgresql":
        latest = select(*_FIGURES).where(m.c.post_id == Post.id)
        if as_of is not None:
            latest = latest.where(m.c.metric_date <= as_of)
        lateral = latest.order_by(m.c.metric_date.desc()).limit(1).lateral("latest")
        return posts.add_columns(*lateral.c).outerjoin(lateral, true()).subquery(name)
    day = select(func.max(_DAYS.c.metric_date)).where(_DAYS.c.post_id == Post.id)
    if as_of is not None:
        day = day.where(_DAYS.c.metric_date <= as_of)
    latest_day = and_(m.c.post_id == Post.id, m.c.metric_date == day.scalar_subquery())
    return posts.add_columns(*_FIGURES).outerjoin(m, latest_day).subquery(name)


def rate(value: Decimal | float | None) -> float | None:
    return None if value is None else round(float(value), RATE_DIGITS)


# -- posts ------------------------------------------------------------------------------------


def _metrics_out(row: Any) -> MetricsOut | None:
    if row.metric_date is None:
        return None
    return MetricsOut(
        metric_date=row.metric_date,
        likes=row.likes,
        comments=row.comments,
        shares=row.shares,
        saves=row.saves,
        reach=row.reach,
        impressions=row.impressions,
        engagement=row.engagement,
        engagement_rate=rate(row.engagement_rate),
    )


def _categories_of(
    db: Session, user: User, post_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[CategoryRef]]:
    found: dict[uuid.UUID, list[CategoryRef]] = {p: [] for p in post_ids}
    if not post_ids:
        return found
    rows = db.execute(
        select(post_categories.c.post_id, ContentCategory)
        .join(ContentCategory, ContentCategory.id == post_categories.c.category_id)
        .where(owned_by(ContentCategory.user_id, user), post_categories.c.post_id.in_(post_ids))
        .order_by(ContentCategory.name)
    )
    for post_id, category in rows:
        found[post_id].append(CategoryRef.model_validate(category))
    return found


_POST_COLUMNS = (
    Post.id,
    Post.social_account_id,
    SocialAccount.platform,
    Post.platform_post_id,
    Post.content_type,
    Post.caption,
    Post.hashtags,
    Post.media_urls,
    Post.posted_at,
)


def _post_outs(db: Session, user: User, clock: Clock, rows: Sequence[Any]) -> list[PostOut]:
    categories = _categories_of(db, user, [r.id for r in rows])
    return [
        PostOut(
            id=r.id,
            social_account_id=r.social_account_id,
            platform=r.platform,
            platform_post_id=r.platform_post_id,
            content_type=r.content_type,
            caption=r.caption,
            hashtags=r.hashtags or [],
            media_urls=r.media_urls or [],
            posted_at=r.posted_at,
            posted_at_local=r.posted_at.astimezone(clock.tz),
            categories=categories[r.id],
            latest=_metrics_out(r),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Cursor:
    sort: PostSort
    order: SortOrder
    key: datetime | int
    id: uuid.UUID

    def encode(self) -> str:
        key = self.key.isoformat() if isinstance(self.key, datetime) else self.key
        raw = json.dumps([self.sort.value, self.order.value, key, str(self.id)])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, *, sort: PostSort, order: SortOrder) -> Cursor:
        try:
            raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            s, o, key, ident = raw
            cursor = cls(PostSort(s), SortOrder(o), _cursor_key(s, key), uuid.UUID(str(ident)))
        except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
            raise InvalidInput(
                "'cursor' is not one this API gave out; start again without it.",
                errors=[{"field": "cursor", "message": "is not a valid cursor"}],
            ) from None
        if (cursor.sort, cursor.order) != (sort, order):
            raise InvalidInput(
                f"This cursor belongs to sort={cursor.sort.value}&order={cursor.order.value}; "
                "keep the same sort while paging, or start again without a cursor.",
                errors=[{"field": "cursor", "message": "belongs to another sort"}],
            )
        return cursor


def _cursor_key(sort: str, key: object) -> datetime | int:
    """A cursor's key as the query compares it: an aware time, or an engagement (a sum of at
    most four BIGINTs); anything else was not given out by this API."""
    if sort == PostSort.date:
        when = datetime.fromisoformat(str(key))
        if when.utcoffset() is None:
            raise ValueError("a cursor's time has a UTC offset")
        when.astimezone(UTC)  # raises OverflowError at the calendar's edges
        return when
    if not isinstance(key, int) or not -1 <= key <= MAX_ENGAGEMENT:  # -1: no figures
        raise ValueError("a cursor's engagement is a whole number in range")
    return key


def _page_filters(
    db: Session,
    user: User,
    clock: Clock,
    *,
    account_id: uuid.UUID | None,
    content_type: ContentType | None,
    category_id: uuid.UUID | None,
    start: date | None,
    end: date | None,
    query: str | None = None,
) -> PostSelect:
    if end is not None:
        clock.check_end(end)
    start = clock.clip_start(start)
    if account_id is not None:
        social.get_account(db, user, account_id)
    posts = user_posts(
        user,
        account_id=account_id,
        lo=local_midnight(start, clock.tz) if start else None,
        hi=local_midnight(end + timedelta(days=1), clock.tz) if end else None,
    )
    if content_type is not None:
        posts = posts.where(Post.content_type == content_type)
    if category_id is not None:
        get_category(db, user, category_id)
        tagged = select(post_categories.c.post_id).where(
            post_categories.c.category_id == category_id
        )
        posts = posts.where(Post.id.in_(tagged))
    if query and query.strip():
        # Words and #hashtags in the caption, case-insensitively; every word must appear.
        for word in query.split():
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            posts = posts.where(Post.caption.ilike(f"%{escaped}%", escape="\\"))
    return posts.with_only_columns(*_POST_COLUMNS)


def _keyset(
    stmt: PostSelect,
    key: Column,
    ident: Column,
    after: Cursor | None,
    order: SortOrder,
) -> PostSelect:
    """``stmt`` from just after the cursor's row, in (key, id) order."""
    if after is not None:
        if order is SortOrder.desc:
            stmt = stmt.where(or_(key < after.key, and_(key == after.key, ident < after.id)))
        else:
            stmt = stmt.where(or_(key > after.key, and_(key == after.key, ident > after.id)))
    return _ordered(stmt, key, ident, order)


def _ordered(stmt: PostSelect, key: Column, ident: Column, order: SortOrder) -> PostSelect:
    if order is SortOrder.desc:
        return stmt.order_by(None).order_by(key.desc(), ident.desc())
    return stmt.order_by(None).order_by(key.asc(), ident.asc())


def list_posts(
    db: Session,
    user: User,
    *,
    account_id: uuid.UUID | None = None,
    content_type: ContentType | None = None,
    category_id: uuid.UUID | None = None,
    start: date | None = None,
    end: date | None = None,
    sort: PostSort = PostSort.date,
    order: SortOrder = SortOrder.desc,
    limit: int = 20,
    cursor: str | None = None,
    today: date | None = None,
    query: str | None = None,
) -> PostPage:
    """The user's posts, a page at a time, by publication date or engagement (a post without
    figures counts as the lowest). ``start``/``end`` are local days; the plan's history limit
    moves ``start`` forward. Pages follow a keyset cursor, so paging is stable while new posts
    arrive."""
    check_order(start, end)
    after = Cursor.decode(cursor, sort=sort, order=order) if cursor else None
    clock = clock_for(db, user, today=today)
    posts = _page_filters(
        db,
        user,
        clock,
        account_id=account_id,
        content_type=content_type,
        category_id=category_id,
        start=start,
        end=end,
        query=query,
    )
    dialect = db.get_bind().dialect.name
    if sort is PostSort.date:
        # Page by the (account, posted_at) index first; figures only for the page's posts.
        page = _keyset(posts, Post.posted_at, Post.id, after, order).limit(limit + 1)
        ids = list(db.scalars(page.with_only_columns(Post.id)))
        fig = post_figures(posts.where(Post.id.in_(ids)), as_of=None, dialect=dialect)
        key: ColumnElement[Any] = fig.c.posted_at
        stmt = select(fig)
    else:
        # The sort needs every post's latest engagement (posts without any count as -1).
        fig = post_figures(posts, as_of=None, dialect=dialect)
        key = func.coalesce(fig.c.engagement, -1)
        stmt = _keyset(select(fig), key, fig.c.id, after, order).limit(limit + 1)
    rows = db.execute(_ordered(stmt, key, fig.c.id, order).add_columns(key.label("sort_key"))).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = Cursor(sort, order, last.sort_key, last.id).encode()
    return PostPage(
        items=_post_outs(db, user, clock, rows),
        next_cursor=next_cursor,
        history=clock.history_out(),
        notes=clock.notes,
    )


def get_post_row(db: Session, user: User, post_id: uuid.UUID) -> Post:
    return get_owned(db, Post, post_id, user, what="post", owner=SocialAccount.user_id)


def get_post(
    db: Session, user: User, post_id: uuid.UUID, *, today: date | None = None
) -> PostDetail:
    """One post with its latest figures and its daily snapshots within the plan's history."""
    clock = clock_for(db, user, today=today)
    posts = user_posts(user).where(Post.id == post_id).with_only_columns(*_POST_COLUMNS)
    fig = post_figures(posts, as_of=None, dialect=db.get_bind().dialect.name)
    row = db.execute(select(fig)).first()
    if row is None:
        raise NotFound(f"You have no post with id {post_id}.")
    history = select(
        PostMetric.metric_date,
        PostMetric.likes_count.label("likes"),
        PostMetric.comments_count.label("comments"),
        PostMetric.shares_count.label("shares"),
        PostMetric.saves_count.label("saves"),
        PostMetric.reach,
        PostMetric.impressions,
        engagement_sql(
            PostMetric.likes_count,
            PostMetric.comments_count,
            PostMetric.shares_count,
            PostMetric.saves_count,
        ).label("engagement"),
        PostMetric.engagement_rate,
    ).where(PostMetric.post_id == row.id)
    earliest = clock.history.earliest
    if earliest is not None:
        history = history.where(PostMetric.metric_date >= earliest)
        if row.posted_at.astimezone(clock.tz).date() < earliest:
            clock.notes.append(
                f"Your {clock.history.tier} plan shows the last {clock.history.days} days of "
                f"history: snapshots before {earliest} are left out. Upgrade your plan to see "
                "them."
            )
    snapshots = [_metrics_out(m) for m in db.execute(history.order_by(PostMetric.metric_date))]
    out = _post_outs(db, user, clock, [row])[0]
    return PostDetail(
        **out.model_dump(),
        metrics=[m for m in snapshots if m is not None],
        history=clock.history_out(),
        notes=clock.notes,
    )


# -- categories -------------------------------------------------------------------------------


def _category_outs(db: Session, user: User, where: ColumnElement[bool] | None) -> list[CategoryOut]:
    count = (
        select(func.count())
        .select_from(post_categories)
        .where(post_categories.c.category_id == ContentCategory.id)
        .scalar_subquery()
    )
    stmt = select(ContentCategory, count.label("posts")).where(
        owned_by(ContentCategory.user_id, user)
    )
    if where is not None:
        stmt = stmt.where(where)
    rows = db.execute(stmt.order_by(func.lower(ContentCategory.name), ContentCategory.id))
    return [
        CategoryOut(
            id=c.id, name=c.name, color_code=c.color_code, posts=posts, created_at=c.created_at
        )
        for c, posts in rows
    ]


def list_categories(db: Session, user: User) -> list[CategoryOut]:
    return _category_outs(db, user, None)


def get_category(db: Session, user: User, category_id: uuid.UUID) -> ContentCategory:
    return get_owned(db, ContentCategory, category_id, user, what="category")


def read_category(db: Session, user: User, category_id: uuid.UUID) -> CategoryOut:
    get_category(db, user, category_id)
    return _category_outs(db, user, ContentCategory.id == category_id)[0]


def _color(value: str | None) -> str | None:
    return value.upper() if value else None


def _check_name_free(
    db: Session, user: User, name: str, *, other_than: uuid.UUID | None = None
) -> None:
    stmt = select(ContentCategory.id).where(
        owned_by(ContentCategory.user_id, user),
        func.lower(ContentCategory.name) == name.lower(),
    )
    if other_than is not None:
        stmt = stmt.where(ContentCategory.id != other_than)
    if db.scalar(stmt) is not None:
        raise _taken(name)


def _taken(name: str) -> Conflict:
    return Conflict(f"You already have a category named '{name}'; pick another name.")


def _flush_unique(db: Session, name: str) -> None:
    """Flush in a savepoint: a concurrent request that took the name answers 409, not 500."""
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:
        raise _taken(name) from None


def create_category(
    db: Session, user: User, *, name: str, color_code: str | None = None
) -> CategoryOut:
    """Names are unique per user, ignoring letter case."""
    _check_name_free(db, user, name)
    category = ContentCategory(user_id=owner_id(user), name=name, color_code=_color(color_code))
    db.add(category)
    _flush_unique(db, name)
    return read_category(db, user, category.id)


def update_category(
    db: Session, user: User, category_id: uuid.UUID, *, values: dict[str, Any]
) -> CategoryOut:
    """Change the fields in ``values`` (name, color_code)."""
    category = get_category(db, user, category_id)
    if "name" in values:
        if values["name"] is None:
            raise InvalidInput(
                "'name' cannot be null; send a name or leave it out.",
                errors=[{"field": "name", "message": "cannot be null"}],
            )
        _check_name_free(db, user, values["name"], other_than=category.id)
        category.name = values["name"]
    if "color_code" in values:
        category.color_code = _color(values["color_code"])
    _flush_unique(db, category.name)
    return read_category(db, user, category.id)


def delete_category(db: Session, user: User, category_id: uuid.UUID) -> None:
    """Its posts stay; they just lose this category."""
    db.delete(get_category(db, user, category_id))
    db.flush()


def set_post_categories(
    db: Session, user: User, post_id: uuid.UUID, *, category_ids: Sequence[uuid.UUID]
) -> list[CategoryRef]:
    """Replace the post's categories with ``category_ids`` (all must be the user's)."""
    post = get_post_row(db, user, post_id)
    wanted = list(dict.fromkeys(category_ids))
    found = set(
        db.scalars(
            select(ContentCategory.id).where(
                owned_by(ContentCategory.user_id, user), ContentCategory.id.in_(wanted)
            )
        )
    )
    missing = [str(c) for c in wanted if c not in found]
    if missing:
        raise NotFound(
            f"You have no category with id {', '.join(missing)}; create it first "
            "(POST /api/v1/categories).",
            missing=missing,
        )
    db.execute(delete(post_categories).where(post_categories.c.post_id == post.id))
    if wanted:
        db.execute(
            insert(post_categories), [{"post_id": post.id, "category_id": c} for c in wanted]
        )
    return _categories_of(db, user, [post.id])[post.id]
