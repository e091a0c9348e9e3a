"""Dashboard analytics, aggregated in the database.

Definitions (one place each):

* engagement and engagement rate: ``soash.content.engagement``; a post's figures are its latest
  daily snapshot on or before the last day of the period asked about
  (``soash.content.service.post_figures``);
* a post belongs to the local day (profile timezone) it was published on; reach, impressions
  and engagement of a period are the sums over the posts published in it, its engagement rate
  is the mean of those posts' rates;
* followers are account-level (``platform_metrics``): each account's last reported count in the
  period, summed over the accounts;
* days are the plan's history at most (``soash.analytics.window``).
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    Subquery,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from soash.analytics import localtime
from soash.analytics.localtime import Granularity
from soash.analytics.schemas import (
    BreakdownBy,
    BreakdownOut,
    Comparison,
    Group,
    Metric,
    OverviewMetrics,
    OverviewOut,
    PeriodOut,
    Point,
    Scope,
    TimeseriesOut,
    TopPost,
)
from soash.analytics.window import Window, resolve
from soash.content import service as content
from soash.content.models import ContentCategory, Post, post_categories
from soash.ownership import owned_by, owned_by_bound, owner_binds
from soash.social import service as social
from soash.social.models import Platform, PlatformMetric, SocialAccount
from soash.timewindow import Period
from soash.users.models import User

TOP_POSTS = 5
MAX_GROUPS = 200


@dataclass(frozen=True)
class Filters:
    account_id: uuid.UUID | BindParameter[Any] | None = None
    platform: Platform | BindParameter[Any] | None = None


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _period(period: Period) -> PeriodOut:
    return PeriodOut(start=period.start, end=period.end, days=period.days)


def _scope(
    window: Window, account_id: uuid.UUID | None, platform: Platform | None
) -> dict[str, Any]:
    return Scope(
        timezone=window.tz.key,
        period=_period(window.period),
        account_id=account_id,
        platform=platform,
        history=window.clock.history_out(),
        notes=window.notes,
    ).model_dump()


def _window(
    db: Session,
    user: User,
    *,
    start: date | None,
    end: date | None,
    account_id: uuid.UUID | None,
    compare: bool = False,
    today: date | None,
) -> Window:
    window = resolve(db, user, start=start, end=end, compare=compare, today=today)
    if account_id is not None:
        social.get_account(db, user, account_id)  # 404 unless it is the user's
    return window


def _dialect(db: Session) -> str:
    return db.get_bind().dialect.name


def _compare(current: int | float | None, previous: int | float | None) -> Comparison:
    change = None if current is None or previous is None else current - previous
    if isinstance(change, float):
        change = round(change, content.RATE_DIGITS)
    pct = None if change is None or not previous else round(change / previous * 100, 2)
    return Comparison(current=current, previous=previous, change=change, change_pct=pct)


def _posts(
    user: User | None,
    filters: Filters,
    *,
    lo: datetime | BindParameter[Any],
    hi: datetime | BindParameter[Any],
) -> content.PostSelect:
    return content.user_posts(
        user, account_id=filters.account_id, platform=filters.platform, lo=lo, hi=hi
    )


def _accounts(user: User | None, filters: Filters) -> content.PostSelect:
    """The user's accounts (``None``: the owner bound at execution), filtered."""
    owner = (
        owned_by_bound(SocialAccount.user_id)
        if user is None
        else owned_by(SocialAccount.user_id, user)
    )
    stmt = select(SocialAccount.id).where(owner)
    if filters.account_id is not None:
        stmt = stmt.where(SocialAccount.id == filters.account_id)
    if filters.platform is not None:
        stmt = stmt.where(SocialAccount.platform == filters.platform)
    return stmt


# -- overview ---------------------------------------------------------------------------------
#
# The overview is the dashboard's first request, so it is one statement, built once per shape
# (dialect; with or without a previous period, an account, a platform) with every value bound
# when it runs: building and cache-keying a statement this size costs SQLAlchemy about as long
# as running it (see bench/analytics.py).


def _bind(name: str, type_: Any = None) -> BindParameter[Any]:
    return bindparam(name, type_=type_)


def _followers_at(
    account: localtime.Column, lo: ColumnElement[Any], hi: ColumnElement[Any], *, last: bool
) -> ColumnElement[Any]:
    order = PlatformMetric.metric_date.desc() if last else PlatformMetric.metric_date.asc()
    return (
        select(PlatformMetric.follower_count)
        .where(
            PlatformMetric.social_account_id == account,
            PlatformMetric.metric_date >= lo,
            PlatformMetric.metric_date <= hi,
            PlatformMetric.follower_count.is_not(None),
        )
        .order_by(order)
        .limit(1)
        .scalar_subquery()
    )


