"""The one definition of engagement and engagement rate.

* engagement = likes + comments + shares + saves (the ones the platform reports; None when it
  reports none of them);
* engagement rate = engagement / reach, or engagement / followers where reach is missing
  (None when neither is known or the denominator is 0).

A post's figures are its latest daily snapshot in ``post_metrics``. The write path stores each
snapshot's engagement rate (``post_metrics.engagement_rate``) with :func:`engagement_rate`; SQL
that needs engagement itself uses :func:`engagement_sql`, the same sum written for the database.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, null
from sqlalchemy.orm import InstrumentedAttribute

Column = ColumnElement[Any] | InstrumentedAttribute[Any]

DEFINITION = (
    "Engagement = likes + comments + shares + saves (those the platform reports). Engagement "
    "rate = engagement / reach, or engagement / followers where reach is missing. A post's "
    "figures are its latest daily metric snapshot."
)

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


def engagement_sql(
    likes: Column, comments: Column, shares: Column, saves: Column
) -> ColumnElement[int | None]:
    """:func:`engagement` as a SQL expression: NULL when all four are NULL."""
    parts = (likes, comments, shares, saves)
    total = sum((func.coalesce(p, 0) for p in parts[1:]), func.coalesce(parts[0], 0))
    result: ColumnElement[int | None] = case(
        (and_(*(p.is_(None) for p in parts)), null()), else_=total
    )
    return result
