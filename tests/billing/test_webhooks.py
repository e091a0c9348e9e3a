"""Stripe events: each applied once, in the order Stripe created them, whatever the delivery."""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from soash.billing.models import BillingEvent, EventOutcome
from soash.billing.stripe import handle_webhook
from soash.config import Settings
from soash.db import session_scope
from soash.referrals.models import ConversionStatus
from soash.users.models import SubscriptionStatus, SubscriptionTier
from tests.billing.conftest import (
    Stripe,
    charge,
    checkout,
    event,
    invoice,
    stripe_signature,
    subscription,
)
from tests.factories import make_user
from tests.referrals.factories import make_referral, signup_row, user_row
from tests.users.conftest import count_rows

T0 = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def at(seconds: float = 0, days: float = 0) -> datetime:
    return T0 + timedelta(seconds=seconds, days=days)


def _plan(user_id: uuid.UUID) -> tuple[SubscriptionTier, SubscriptionStatus]:
    user = user_row(user_id)
    return user.subscription_tier, user.subscription_status


def _events() -> list[BillingEvent]:
    with session_scope() as db:
        return list(db.scalars(select(BillingEvent).order_by(BillingEvent.occurred_at)))


def _subscribed(stripe: Stripe, user_id: uuid.UUID, customer: str = "cus_A") -> None:
    assert stripe.deliver(
        event("checkout.session.completed", checkout(str(user_id), customer), created=at(0))
    )
    assert stripe.deliver(
        event("customer.subscription.created", subscription(customer), created=at(1))
    )


# --- linking and plan state ------------------------------------------------------------------


def test_checkout_links_the_customer_and_the_subscription_sets_the_plan(stripe: Stripe) -> None:
    user_id = make_user()

    _subscribed(stripe, user_id)

    user = user_row(user_id)
    assert user.billing_customer_id == "cus_A"
    assert user.billing_subscription_id == "sub_A"
    assert _plan(user_id) == (SubscriptionTier.pro, SubscriptionStatus.active)
    assert user.plan_changed_at == at(1)


def test_the_event_record_keeps_no_personal_data(stripe: Stripe) -> None:
    _subscribed(stripe, make_user())
    stripe.deliver(event("invoice.paid", invoice(), created=at(2)))

    stored = json.dumps([e.data for e in _events()] + [e.detail for e in _events()])
    assert "private.person" not in stored
    assert "Private Person" not in stored


@pytest.mark.parametrize(
    ("stripe_status", "expected"),
    [
        ("trialing", SubscriptionStatus.active),
        ("past_due", SubscriptionStatus.active),
        ("canceled", SubscriptionStatus.cancelled),
        ("unpaid", SubscriptionStatus.expired),
        ("incomplete_expired", SubscriptionStatus.expired),
        ("paused", SubscriptionStatus.expired),
    ],
)
def test_stripe_statuses_map_to_soash_statuses(
    stripe: Stripe, stripe_status: str, expected: SubscriptionStatus
) -> None:
    user_id = make_user()
    _subscribed(stripe, user_id)

    stripe.deliver(
        event("customer.subscription.updated", subscription(status=stripe_status), created=at(5))
    )

    assert _plan(user_id) == (SubscriptionTier.pro, expected)


def test_incomplete_waits_for_the_first_payment(stripe: Stripe) -> None:
    user_id = make_user()
    stripe.deliver(event("checkout.session.completed", checkout(str(user_id)), created=at(0)))

    outcome = stripe.deliver(
        event("customer.subscription.created", subscription(status="incomplete"), created=at(1))
    )

    assert outcome == "ignored"
    assert _plan(user_id) == (SubscriptionTier.free, SubscriptionStatus.active)


