"""Stripe webhooks: signature verification and the events Soash acts on. No Stripe SDK and no
network: the webhook contract is small and documented.

Signature (https://docs.stripe.com/webhooks#verify-manually): the ``Stripe-Signature`` header is
``t=<unix time>,v1=<hex>[,v1=<hex>…]``; each ``v1`` is HMAC-SHA256, keyed with the endpoint's
signing secret, of ``"<t>.<raw body>"``. One ``v1`` must match (compared in constant time) and
``t`` must be within the tolerance (300 s) of now, which stops replays of old deliveries.

Linking customers to users: create Checkout Sessions with ``client_reference_id`` set to the
Soash user id (and, ideally, ``subscription_data.metadata.soash_user_id`` too).
``checkout.session.completed`` then records the Stripe customer on the user. Events for a
customer Soash cannot link yet are kept and applied once the link arrives.

Ordering: Stripe does not deliver events in order. Plan state is applied only when the event
is at least as new (by its ``created`` time) as the state already applied; each event id is
applied once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soash import money
from soash.billing import service
from soash.billing.models import BillingEvent, EventOutcome
from soash.config import BillingSettings
from soash.errors import BadRequest
from soash.users.models import SubscriptionStatus, SubscriptionTier, User

log = logging.getLogger(__name__)

PROVIDER = "stripe"
SCHEME = "v1"

# Stripe subscription status → Soash status. ``incomplete`` (first payment pending) is ignored.
STATUSES: dict[str, SubscriptionStatus] = {
    "active": SubscriptionStatus.active,
    "trialing": SubscriptionStatus.active,
    "past_due": SubscriptionStatus.active,  # Stripe is still retrying the payment
    "canceled": SubscriptionStatus.cancelled,
    "unpaid": SubscriptionStatus.expired,
    "incomplete_expired": SubscriptionStatus.expired,
    "paused": SubscriptionStatus.expired,
}
PAID_TIER_NAMES = {SubscriptionTier.pro.value, SubscriptionTier.enterprise.value}


# --- signature -------------------------------------------------------------------------------


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    signed_payload = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed_payload, hashlib.sha256).hexdigest()


def verify_signature(
    body: bytes, header: str | None, *, secret: str, tolerance: int, now: float
) -> int:
    """Check a ``Stripe-Signature`` header the way Stripe's libraries do; return its time."""
    if not header:
        raise BadRequest(
            "Missing the Stripe-Signature header: this endpoint only takes events signed by Stripe."
        )
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            timestamps.append(value)
        elif key == SCHEME:
            signatures.append(value)
    if len(timestamps) != 1 or not timestamps[0].isdigit():
        raise BadRequest("The Stripe-Signature header has no valid timestamp (t=...).")
    if not signatures:
        raise BadRequest(f"The Stripe-Signature header has no {SCHEME} signature.")
    timestamp = int(timestamps[0])
    expected = compute_signature(secret, timestamp, body).encode()
    if not any(hmac.compare_digest(expected, s.encode()) for s in signatures):
        raise BadRequest(
            "The Stripe signature does not match this payload. Check that "
            "SOASH_BILLING_STRIPE_WEBHOOK_SECRET is this endpoint's signing secret."
        )
    if abs(now - timestamp) > tolerance:
        raise BadRequest(
            f"The Stripe signature's timestamp is more than {tolerance} seconds from now: a "
            "replayed event, or this server's clock is wrong."
        )
    return timestamp


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StripeEvent:
    id: str
    type: str
    created: datetime
    object: dict[str, Any]


def parse_event(body: bytes) -> StripeEvent:
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The event is not valid JSON.") from None
    obj = event.get("data", {}).get("object") if isinstance(event, dict) else None
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("id"), str)
        or not isinstance(event.get("type"), str)
        or not isinstance(event.get("created"), int)
        or not isinstance(obj, dict)
    ):
        raise BadRequest("The body is not a Stripe event (id, type, created, data.object).")
    return StripeEvent(
        id=event["id"],
        type=event["type"],
        created=datetime.fromtimestamp(event["created"], UTC),
        object=obj,
    )