def _followers_statement(compare: bool, filters: Filters) -> Subquery:
    """One row: followers at the end of each period (each account's last report, summed) and
    gained over it (from the day before the period, or an account's first report in it)."""

    def edges(name: str, present: bool) -> list[ColumnElement[Any]]:
        if not present:
            nothing = cast(null(), BigInteger)
            return [nothing.label(f"{name}_end"), nothing.label(f"{name}_start")]
        lo, hi = _bind(f"{name}_followers_from", Date), _bind(f"{name}_end", Date)
        return [
            _followers_at(SocialAccount.id, lo, hi, last=True).label(f"{name}_end"),
            _followers_at(SocialAccount.id, lo, hi, last=False).label(f"{name}_start"),
        ]

    per_account = (
        _accounts(None, filters)
        .with_only_columns(*edges("cur", True), *edges("prev", compare))
        .subquery("account_followers")
    )
    a = per_account.c
    return select(
        func.sum(a.cur_end).label("followers"),
        func.sum(a.cur_end - a.cur_start).label("gained"),
        func.sum(a.prev_end).label("prev_followers"),
        func.sum(a.prev_end - a.prev_start).label("prev_gained"),
    ).subquery("followers")


@lru_cache(maxsize=32)
def _overview_statement(
    dialect: str, *, compare: bool, by_account: bool, by_platform: bool
) -> content.PostSelect:
    """The followers row, joined to the posts of both periods ranked by engagement: each
    period's totals are window aggregates carried on its rows, of which only the top ones come
    back. Binds: owner, lo, cur_lo, cur_hi, cur_end, prev_end, top, the followers' dates and
    account_id/platform."""
    filters = Filters(
        account_id=_bind("account_id") if by_account else None,
        platform=_bind("platform") if by_platform else None,
    )
    in_current = Post.posted_at >= _bind("cur_lo")
    cur_end = _bind("cur_end", Date)
    as_of = case((in_current, cur_end), else_=_bind("prev_end", Date)) if compare else cur_end
    posts = _posts(None, filters, lo=_bind("lo"), hi=_bind("cur_hi")).with_only_columns(
        Post.id,
        SocialAccount.id.label("social_account_id"),
        SocialAccount.platform,
        Post.content_type,
        Post.caption,
        Post.posted_at,
        case((in_current, 1), else_=0).label("current"),
    )
    fig = content.post_figures(posts, as_of=as_of, dialect=dialect)
    period = fig.c.current
    ranked = select(
        fig,
        func.count().over(partition_by=period).label("n_posts"),
        func.sum(fig.c.reach).over(partition_by=period).label("sum_reach"),
        func.sum(fig.c.impressions).over(partition_by=period).label("sum_impressions"),
        func.sum(fig.c.engagement).over(partition_by=period).label("sum_engagement"),
        func.avg(fig.c.engagement_rate).over(partition_by=period).label("mean_rate"),
        func.row_number()
        .over(
            partition_by=period,
            order_by=(fig.c.engagement.desc().nulls_last(), fig.c.posted_at.desc(), fig.c.id),
        )
        .label("rank"),
    ).subquery("ranked")
    followers = _followers_statement(compare, filters)
    return (
        select(followers, ranked)
        .select_from(followers.outerjoin(ranked, ranked.c.rank <= _bind("top", Integer)))
        .order_by(ranked.c.current.desc(), ranked.c.rank)
    )


def _overview_binds(user: User, window: Window, filters: Filters, top: int) -> dict[str, Any]:
    cur, prev = window.period, window.previous
    earliest = window.clock.history.earliest

    def followers_from(period: Period) -> date:
        day = period.start - timedelta(days=1)
        return day if earliest is None else max(day, earliest)

    cur_lo, cur_hi = window.clock.utc(cur)
    binds: dict[str, Any] = {
        **owner_binds(user),
        "lo": window.clock.utc(prev)[0] if prev else cur_lo,
        "cur_lo": cur_lo,
        "cur_hi": cur_hi,
        "cur_end": cur.end,
        "cur_followers_from": followers_from(cur),
        "top": max(top, 1),
    }
    if prev is not None:
        binds |= {"prev_end": prev.end, "prev_followers_from": followers_from(prev)}
    if filters.account_id is not None:
        binds["account_id"] = filters.account_id
    if filters.platform is not None:
        binds["platform"] = filters.platform
    return binds