def test_the_tier_comes_from_the_price(
    stripe: Stripe, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setattr(settings.billing, "stripe_price_tiers", {"price_big": "enterprise"})
    user_id = make_user()
    stripe.deliver(event("checkout.session.completed", checkout(str(user_id)), created=at(0)))

    unknown = stripe.send(
        event(
            "customer.subscription.created",
            subscription(lookup_key=None, price_id="price_x"),
            created=at(1),
        )
    )
    assert unknown.json()["outcome"] == "ignored"
    assert "STRIPE_PRICE_TIERS" in unknown.json()["detail"]
    assert _plan(user_id)[0] is SubscriptionTier.free

    stripe.deliver(
        event(
            "customer.subscription.updated",
            subscription(lookup_key=None, price_id="price_big"),
            created=at(2),
        )
    )
    assert _plan(user_id)[0] is SubscriptionTier.enterprise


def test_plan_and_limits_follow_the_subscription(stripe: Stripe, api: object) -> None:
    from tests.helpers import Api

    assert isinstance(api, Api)
    user = api.user()
    stripe.deliver(event("checkout.session.completed", checkout(user.id), created=at(0)))
    stripe.deliver(event("customer.subscription.created", subscription(), created=at(1)))

    plan = api.client.get("/api/v1/billing/plan", headers=user.headers).json()
    assert plan == {
        "tier": "pro",
        "status": "active",
        "provider": "stripe",
        "paying": True,
        "limits": {"social_accounts": 10, "history_days": 730, "insight_runs_per_day": 12},
    }

    stripe.deliver(
        event("customer.subscription.deleted", subscription(status="canceled"), created=at(2))
    )
    plan = api.client.get("/api/v1/billing/plan", headers=user.headers).json()
    assert (plan["tier"], plan["status"], plan["paying"]) == ("pro", "cancelled", False)
    assert plan["limits"]["social_accounts"] == 3  # back to the free limits


# --- duplicates ------------------------------------------------------------------------------


def test_a_redelivered_event_is_applied_once(stripe: Stripe) -> None:
    referral = make_referral()
    stripe.deliver(
        event("checkout.session.completed", checkout(str(referral.referee_id)), created=at(0))
    )
    paid = event("invoice.paid", invoice(amount_paid=2900), created=at(1))

    assert stripe.deliver(paid) == "applied"
    first = signup_row(referral.signup_id)
    assert stripe.deliver(paid) == "duplicate"
    assert stripe.deliver(paid) == "duplicate"

    again = signup_row(referral.signup_id)
    assert again.commission_amount == first.commission_amount == Decimal("5.80")
    assert again.updated_at == first.updated_at
    assert count_rows("billing_events") == 2


def test_a_redelivered_older_state_does_not_undo_a_newer_one(stripe: Stripe) -> None:
    user_id = make_user()
    _subscribed(stripe, user_id)
    cancel = event("customer.subscription.updated", subscription(status="canceled"), created=at(10))
    reactivate = event(
        "customer.subscription.updated", subscription(status="active"), created=at(20)
    )

    stripe.deliver(cancel)
    stripe.deliver(reactivate)
    assert stripe.deliver(cancel) == "duplicate"

    assert _plan(user_id) == (SubscriptionTier.pro, SubscriptionStatus.active)


# --- out of order ----------------------------------------------------------------------------


def test_an_older_event_never_overwrites_newer_state(stripe: Stripe) -> None:
    user_id = make_user()
    _subscribed(stripe, user_id)

    stripe.deliver(
        event("customer.subscription.deleted", subscription(status="canceled"), created=at(30))
    )
    late = stripe.send(
        event("customer.subscription.updated", subscription(status="active"), created=at(20))
    )

    assert late.json()["outcome"] == "ignored"
    assert "older" in late.json()["detail"]
    assert _plan(user_id) == (SubscriptionTier.pro, SubscriptionStatus.cancelled)


def test_a_same_second_update_does_not_revive_a_deleted_subscription(stripe: Stripe) -> None:
    user_id = make_user()
    _subscribed(stripe, user_id)

    stripe.deliver(
        event("customer.subscription.deleted", subscription(status="canceled"), created=at(30))
    )
    outcome = stripe.deliver(
        event("customer.subscription.updated", subscription(status="active"), created=at(30))
    )

    assert outcome == "ignored"
    assert _plan(user_id)[1] is SubscriptionStatus.cancelled


def test_events_before_the_checkout_wait_and_apply_in_stripes_order(stripe: Stripe) -> None:
    referral = make_referral()
    updated = event("customer.subscription.updated", subscription(status="active"), created=at(3))
    created = event(
        "customer.subscription.created", subscription(status="incomplete"), created=at(1)
    )
    paid = event("invoice.paid", invoice(amount_paid=4900), created=at(2))

    # Delivered newest first, all before Stripe's checkout.session.completed.
    assert [stripe.deliver(e) for e in (updated, paid, created)] == ["deferred"] * 3
    assert _plan(referral.referee_id) == (SubscriptionTier.free, SubscriptionStatus.active)
    assert (
        stripe.deliver(
            event("checkout.session.completed", checkout(str(referral.referee_id)), created=at(0))
        )
        == "applied"
    )

    assert _plan(referral.referee_id) == (SubscriptionTier.pro, SubscriptionStatus.active)
    signup = signup_row(referral.signup_id)
    assert signup.conversion_status is ConversionStatus.converted
    assert signup.commission_amount == Decimal("9.80")
    assert [e.outcome for e in _events()] == [
        EventOutcome.applied,
        EventOutcome.ignored,  # incomplete
        EventOutcome.applied,
        EventOutcome.applied,
    ]


def test_subscription_metadata_links_without_a_checkout(stripe: Stripe) -> None:
    user_id = make_user()
    meta = {"soash_user_id": str(user_id)}

    stripe.deliver(
        event("customer.subscription.created", subscription("cus_M", metadata=meta), created=at(1))
    )

    assert user_row(user_id).billing_customer_id == "cus_M"
    assert _plan(user_id) == (SubscriptionTier.pro, SubscriptionStatus.active)


def test_an_event_for_an_unknown_customer_waits(stripe: Stripe) -> None:
    assert stripe.deliver(event("invoice.paid", invoice("cus_nobody"), created=at(1))) == "deferred"
    assert (
        stripe.deliver(
            event("checkout.session.completed", checkout(None, "cus_nobody"), created=at(2))
        )
        == "deferred"
    )
    assert (
        stripe.deliver(
            event("checkout.session.completed", checkout(str(uuid.uuid4()), "cus_x"), created=at(3))
        )
        == "deferred"
    )


def test_a_customer_is_never_moved_to_another_user(stripe: Stripe) -> None:
    alice, mallory = make_user(), make_user()
    stripe.deliver(
        event("checkout.session.completed", checkout(str(alice), "cus_A"), created=at(0))
    )

    stripe.deliver(
        event("checkout.session.completed", checkout(str(mallory), "cus_A"), created=at(1))
    )

    assert user_row(alice).billing_customer_id == "cus_A"
    assert user_row(mallory).billing_customer_id is None


def test_the_end_of_an_old_subscription_does_not_cancel_the_new_one(stripe: Stripe) -> None:
    user_id = make_user()
    _subscribed(stripe, user_id)
    stripe.deliver(
        event(
            "customer.subscription.created",
            subscription(id="sub_B", lookup_key="enterprise"),
            created=at(10),
        )
    )

    outcome = stripe.deliver(
        event(
            "customer.subscription.deleted",
            subscription(id="sub_A", status="canceled"),
            created=at(20),
        )
    )

    assert outcome == "ignored"
    assert _plan(user_id) == (SubscriptionTier.enterprise, SubscriptionStatus.active)
    assert user_row(user_id).billing_subscription_id == "sub_B"


def test_unknown_event_types_are_acknowledged_and_ignored(stripe: Stripe) -> None:
    response = stripe.send(
        event("customer.created", {"id": "cus_A", "object": "customer"}, created=at(0))
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"


def test_a_malformed_object_is_acknowledged_and_recorded(stripe: Stripe) -> None:
    bad = invoice()
    del bad["amount_paid"]
    response = stripe.send(event("invoice.paid", bad, created=at(0)))
    assert response.status_code == 200
    assert "amount_paid" in response.json()["detail"]
    assert [e.outcome for e in _events()] == [EventOutcome.ignored]


# --- referral conversion, refunds and cancellations ------------------------------------------


def _referred_and_paid(stripe: Stripe, amount: int = 2900) -> uuid.UUID:
    referral = make_referral()
    stripe.deliver(
        event("checkout.session.completed", checkout(str(referral.referee_id)), created=at(0))
    )
    stripe.deliver(event("customer.subscription.created", subscription(), created=at(1)))
    stripe.deliver(event("invoice.paid", invoice(amount_paid=amount), created=at(2)))
    return referral.signup_id


def test_the_first_invoice_paid_converts_the_referral(stripe: Stripe) -> None:
    signup_id = _referred_and_paid(stripe, 2999)

    signup = signup_row(signup_id)
    assert signup.conversion_status is ConversionStatus.converted
    assert (signup.payment_amount, signup.commission_amount, signup.currency) == (
        Decimal("29.99"),
        Decimal("6.00"),
        "USD",
    )
    assert signup.converted_at == at(2)
    assert signup.payment_reference is not None and signup.payment_reference.startswith("in_")

    stripe.deliver(event("invoice.paid", invoice(amount_paid=29999), created=at(days=31)))
    assert signup_row(signup_id).commission_amount == Decimal("6.00")


def test_a_free_invoice_converts_nothing(stripe: Stripe) -> None:
    referral = make_referral()
    stripe.deliver(
        event("checkout.session.completed", checkout(str(referral.referee_id)), created=at(0))
    )

    assert stripe.deliver(event("invoice.paid", invoice(amount_paid=0), created=at(1))) == "ignored"

    assert signup_row(referral.signup_id).conversion_status is ConversionStatus.pending


@pytest.mark.parametrize(
    ("refund_after", "status"),
    [
        (timedelta(days=30), ConversionStatus.reversed),
        (timedelta(days=30, seconds=1), ConversionStatus.converted),
        (timedelta(days=3), ConversionStatus.reversed),
    ],
)
def test_a_full_refund_inside_the_window_reverses(
    stripe: Stripe, refund_after: timedelta, status: ConversionStatus
) -> None:
    signup_id = _referred_and_paid(stripe)

    stripe.deliver(event("charge.refunded", charge(), created=at(2) + refund_after))

    signup = signup_row(signup_id)
    assert signup.conversion_status is status
    if status is ConversionStatus.reversed:
        assert signup.reversal_reason == "refund"


def test_a_partial_refund_keeps_the_commission(stripe: Stripe) -> None:
    signup_id = _referred_and_paid(stripe)

    assert (
        stripe.deliver(event("charge.refunded", charge(refunded_amount=500), created=at(3)))
        == "ignored"
    )

    assert signup_row(signup_id).conversion_status is ConversionStatus.converted


def test_a_refund_delivered_before_its_payment_still_reverses(stripe: Stripe) -> None:
    referral = make_referral()
    stripe.deliver(
        event("checkout.session.completed", checkout(str(referral.referee_id)), created=at(0))
    )

    stripe.deliver(event("charge.refunded", charge(), created=at(5)))
    stripe.deliver(event("invoice.paid", invoice(), created=at(2)))

    assert signup_row(referral.signup_id).conversion_status is ConversionStatus.reversed


@pytest.mark.parametrize(
    ("cancel_after", "status"),
    [
        (timedelta(days=10), ConversionStatus.reversed),
        (timedelta(days=45), ConversionStatus.converted),
    ],
)
def test_a_cancellation_inside_the_window_reverses(
    stripe: Stripe, cancel_after: timedelta, status: ConversionStatus
) -> None:
    signup_id = _referred_and_paid(stripe)

    stripe.deliver(
        event(
            "customer.subscription.deleted",
            subscription(status="canceled"),
            created=at(2) + cancel_after,
        )
    )

    signup = signup_row(signup_id)
    assert signup.conversion_status is status
    if status is ConversionStatus.reversed:
        assert signup.reversal_reason == "cancellation"


def test_a_cancellation_delivered_before_the_payment_still_reverses(stripe: Stripe) -> None:
    referral = make_referral()
    stripe.deliver(
        event("checkout.session.completed", checkout(str(referral.referee_id)), created=at(0))
    )
    stripe.deliver(event("customer.subscription.created", subscription(), created=at(1)))

    stripe.deliver(
        event("customer.subscription.deleted", subscription(status="canceled"), created=at(days=5))
    )
    stripe.deliver(event("invoice.paid", invoice(), created=at(2)))

    signup = signup_row(referral.signup_id)
    assert signup.conversion_status is ConversionStatus.reversed
    assert signup.commission_amount == Decimal("5.80")  # what it would have earned, for the record


def test_the_same_event_delivered_twice_at_once_is_applied_once(
    stripe: Stripe, settings: Settings
) -> None:
    referral = make_referral()
    stripe.deliver(
        event("checkout.session.completed", checkout(str(referral.referee_id)), created=at(0))
    )
    body = json.dumps(event("invoice.paid", invoice(), created=at(1))).encode()
    signature = stripe_signature(body)
    barrier = threading.Barrier(2)

    def deliver() -> str:
        barrier.wait()
        try:
            with session_scope() as db:
                return handle_webhook(
                    db, body=body, signature=signature, settings=settings.billing, now=time.time()
                ).outcome
        except OperationalError:  # SQLite: "database is locked"; Stripe retries a 500
            return "retry"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(lambda _: deliver(), range(2)))

    assert outcomes[0] == "applied"
    assert outcomes[1] in {"duplicate", "retry"}
    assert count_rows("billing_events") == 2
    assert signup_row(referral.signup_id).commission_amount == Decimal("5.80")
