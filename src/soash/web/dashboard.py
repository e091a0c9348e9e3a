"""The dashboard: overview cards against the previous period, followers, reach and engagement
rate over time, breakdowns by content type, posting time and hashtag, and the top posts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import Query, Request, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from soash.analytics import service as analytics
from soash.analytics.localtime import Granularity
from soash.analytics.schemas import BreakdownBy, Group, Metric, OverviewOut, TimeseriesOut
from soash.content import service as content
from soash.deps import DB
from soash.schemas import Day
from soash.social import service as social
from soash.timewindow import clock_for
from soash.users.models import User
from soash.web import forms
from soash.web.charts import day_epoch, to_json
from soash.web.core import render, web_router
from soash.web.params import Blank
from soash.web.session import Viewer

router = web_router()
PRESETS = ((7, "7 days"), (28, "28 days"), (90, "90 days"), (365, "12 months"))
CHARTS = (
    (Metric.followers, "Followers", "line", "count", "#4f46e5"),
    (Metric.reach, "Reach", "bars", "count", "#0ea5e9"),
    (Metric.engagement_rate, "Engagement rate", "line", "pct", "#059669"),
)


@dataclass(frozen=True)
class Chart:
    metric: str
    title: str
    data: Markup
    empty: bool
    summary: str


@dataclass(frozen=True)
class Dashboard:
    overview: OverviewOut
    charts: list[Chart]
    content_types: list[Group]
    categories: list[Group]
    hashtags: list[Group]
    weekdays: list[Group]
    grid: list[Group]  # weekday x hour, Monday 00:00 first

    @property
    def max_rate(self) -> float:
        """The longest bar of the breakdowns."""
        groups = self.content_types + self.categories + self.hashtags
        rates = [g.median_engagement_rate or 0 for g in groups]
        return max([*rates, 0.0001])


def granularity_for(days: int) -> Granularity:
    if days <= 92:
        return Granularity.day
    return Granularity.week if days <= 400 else Granularity.month


def _chart(series: TimeseriesOut, title: str, kind: str, fmt: str, color: str) -> Chart:
    values = [p.value for p in series.points]
    known = [v for v in values if v is not None]
    data = {
        "x": [day_epoch(p.start) for p in series.points],
        "series": [{"label": title, "values": values, "color": color}],
        "kind": kind,
        "format": fmt,
        "step": series.granularity.value,
        "zero": kind == "bars",
    }
    if not known:
        summary = f"{title}: no data in this period."
    elif fmt == "pct":
        summary = f"{title} from {known[0] * 100:.1f}% to {known[-1] * 100:.1f}%."
    else:
        summary = f"{title} from {known[0]:,} to {known[-1]:,}."
    return Chart(series.metric.value, title, to_json(data), not known, summary)


def build(
    db: Session,
    user: User,
    *,
    start: date | None,
    end: date | None,
    account_id: uuid.UUID | None,
) -> Dashboard:
    overview = analytics.overview(db, user, start=start, end=end, account_id=account_id)
    period = overview.period
    scope: dict[str, Any] = {"start": period.start, "end": period.end, "account_id": account_id}
    granularity = granularity_for(period.days)
    charts = [
        _chart(
            analytics.timeseries(db, user, metric=metric, granularity=granularity, **scope),
            title,
            kind,
            fmt,
            color,
        )
        for metric, title, kind, fmt, color in CHARTS
    ]

    has_categories = bool(content.list_categories(db, user))

    def groups(by: BreakdownBy, limit: int = 50) -> list[Group]:
        return analytics.breakdown(db, user, by=by, limit=limit, **scope).groups

    return Dashboard(
        overview=overview,
        charts=charts,
        content_types=groups(BreakdownBy.content_type),
        categories=groups(BreakdownBy.category) if has_categories else [],
        hashtags=groups(BreakdownBy.hashtag, 10),
        weekdays=groups(BreakdownBy.weekday),
        grid=groups(BreakdownBy.weekday_hour, 168),
    )


def _range(db: Session, user: User, days: int | None, start: date | None, end: date | None) -> Any:
    if days is not None and start is None:
        end = end or clock_for(db, user).today
        start = end - timedelta(days=days - 1)
    return start, end


def load(
    db: Session,
    user: User,
    *,
    start: date | None,
    end: date | None,
    account_id: uuid.UUID | None,
) -> tuple[Dashboard, str | None]:
    """The dashboard asked for, or, when its range or account cannot be shown (e.g. before
    the plan's history), the default one with the reason."""
    outcome = forms.attempt(
        db, lambda: build(db, user, start=start, end=end, account_id=account_id)
    )
    if outcome.ok and outcome.value is not None:
        return outcome.value, None
    return build(db, user, start=None, end=None, account_id=None), outcome.errors[forms.FORM]


@router.get("/dashboard")
def dashboard(
    request: Request,
    db: DB,
    auth: Viewer,
    account: Annotated[uuid.UUID | None, Blank, Query()] = None,
    from_: Annotated[Day | None, Blank, Query(alias="from")] = None,
    to: Annotated[Day | None, Blank, Query()] = None,
    days: Annotated[int | None, Query(ge=1, le=3660)] = None,
) -> Response:
    start, end = _range(db, auth.user, days, from_, to)
    view, problem = load(db, auth.user, start=start, end=end, account_id=account)
    period = view.overview.period
    return render(
        request,
        "dashboard/page.html",
        page_title="Dashboard",
        view=view,
        problem=problem,
        accounts=social.list_accounts(db, auth.user),
        account=account if problem is None else None,
        presets=PRESETS,
        days=days or (period.days if from_ is None and to is None else None),
    )
