"""The user's plan and webhook acknowledgements as the API shows them."""

from __future__ import annotations

from typing import Literal

from soash.schemas import OutModel
from soash.users.models import SubscriptionStatus, SubscriptionTier


class LimitsOut(OutModel):
    social_accounts: int
    history_days: int | None
    insight_runs_per_day: int


class PlanOut(OutModel):
    tier: SubscriptionTier
    status: SubscriptionStatus
    provider: str
    paying: bool
    limits: LimitsOut


class WebhookOut(OutModel):
    event_id: str
    event_type: str
    outcome: Literal["applied", "ignored", "deferred", "duplicate"]
    detail: str