def _id(value: Any) -> str | None:
    """A Stripe reference: an id string, or an expanded object with an ``id``."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _metadata_user(obj: dict[str, Any]) -> str | None:
    """``metadata.soash_user_id`` on the object or its subscription (invoices carry it there)."""
    parent = obj.get("parent")
    nested = parent.get("subscription_details") if isinstance(parent, dict) else None
    for holder in (obj, obj.get("subscription_details"), nested):
        meta = holder.get("metadata") if isinstance(holder, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get("soash_user_id"), str):
            return str(meta["soash_user_id"])
    return None


def _tier(subscription: dict[str, Any], price_tiers: dict[str, str]) -> str | None:
    items = subscription.get("items")
    data = items.get("data") if isinstance(items, dict) else None
    for item in data if isinstance(data, list) else []:
        price = item.get("price") if isinstance(item, dict) else None
        if not isinstance(price, dict):
            continue
        meta = price.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        for candidate in (
            price_tiers.get(str(price.get("id"))),
            meta.get("soash_tier"),
            price.get("lookup_key"),
        ):
            if candidate in PAID_TIER_NAMES:
                return str(candidate)
    return None


def _int(obj: dict[str, Any], key: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{key} is missing or not an integer")
    return value


def _currency(obj: dict[str, Any]) -> str:
    value = obj.get("currency")
    if not isinstance(value, str):
        raise ValueError("currency is missing")
    return money.currency_code(value)


def facts(event: StripeEvent, settings: BillingSettings) -> dict[str, Any]:
    """The few fields Soash acts on, JSON-safe; raises ValueError for a malformed object."""
    obj = event.object
    found: dict[str, Any] = {"customer": _id(obj.get("customer")), "user_ref": _metadata_user(obj)}
    if event.type == "checkout.session.completed":
        found["user_ref"] = obj.get("client_reference_id") or found["user_ref"]
        found["subscription"] = _id(obj.get("subscription"))
    elif event.type.startswith("customer.subscription."):
        found["subscription"] = _id(obj)
        found["status"] = "canceled" if event.type.endswith(".deleted") else obj.get("status")
        found["tier"] = _tier(obj, settings.stripe_price_tiers)
        if not found["subscription"] or not isinstance(found["status"], str):
            raise ValueError("subscription id or status is missing")
    elif event.type == "invoice.paid":
        found["invoice"] = _id(obj)
        found["amount_paid"] = _int(obj, "amount_paid")
        found["currency"] = _currency(obj)
    elif event.type == "charge.refunded":
        found["charge"] = _id(obj)
        found["refunded"] = obj.get("refunded") is True
        found["amount_refunded"] = _int(obj, "amount_refunded")
        found["currency"] = _currency(obj)
    return found


# --- applying events -------------------------------------------------------------------------

Outcome = tuple[EventOutcome, str]
Handler = Callable[[Session, User, dict[str, Any], datetime], Outcome]


def _checkout_completed(db: Session, user: User, f: dict[str, Any], at: datetime) -> Outcome:
    subscription = f.get("subscription")
    if subscription and (user.plan_changed_at is None or at >= user.plan_changed_at):
        user.billing_subscription_id = subscription
    return EventOutcome.applied, "checkout completed: Stripe customer linked to the user"


def _subscription_changed(db: Session, user: User, f: dict[str, Any], at: datetime) -> Outcome:
    stripe_status: str = f["status"]
    status = STATUSES.get(stripe_status)
    if status is None:
        return EventOutcome.ignored, f"subscription status '{stripe_status}' changes nothing yet"
    subscription = f["subscription"]
    current = user.billing_subscription_id
    if current and subscription != current and status is not SubscriptionStatus.active:
        return EventOutcome.ignored, "not the user's current subscription"
    if status is SubscriptionStatus.active:
        if f.get("tier") is None:
            return EventOutcome.ignored, (
                "the subscription's price maps to no tier: set SOASH_BILLING_STRIPE_PRICE_TIERS "
                "or the price's metadata.soash_tier"
            )
        tier = SubscriptionTier(f["tier"])
        same_second_revival = (
            at == user.plan_changed_at
            and subscription == current
            and user.subscription_status is not SubscriptionStatus.active
        )
        if same_second_revival:
            return EventOutcome.ignored, "an ended subscription is not revived by an older event"
    else:
        tier = user.subscription_tier
    if service.apply_plan(db, user, tier=tier, status=status, at=at) is None:
        return EventOutcome.ignored, "older than the subscription state already applied"
    user.billing_subscription_id = subscription
    return EventOutcome.applied, f"plan is now {tier.value} ({status.value})"


def _invoice_paid(db: Session, user: User, f: dict[str, Any], at: datetime) -> Outcome:
    amount = money.from_minor_units(f["amount_paid"], f["currency"])
    if amount <= 0:
        return EventOutcome.ignored, "nothing was paid (a trial or fully discounted invoice)"
    signup = service.record_payment(
        db, user, amount=amount, currency=f["currency"], at=at, reference=f.get("invoice")
    )
    if signup is None:
        return EventOutcome.applied, "payment recorded; no pending referral to convert"
    return EventOutcome.applied, f"first payment: the referral is {signup.conversion_status}"


def _charge_refunded(db: Session, user: User, f: dict[str, Any], at: datetime) -> Outcome:
    if not f["refunded"]:
        return EventOutcome.ignored, "partial refund: the referral commission stands"
    signup = service.record_refund(db, user, at=at, full=True)
    if signup is None:
        return EventOutcome.applied, "refund recorded; no referral commission to reverse"
    return EventOutcome.applied, "refund: referral commission reversed"


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": _checkout_completed,
    "customer.subscription.created": _subscription_changed,
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.deleted": _subscription_changed,
    "invoice.paid": _invoice_paid,
    "charge.refunded": _charge_refunded,
}


def _link(db: Session, user: User, customer: str) -> bool:
    """Record ``customer`` as the user's; False when another user already has it."""
    owner = db.scalar(select(User.id).where(User.billing_customer_id == customer))
    if owner is not None and owner != user.id:
        log.warning("Stripe customer is already linked to another user; not relinking")
        return False
    user.billing_customer_id = customer
    db.flush()
    return True


