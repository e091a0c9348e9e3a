"""Days, hours and weekdays are the profile's, with posted_at stored in UTC: the date line
(Asia/Tokyo) and both DST changes of Europe/Berlin, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from soash.analytics.localtime import offsets
from soash.timewindow import local_midnight, utc_bounds
from tests.analytics.conftest import ok
from tests.analytics.data import account, metric, post, set_timezone, utc
from tests.helpers import Api, User

BERLIN = ZoneInfo("Europe/Berlin")


def _day_counts(api: Api, user: User, start: str, end: str) -> dict[str, int | None]:
    body = ok(
        api, user, "/analytics/timeseries", metric="reach", from_=start, to=end, granularity="day"
    )
    return {p["start"]: p["posts"] for p in body["points"]}


def _hours(api: Api, user: User, start: str, end: str) -> dict[int, int]:
    groups = ok(api, user, "/analytics/breakdown", by="hour", from_=start, to=end)["groups"]
    return {g["key"]: g["posts"] for g in groups if g["posts"]}


def test_a_post_at_2330_utc_is_on_the_next_day_in_tokyo(api: Api, alice: User) -> None:
    set_timezone(alice.id, "Asia/Tokyo")
    acct = account(alice.id)
    late = post(acct, utc(2026, 3, 1, 23, 30))  # Monday 2 March, 08:30 in Tokyo
    metric(late, date(2026, 3, 2), likes=5, reach=50)

    overview = "/analytics/overview"
    assert (
        ok(api, alice, overview, from_="2026-03-01", to="2026-03-01")["metrics"]["posts"]["current"]
        == 0
    )
    body = ok(api, alice, overview, from_="2026-03-02", to="2026-03-02")
    assert body["timezone"] == "Asia/Tokyo"
    assert body["metrics"]["posts"]["current"] == 1
    assert body["top_posts"][0]["posted_at_local"] == "2026-03-02T08:30:00+09:00"
    assert _day_counts(api, alice, "2026-03-01", "2026-03-02") == {"2026-03-01": 0, "2026-03-02": 1}
    assert _hours(api, alice, "2026-03-01", "2026-03-02") == {8: 1}
    weekdays = ok(
        api, alice, "/analytics/breakdown", by="weekday", from_="2026-03-01", to="2026-03-02"
    )
    assert {g["key"]: g["posts"] for g in weekdays["groups"] if g["posts"]} == {1: 1}  # Monday


def test_the_short_spring_day_in_berlin(api: Api, alice: User) -> None:
    set_timezone(alice.id, "Europe/Berlin")
    acct = account(alice.id)
    # 29 March 2026 runs from 28 Mar 23:00 UTC to 29 Mar 22:00 UTC (23 hours).
    post(acct, utc(2026, 3, 28, 22, 59))  # 23:59 on the 28th
    post(acct, utc(2026, 3, 28, 23, 30))  # 00:30 on the 29th (CET)
    post(acct, utc(2026, 3, 29, 1, 30))  # 03:30 on the 29th (CEST, just after the jump)
    post(acct, utc(2026, 3, 29, 21, 59))  # 23:59 on the 29th (CEST)
    post(acct, utc(2026, 3, 29, 22, 0))  # 00:00 on the 30th
    assert _day_counts(api, alice, "2026-03-28", "2026-03-30") == {
        "2026-03-28": 1,
        "2026-03-29": 3,
        "2026-03-30": 1,
    }
    assert _hours(api, alice, "2026-03-29", "2026-03-29") == {0: 1, 3: 1, 23: 1}
    assert _hours(api, alice, "2026-03-28", "2026-03-30") == {0: 2, 3: 1, 23: 2}


def test_the_long_autumn_day_in_berlin(api: Api, alice: User) -> None:
    set_timezone(alice.id, "Europe/Berlin")
    acct = account(alice.id)
    # 25 October 2026 runs from 24 Oct 22:00 UTC to 25 Oct 23:00 UTC (25 hours).
    post(acct, utc(2026, 10, 24, 21, 59))  # 23:59 on the 24th (CEST)
    post(acct, utc(2026, 10, 24, 22, 0))  # 00:00 on the 25th
    post(acct, utc(2026, 10, 25, 0, 30))  # 02:30 CEST
    post(acct, utc(2026, 10, 25, 1, 30))  # 02:30 CET, the repeated hour
    post(acct, utc(2026, 10, 25, 22, 59))  # 23:59 on the 25th (CET)
    post(acct, utc(2026, 10, 25, 23, 0))  # 00:00 on the 26th
    assert _day_counts(api, alice, "2026-10-24", "2026-10-26") == {
        "2026-10-24": 1,
        "2026-10-25": 4,
        "2026-10-26": 1,
    }
    assert _hours(api, alice, "2026-10-25", "2026-10-25") == {0: 1, 2: 2, 23: 1}


def test_a_range_spanning_both_changes_uses_each_rows_own_offset(api: Api, alice: User) -> None:
    set_timezone(alice.id, "Europe/Berlin")
    acct = account(alice.id)
    post(acct, utc(2026, 1, 15, 17, 30))  # 18:30 CET
    post(acct, utc(2026, 7, 15, 17, 30))  # 19:30 CEST
    post(acct, utc(2026, 12, 15, 17, 30))  # 18:30 CET
    assert _hours(api, alice, "2026-01-01", "2026-12-31") == {18: 2, 19: 1}


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("Europe/Berlin", date(2026, 3, 29), 23),
        ("Europe/Berlin", date(2026, 10, 25), 25),
        ("Europe/Berlin", date(2026, 6, 1), 24),
        ("America/Santiago", date(2025, 9, 7), 23),  # DST starts at midnight: the day starts 01:00
        ("Asia/Tokyo", date(2026, 3, 29), 24),
    ],
)
def test_utc_bounds_of_a_local_day(zone: str, day: date, hours: int) -> None:
    lo, hi = utc_bounds(day, day, ZoneInfo(zone))
    assert hi - lo == timedelta(hours=hours)
    assert lo.astimezone(ZoneInfo(zone)).date() == day
    assert (lo - timedelta(seconds=1)).astimezone(ZoneInfo(zone)).date() == day - timedelta(days=1)


def test_offsets_list_every_transition_in_the_range() -> None:
    lo, hi = local_midnight(date(2026, 1, 1), BERLIN), local_midnight(date(2027, 1, 1), BERLIN)
    assert offsets(BERLIN, lo, hi) == [
        (datetime(2026, 3, 29, 1, tzinfo=UTC), 3600),
        (datetime(2026, 10, 25, 1, tzinfo=UTC), 7200),
        (None, 3600),
    ]
    assert offsets(ZoneInfo("Asia/Kolkata"), lo, hi) == [(None, 19800)]
