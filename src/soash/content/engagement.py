"""The one definition of engagement and engagement rate.

* engagement = likes + comments + shares + saves (the ones the platform reports; None when it
  reports none of them);
* engagement rate = engagement / reach, or engagement / followers where reach is missing
  (None when neither is known or the denominator is 0).

A post's figures are its latest daily snapshot in ``post_metrics``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

RATE_QUANTUM = Decimal("0.000001")


def engagement(
    likes: int | None, comments: int | None, shares: int | None, saves: int | None
) -> int | None:
    parts = [v for v in (likes, comments, shares, saves) if v is not None]
    return sum(parts) if parts else None


def engagement_rate(
    total: int | None, *, reach: int | None, followers: int | None
) -> Decimal | None:
    if total is None:
        return None
    base = reach if reach else followers
    if not base:
        return None
    return (Decimal(total) / Decimal(base)).quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)