def _user_for(db: Session, record: BillingEvent) -> tuple[User | None, bool]:
    """The user an event is about, and whether this event just linked its customer."""
    customer = record.customer_id
    if customer:
        user = db.scalar(select(User).where(User.billing_customer_id == customer).with_for_update())
        if user is not None:
            return user, False
    try:
        user_id = uuid.UUID(str(record.data.get("user_ref")))
    except ValueError:
        return None, False
    user = db.get(User, user_id, with_for_update=True)
    if user is None or customer is None:
        return user, False
    relink = record.event_type == "checkout.session.completed"
    if user.billing_customer_id is None or (relink and user.billing_customer_id != customer):
        return (user, True) if _link(db, user, customer) else (None, False)
    return None, False  # the reference names a user linked to another customer


def _apply(db: Session, record: BillingEvent) -> None:
    handler = HANDLERS.get(record.event_type)
    if handler is None:
        record.outcome, record.detail = EventOutcome.ignored, "an event type Soash does not use"
        return
    user, linked = _user_for(db, record)
    if user is None:
        if record.customer_id:
            record.outcome = EventOutcome.deferred
            record.detail = "waiting for the checkout that links this customer to a user"
        else:
            record.outcome, record.detail = EventOutcome.ignored, "no customer or user on the event"
        return
    record.outcome, detail = handler(db, user, record.data, record.occurred_at)
    record.detail = detail[:300]
    db.flush()
    if linked and record.customer_id:
        _replay_deferred(db, record.customer_id)


def _replay_deferred(db: Session, customer: str) -> None:
    waiting = db.scalars(
        select(BillingEvent)
        .where(
            BillingEvent.provider == PROVIDER,
            BillingEvent.customer_id == customer,
            BillingEvent.outcome == EventOutcome.deferred,
        )
        .order_by(BillingEvent.occurred_at, BillingEvent.created_at)
    ).all()
    for record in waiting:
        _apply(db, record)


@dataclass(frozen=True)
class WebhookResult:
    event_id: str
    event_type: str
    outcome: str  # an EventOutcome, or "duplicate"
    detail: str


def handle_webhook(
    db: Session, *, body: bytes, signature: str | None, settings: BillingSettings, now: float
) -> WebhookResult:
    """Verify, record once, and apply one webhook delivery."""
    secret = settings.stripe_webhook_secret
    assert secret is not None  # BillingSettings refuses provider=stripe without one
    verify_signature(
        body,
        signature,
        secret=secret.get_secret_value(),
        tolerance=settings.stripe_webhook_tolerance_seconds,
        now=now,
    )
    event = parse_event(body)
    try:
        data = facts(event, settings)
        malformed = None
    except ValueError as exc:
        data, malformed = {}, f"malformed {event.type} event: {exc}"
    record = BillingEvent(
        provider=PROVIDER,
        event_id=event.id[:255],
        event_type=event.type[:100],
        occurred_at=event.created,
        customer_id=data.get("customer"),
        outcome=EventOutcome.ignored,
        detail=malformed,
        data=data,
    )
    if db.scalar(
        select(BillingEvent.id).where(
            BillingEvent.provider == PROVIDER, BillingEvent.event_id == record.event_id
        )
    ):
        return WebhookResult(event.id, event.type, "duplicate", "already processed")
    try:
        with db.begin_nested():
            db.add(record)
    except IntegrityError:  # the same event delivered twice at once: the other one has it
        return WebhookResult(event.id, event.type, "duplicate", "already processed")
    if malformed is None:
        _apply(db, record)
    db.flush()
    log.info("stripe event %s (%s): %s", event.id, event.type, record.outcome.value)
    return WebhookResult(event.id, event.type, record.outcome.value, record.detail or "")
