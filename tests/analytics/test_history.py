"""Analytics never look further back than the plan allows (free: 90 days, pro: 730), and say so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from soash.users.models import SubscriptionStatus, SubscriptionTier
from tests.analytics.conftest import get, ok
from tests.analytics.data import account, metric, post, set_tier
from tests.helpers import Api
from tests.users.conftest import assert_problem


def _today() -> datetime:
    return datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


def test_a_free_plan_range_is_shortened_to_90_days_with_a_note(api: Api) -> None:
    bob = api.user()
    today = _today().date()
    acct = account(bob.id)
    old = post(acct, _today() - timedelta(days=120))
    metric(old, today - timedelta(days=119), likes=10, reach=100)
    recent = post(acct, _today() - timedelta(days=10))
    metric(recent, today - timedelta(days=9), likes=20, reach=100)

    body = ok(
        api, bob, "/analytics/overview", from_=str(today - timedelta(days=200)), to=str(today)
    )
    earliest = today - timedelta(days=90)
    assert body["history"] == {"tier": "free", "history_days": 90, "earliest": str(earliest)}
    assert body["period"]["start"] == str(earliest)
    assert body["metrics"]["posts"]["current"] == 1  # the 120-day-old post is not counted
    assert body["previous_period"] is None
    assert len(body["notes"]) == 2
    assert "free plan shows the last 90 days" in body["notes"][0]
    assert "no comparison" in body["notes"][1]

    default = ok(api, bob, "/analytics/overview")
    assert default["notes"] == []
    assert default["previous_period"]["days"] == 28

    series = ok(
        api, bob, "/analytics/timeseries", metric="reach", from_=str(today - timedelta(days=95))
    )
    assert series["points"][0]["start"] == str(earliest)
    assert series["notes"]


def test_a_range_wholly_before_the_history_is_refused(api: Api) -> None:
    bob = api.user()
    today = _today().date()
    response = get(
        api,
        bob,
        "/analytics/breakdown",
        by="hour",
        from_=str(today - timedelta(days=120)),
        to=str(today - timedelta(days=100)),
    )
    body = assert_problem(response, 403)
    assert body["earliest"] == str(today - timedelta(days=90))
    assert "upgrade" in body["detail"]


def test_pro_sees_two_years_and_a_cancelled_plan_falls_back(api: Api) -> None:
    bob = api.user()
    set_tier(bob.id, SubscriptionTier.pro)
    history = ok(api, bob, "/analytics/overview")["history"]
    assert (history["tier"], history["history_days"]) == ("pro", 730)
    set_tier(bob.id, SubscriptionTier.pro, SubscriptionStatus.cancelled)
    history = ok(api, bob, "/analytics/overview")["history"]
    assert (history["tier"], history["history_days"]) == ("pro (cancelled)", 90)
    set_tier(bob.id, SubscriptionTier.enterprise)
    body = ok(api, bob, "/analytics/overview", from_="2016-01-01", to="2016-01-31")
    assert body["history"]["earliest"] is None
    assert body["notes"] == []


def test_posts_and_their_history_stay_within_the_plan(api: Api) -> None:
    bob = api.user()
    today = _today().date()
    acct = account(bob.id)
    old = post(acct, _today() - timedelta(days=120))
    borderline = post(acct, _today() - timedelta(days=95))
    for age in (94, 91, 90, 89):
        metric(borderline, today - timedelta(days=age), likes=age, reach=100)
    listed = ok(api, bob, "/posts")
    assert listed["items"] == []
    assert listed["history"]["earliest"] == str(today - timedelta(days=90))
    assert ok(api, bob, "/posts", from_=str(today - timedelta(days=365)))["notes"]

    detail = ok(api, bob, f"/posts/{borderline}")
    assert [m["metric_date"] for m in detail["metrics"]] == [
        str(today - timedelta(days=90)),
        str(today - timedelta(days=89)),
    ]
    assert "left out" in detail["notes"][0]
    assert ok(api, bob, f"/posts/{old}")["metrics"] == []
