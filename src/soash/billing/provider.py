"""The billing provider interface: ``manual`` (the default for self-hosting) and ``stripe``.

Both change plans through :mod:`soash.billing.service`; they differ in who tells Soash about
payments: an administrator on the command line, or Stripe's signed webhooks.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy.orm import Session

from soash.billing import service, stripe
from soash.config import BillingSettings, get_settings
from soash.db import utcnow
from soash.errors import NotFound
from soash.referrals.models import ReferralSignup
from soash.users.models import SubscriptionStatus, SubscriptionTier, User


@dataclass(frozen=True)
class PlanSet:
    user: User
    referral: ReferralSignup | None  # converted by the payment given with the change
    note: str | None


class BillingProvider(ABC):
    name: ClassVar[str]
    set_plan_note: ClassVar[str | None] = None  # shown to the administrator after set-tier

    def __init__(self, settings: BillingSettings) -> None:
        self.settings = settings

    def set_plan(
        self,
        db: Session,
        user: User,
        *,
        tier: SubscriptionTier,
        status: SubscriptionStatus,
        payment: Decimal | None = None,
        currency: str | None = None,
        at: datetime | None = None,
    ) -> PlanSet:
        """An administrator's change (``soash users set-tier``), with the payment taken for
        it, if any: the payment converts the user's referral as a first payment would."""
        at = at or utcnow()
        service.apply_plan(db, user, tier=tier, status=status, at=at)
        referral = None
        if payment is not None:
            referral = service.record_payment(
                db, user, amount=payment, currency=currency or self.settings.currency, at=at
            )
        return PlanSet(user=user, referral=referral, note=self.set_plan_note)

    @abstractmethod
    def handle_webhook(
        self, db: Session, *, body: bytes, headers: Mapping[str, str]
    ) -> stripe.WebhookResult: ...


class ManualProvider(BillingProvider):
    name = "manual"

    def handle_webhook(
        self, db: Session, *, body: bytes, headers: Mapping[str, str]
    ) -> stripe.WebhookResult:
        raise NotFound(
            "This server bills manually (SOASH_BILLING_PROVIDER=manual) and takes no billing "
            "webhooks. Set SOASH_BILLING_PROVIDER=stripe to use Stripe."
        )


class StripeProvider(BillingProvider):
    name = "stripe"
    set_plan_note = (
        "Billing is run by Stripe: the next Stripe event for this customer replaces this change."
    )

    def handle_webhook(
        self, db: Session, *, body: bytes, headers: Mapping[str, str]
    ) -> stripe.WebhookResult:
        return stripe.handle_webhook(
            db,
            body=body,
            signature=headers.get("stripe-signature"),
            settings=self.settings,
            now=time.time(),
        )


PROVIDERS: dict[str, type[BillingProvider]] = {
    ManualProvider.name: ManualProvider,
    StripeProvider.name: StripeProvider,
}


def get_provider(settings: BillingSettings | None = None) -> BillingProvider:
    settings = settings or get_settings().billing
    return PROVIDERS[settings.provider](settings)
