"""How often a post's metrics are re-fetched: often while it is young, then less, then never.

Early growth is captured without spending the rate limit on old posts:
hourly in the first day, daily to 30 days, weekly to 90 days, then stop.
"""

from __future__ import annotations

from datetime import datetime, timedelta

SCHEDULE: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(days=1), timedelta(hours=1)),
    (timedelta(days=30), timedelta(days=1)),
    (timedelta(days=90), timedelta(days=7)),
)
# Runs drift by a few minutes; do not skip a post that is due "almost now".
SLACK = timedelta(minutes=10)
TRACKED_FOR = SCHEDULE[-1][0]


def refetch_interval(posted_at: datetime, now: datetime) -> timedelta | None:
    """How long to wait between fetches at this age; None when the post is no longer tracked."""
    age = now - posted_at
    for max_age, interval in SCHEDULE:
        if age < max_age:
            return interval
    return None


def metrics_due(posted_at: datetime, last_fetched: datetime | None, now: datetime) -> bool:
    interval = refetch_interval(posted_at, now)
    if last_fetched is None:
        return True  # every post gets at least one snapshot, however old
    if interval is None:
        return False
    return now - last_fetched >= interval - SLACK