def overview(
    db: Session,
    user: User,
    *,
    start: date | None = None,
    end: date | None = None,
    account_id: uuid.UUID | None = None,
    platform: Platform | None = None,
    top: int = TOP_POSTS,
    today: date | None = None,
) -> OverviewOut:
    """The period's headline figures next to the previous period of the same length, and its
    top posts by engagement."""
    window = _window(
        db, user, start=start, end=end, account_id=account_id, compare=True, today=today
    )
    filters = Filters(account_id, platform)
    statement = _overview_statement(
        _dialect(db),
        compare=window.previous is not None,
        by_account=account_id is not None,
        by_platform=platform is not None,
    )
    rows = db.execute(statement, _overview_binds(user, window, filters, top)).all()
    first = rows[0]
    totals = {bool(r.current): r for r in rows if r.rank == 1}
    cur, prev = totals.get(True), totals.get(False)

    def pair(column: str, convert: Any = _int) -> Comparison:
        """A period without posts has 0 posts and no (null) reach, engagement, ..."""
        empty = 0 if column == "n_posts" else None
        now = convert(getattr(cur, column)) if cur is not None else empty
        before = convert(getattr(prev, column)) if prev is not None else empty
        return _compare(now, before if window.previous is not None else None)

    return OverviewOut(
        **_scope(window, account_id, platform),
        previous_period=_period(window.previous) if window.previous else None,
        metrics=OverviewMetrics(
            followers=_compare(_int(first.followers), _int(first.prev_followers)),
            followers_gained=_compare(_int(first.gained), _int(first.prev_gained)),
            posts=pair("n_posts"),
            reach=pair("sum_reach"),
            impressions=pair("sum_impressions"),
            engagement=pair("sum_engagement"),
            engagement_rate=pair("mean_rate", content.rate),
        ),
        top_posts=[
            TopPost(
                id=r.id,
                social_account_id=r.social_account_id,
                platform=r.platform,
                content_type=r.content_type,
                caption=r.caption,
                posted_at=r.posted_at,
                posted_at_local=r.posted_at.astimezone(window.tz),
                reach=r.reach,
                impressions=r.impressions,
                engagement=r.engagement,
                engagement_rate=content.rate(r.engagement_rate),
            )
            for r in rows
            if r.current and r.engagement is not None and r.rank <= top
        ],
    )


# -- time series ------------------------------------------------------------------------------


def _post_series(
    db: Session,
    user: User,
    window: Window,
    *,
    metric: Metric,
    granularity: Granularity,
    filters: Filters,
) -> dict[date, tuple[int | float | None, int | None]]:
    dialect = _dialect(db)
    lo, hi = window.clock.utc(window.period)
    local = localtime.local_timestamp(Post.posted_at, window.tz, dialect=dialect, lo=lo, hi=hi)
    posts = _posts(user, filters, lo=lo, hi=hi).add_columns(
        localtime.bucket(local, granularity, dialect=dialect).label("bucket")
    )
    fig = content.post_figures(posts, as_of=window.period.end, dialect=dialect)
    value = {
        Metric.reach: func.sum(fig.c.reach),
        Metric.impressions: func.sum(fig.c.impressions),
        Metric.engagement: func.sum(fig.c.engagement),
        Metric.engagement_rate: func.avg(fig.c.engagement_rate),
    }[metric]
    convert = content.rate if metric is Metric.engagement_rate else _int
    rows = db.execute(select(fig.c.bucket, value, func.count()).group_by(fig.c.bucket))
    return {localtime.as_date(b): (convert(v), int(n)) for b, v, n in rows}


def _follower_series(
    db: Session,
    user: User,
    window: Window,
    *,
    granularity: Granularity,
    filters: Filters,
) -> dict[date, tuple[int | float | None, int | None]]:
    """Per bucket: each account's last reported count in it, summed over the accounts."""
    key = localtime.bucket(PlatformMetric.metric_date, granularity, dialect=_dialect(db))
    accounts = _accounts(user, filters)
    last = (
        select(
            PlatformMetric.follower_count,
            key.label("bucket"),
            func.row_number()
            .over(
                partition_by=(PlatformMetric.social_account_id, key),
                order_by=PlatformMetric.metric_date.desc(),
            )
            .label("nth"),
        )
        .where(
            PlatformMetric.social_account_id.in_(accounts),
            PlatformMetric.metric_date >= window.period.start,
            PlatformMetric.metric_date <= window.period.end,
            PlatformMetric.follower_count.is_not(None),
        )
        .subquery("last_in_bucket")
    )
    rows = db.execute(
        select(last.c.bucket, func.sum(last.c.follower_count))
        .where(last.c.nth == 1)
        .group_by(last.c.bucket)
    )
    return {localtime.as_date(b): (_int(v), None) for b, v in rows}


