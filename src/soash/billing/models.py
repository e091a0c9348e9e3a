"""Webhook events from the billing provider, each recorded once.

The unique (provider, event_id) key makes a redelivered event a no-op. ``data`` holds only the
facts Soash acts on (ids, status, amounts), never the customer's name, email or address. An
event for a customer not yet linked to a user waits as ``deferred`` and is applied, in the
order the provider created the events, once the checkout that links them arrives.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from soash.db import Base, IdMixin, JSONType, TimestampMixin, enum_type


class EventOutcome(StrEnum):
    applied = "applied"
    ignored = "ignored"
    deferred = "deferred"


class BillingEvent(IdMixin, TimestampMixin, Base):
    __tablename__ = "billing_events"
    __table_args__ = (
        UniqueConstraint("provider", "event_id"),
        Index("idx_billing_events_customer_outcome", "customer_id", "outcome"),
    )

    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(100))
    # When the provider created the event: the order that decides which state is newest.
    occurred_at: Mapped[datetime]
    customer_id: Mapped[str | None] = mapped_column(String(255))
    outcome: Mapped[EventOutcome] = mapped_column(enum_type(EventOutcome))
    detail: Mapped[str | None] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
