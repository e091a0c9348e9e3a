"""Stripe webhooks signed locally exactly the way Stripe signs them (no network, no SDK)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import SecretStr

from soash.config import Settings

WEBHOOK = "/api/v1/billing/stripe/webhook"
SECRET = "whsec_" + "test0signing0secret0for0soash0xx"


def stripe_signature(body: bytes, *, secret: str = SECRET, timestamp: int | None = None) -> str:
    """``Stripe-Signature``: ``t=<time>,v1=<HMAC-SHA256(secret, "<time>.<body>") hex>``."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), str(t).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def event(
    kind: str, obj: dict[str, Any], *, created: datetime, id: str | None = None
) -> dict[str, Any]:
    return {
        "id": id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": int(created.timestamp()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
    }


def checkout(
    user_id: str | None, customer: str = "cus_A", subscription: str = "sub_A"
) -> dict[str, Any]:
    return {
        "id": f"cs_test_{uuid.uuid4().hex[:16]}",
        "object": "checkout.session",
        "client_reference_id": user_id,
        "customer": customer,
        "customer_details": {"email": "private.person@example.com", "name": "Private Person"},
        "mode": "subscription",
        "payment_status": "paid",
        "status": "complete",
        "subscription": subscription,
        "amount_total": 2900,
        "currency": "usd",
    }


def subscription(
    customer: str = "cus_A",
    status: str = "active",
    *,
    id: str = "sub_A",
    lookup_key: str | None = "pro",
    price_id: str = "price_pro_monthly",
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "id": id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": False,
        "metadata": metadata or {},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_1",
                    "object": "subscription_item",
                    "price": {
                        "id": price_id,
                        "object": "price",
                        "lookup_key": lookup_key,
                        "metadata": {},
                        "unit_amount": 2900,
                        "currency": "usd",
                    },
                    "quantity": 1,
                }
            ],
        },
    }


def invoice(
    customer: str = "cus_A", amount_paid: int = 2900, currency: str = "usd"
) -> dict[str, Any]:
    return {
        "id": f"in_{uuid.uuid4().hex[:16]}",
        "object": "invoice",
        "customer": customer,
        "customer_email": "private.person@example.com",
        "amount_paid": amount_paid,
        "currency": currency,
        "billing_reason": "subscription_create",
        "status": "paid",
    }


def charge(
    customer: str = "cus_A", *, amount: int = 2900, refunded_amount: int = 2900
) -> dict[str, Any]:
    return {
        "id": f"ch_{uuid.uuid4().hex[:16]}",
        "object": "charge",
        "customer": customer,
        "amount": amount,
        "amount_refunded": refunded_amount,
        "refunded": refunded_amount >= amount,
        "currency": "usd",
    }


class Stripe:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def post(self, body: bytes, signature: str | bytes | None) -> Response:
        headers: dict[str, str | bytes] = {"Content-Type": "application/json"}
        if signature is not None:
            headers["Stripe-Signature"] = signature
        response: Response = self.client.post(WEBHOOK, content=body, headers=headers)
        return response

    def send(self, payload: dict[str, Any], **sign: Any) -> Response:
        body = json.dumps(payload).encode()
        return self.post(body, stripe_signature(body, **sign))

    def deliver(self, payload: dict[str, Any]) -> str:
        """Send and expect a 200; returns the outcome."""
        response = self.send(payload)
        assert response.status_code == 200, response.text
        outcome: str = response.json()["outcome"]
        return outcome


@pytest.fixture
def stripe_on(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setattr(settings.billing, "provider", "stripe")
    monkeypatch.setattr(settings.billing, "stripe_webhook_secret", SecretStr(SECRET))


@pytest.fixture
def stripe(client: TestClient, stripe_on: None) -> Stripe:
    return Stripe(client)