def timeseries(
    db: Session,
    user: User,
    *,
    metric: Metric,
    granularity: Granularity = Granularity.day,
    start: date | None = None,
    end: date | None = None,
    account_id: uuid.UUID | None = None,
    platform: Platform | None = None,
    today: date | None = None,
) -> TimeseriesOut:
    """One point per local day, ISO week or month of the period; a point without data is null,
    never 0."""
    window = _window(db, user, start=start, end=end, account_id=account_id, today=today)
    filters = Filters(account_id, platform)
    if metric is Metric.followers:
        values = _follower_series(db, user, window, granularity=granularity, filters=filters)
    else:
        values = _post_series(
            db, user, window, metric=metric, granularity=granularity, filters=filters
        )
    points = []
    for key, first, last in localtime.buckets(window.period.start, window.period.end, granularity):
        value, posts = values.get(key, (None, None if metric is Metric.followers else 0))
        points.append(Point(start=first, end=last, value=value, posts=posts))
    return TimeseriesOut(
        **_scope(window, account_id, platform),
        metric=metric,
        granularity=granularity,
        points=points,
    )


# -- breakdown --------------------------------------------------------------------------------


def _group_rows(db: Session, base: Any) -> list[Any]:
    """Per key: posts, rated posts, mean and median rate of ``base`` (key, rate) rows. The
    median is PostgreSQL's percentile_cont, or on SQLite the middle row(s) by row_number."""
    if _dialect(db) == "postgresql":
        median: ColumnElement[Any] = func.percentile_cont(0.5).within_group(base.c.rate)
        return list(
            db.execute(
                select(
                    base.c.key,
                    func.count().label("posts"),
                    func.count(base.c.rate).label("rated"),
                    func.avg(base.c.rate).label("mean"),
                    median.label("median"),
                ).group_by(base.c.key)
            )
        )
    ranked = select(
        base.c.key,
        base.c.rate,
        func.row_number()
        .over(partition_by=base.c.key, order_by=base.c.rate.asc().nulls_last())
        .label("nth"),
        func.count(base.c.rate).over(partition_by=base.c.key).label("n"),
    ).subquery("ranked")
    r = ranked.c
    middle = and_(r.rate.is_not(None), r.nth.in_([(r.n + 1) // 2, (r.n + 2) // 2]))
    return list(
        db.execute(
            select(
                r.key,
                func.count().label("posts"),
                func.count(r.rate).label("rated"),
                func.avg(r.rate).label("mean"),
                func.avg(case((middle, r.rate))).label("median"),
            ).group_by(r.key)
        )
    )


def _hashtags(column: ColumnElement[Any], dialect: str) -> Any:
    """The elements of a JSON list column as a table (``value``); anything else as none."""
    if dialect == "postgresql":
        as_list = case((func.jsonb_typeof(column) == "array", column), else_=literal([], JSONB))
        return func.jsonb_array_elements_text(as_list).table_valued("value").alias("tag")
    as_list = case((func.json_type(column) == "array", column), else_="[]")
    return func.json_each(as_list).table_valued("value").alias("tag")


_NO_KEY = {
    BreakdownBy.content_type: "No content type",
    BreakdownBy.category: "Uncategorized",
    BreakdownBy.hashtag: "No hashtags",
}


def _label(by: BreakdownBy, key: Any, names: dict[str, tuple[str, str | None]]) -> str:
    if key is None:
        return _NO_KEY.get(by, "Unknown")
    if by is BreakdownBy.weekday:
        return calendar.day_name[int(key) - 1]
    if by is BreakdownBy.hour:
        return f"{int(key):02d}:00-{int(key):02d}:59"
    if by is BreakdownBy.weekday_hour:
        return f"{calendar.day_name[int(key) // 100 - 1]} {int(key) % 100:02d}:00"
    if by is BreakdownBy.category:
        return names[str(key)][0]
    if by is BreakdownBy.hashtag:
        return f"#{key}"
    return str(key)


# Breakdowns over a fixed grid list every cell, empty ones included.
_GRIDS: dict[BreakdownBy, list[int]] = {
    BreakdownBy.weekday: list(range(1, 8)),
    BreakdownBy.hour: list(range(24)),
    BreakdownBy.weekday_hour: [day * 100 + hour for day in range(1, 8) for hour in range(24)],
}


def _groups(
    by: BreakdownBy, rows: Sequence[Any], names: dict[str, tuple[str, str | None]], limit: int
) -> list[Group]:
    found: dict[Any, Group] = {}
    for r in rows:
        key = r.key if r.key is None or by is not BreakdownBy.category else str(r.key)
        if key is not None and by in _GRIDS:
            key = int(key)
        found[key] = Group(
            key=key,
            label=_label(by, key, names),
            color_code=names[key][1] if by is BreakdownBy.category and key is not None else None,
            posts=int(r.posts),
            rated_posts=int(r.rated),
            mean_engagement_rate=content.rate(r.mean),
            median_engagement_rate=content.rate(r.median),
        )
    if by in _GRIDS:
        keys = _GRIDS[by]
        return [
            found.get(k)
            or Group(
                key=k,
                label=_label(by, k, names),
                posts=0,
                rated_posts=0,
                mean_engagement_rate=None,
                median_engagement_rate=None,
            )
            for k in keys
        ]
    ordered = sorted(found.values(), key=lambda g: (g.key is None, -g.posts, g.label.lower()))
    return ordered[:limit]


def breakdown(
    db: Session,
    user: User,
    *,
    by: BreakdownBy,
    start: date | None = None,
    end: date | None = None,
    account_id: uuid.UUID | None = None,
    platform: Platform | None = None,
    limit: int = 50,
    today: date | None = None,
) -> BreakdownOut:
    """Posts and the median and mean engagement rate per content type, category, local
    weekday, local hour or hashtag. A post with several categories or hashtags counts in each."""
    window = _window(db, user, start=start, end=end, account_id=account_id, today=today)
    filters = Filters(account_id, platform)
    dialect = _dialect(db)
    lo, hi = window.clock.utc(window.period)
    posts = _posts(user, filters, lo=lo, hi=hi)
    local = localtime.local_timestamp(Post.posted_at, window.tz, dialect=dialect, lo=lo, hi=hi)
    key_column: dict[BreakdownBy, Any] = {
        BreakdownBy.content_type: Post.content_type,
        BreakdownBy.weekday: localtime.iso_weekday(local, dialect=dialect),
        BreakdownBy.hour: localtime.hour(local, dialect=dialect),
        BreakdownBy.weekday_hour: localtime.iso_weekday(local, dialect=dialect) * 100
        + localtime.hour(local, dialect=dialect),
        BreakdownBy.hashtag: Post.hashtags,
    }
    if by in key_column:
        posts = posts.add_columns(key_column[by].label("key"))
    fig = content.post_figures(posts, as_of=window.period.end, dialect=dialect)
    rate = fig.c.engagement_rate.label("rate")
    base: Any
    names: dict[str, tuple[str, str | None]] = {}
    if by is BreakdownBy.category:
        mine = and_(
            ContentCategory.id == post_categories.c.category_id,
            owned_by(ContentCategory.user_id, user),
        )
        base = (
            select(fig.c.id, ContentCategory.id.label("key"), rate)
            .select_from(
                fig.outerjoin(post_categories, post_categories.c.post_id == fig.c.id).outerjoin(
                    ContentCategory, mine
                )
            )
            .distinct()
            .subquery("keyed")
        )
        names = {
            str(c.id): (c.name, c.color_code)
            for c in db.scalars(
                select(ContentCategory).where(owned_by(ContentCategory.user_id, user))
            )
        }
    elif by is BreakdownBy.hashtag:
        tag = _hashtags(fig.c.key, dialect)
        base = (
            select(fig.c.id, func.lower(tag.c.value).label("key"), rate)
            .select_from(fig.outerjoin(tag, true()))
            .distinct()
            .subquery("keyed")
        )
    else:
        base = select(fig.c.id, fig.c.key, rate).subquery("keyed")
    return BreakdownOut(
        **_scope(window, account_id, platform),
        by=by,
        groups=_groups(by, _group_rows(db, base), names, min(limit, MAX_GROUPS)),
    )
