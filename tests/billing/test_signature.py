"""The webhook accepts only bodies signed with the endpoint secret, recently; anything else is a
400 problem and changes nothing."""

from __future__ import annotations

import json
import time

import pytest
from pydantic import SecretStr, ValidationError

from soash.billing.stripe import compute_signature, verify_signature
from soash.config import BillingSettings
from soash.db import utcnow
from soash.errors import BadRequest
from tests.billing.conftest import SECRET, WEBHOOK, Stripe, event, invoice, stripe_signature
from tests.users.conftest import assert_problem, count_rows

BODY = json.dumps(event("invoice.paid", invoice(), created=utcnow())).encode()


def test_a_correctly_signed_event_is_accepted(stripe: Stripe) -> None:
    response = stripe.post(BODY, stripe_signature(BODY))

    assert response.status_code == 200, response.text
    assert response.json()["event_type"] == "invoice.paid"
    assert count_rows("billing_events") == 1


def test_our_signature_matches_stripes_scheme() -> None:
    # The test helper computes HMAC-SHA256 over "<t>.<body>" on its own; the two must agree.
    header = stripe_signature(b"payload", secret="whsec_abc", timestamp=1700000000)
    assert header == "t=1700000000,v1=" + compute_signature("whsec_abc", 1700000000, b"payload")


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        (None, "Missing the Stripe-Signature header"),
        ("", "Missing the Stripe-Signature header"),
        ("garbage", "no valid timestamp"),
        ("t=abc,v1=00", "no valid timestamp"),
        ("t=1,t=2,v1=00", "no valid timestamp"),
        ("t={now}", "no v1 signature"),
        ("t={now},v0=abc", "no v1 signature"),
        ("t={now},v1=deadbeef", "does not match"),
        ("t={now},v1=ünïcödé", "does not match"),
    ],
)
def test_a_missing_or_malformed_signature_is_refused(
    stripe: Stripe, signature: str | None, message: str
) -> None:
    header = signature.format(now=int(time.time())).encode("latin-1") if signature else signature
    body = assert_problem(stripe.post(BODY, header), 400)
    assert message in body["detail"]
    assert count_rows("billing_events") == 0


def test_a_signature_made_with_another_secret_is_refused(stripe: Stripe) -> None:
    signed = stripe_signature(BODY, secret="whsec_someone_else")
    assert "does not match" in assert_problem(stripe.post(BODY, signed), 400)["detail"]
    assert count_rows("billing_events") == 0


def test_a_tampered_body_is_refused(stripe: Stripe) -> None:
    signature = stripe_signature(BODY)
    tampered = BODY.replace(b"2900", b"9900")
    assert_problem(stripe.post(tampered, signature), 400)
    assert count_rows("billing_events") == 0


@pytest.mark.parametrize(
    ("age", "accepted"), [(240, True), (360, False), (-400, False), (86400, False)]
)
def test_the_timestamp_must_be_within_300_seconds(stripe: Stripe, age: int, accepted: bool) -> None:
    response = stripe.post(BODY, stripe_signature(BODY, timestamp=int(time.time()) - age))

    if accepted:
        assert response.status_code == 200, response.text
    else:
        assert "300 seconds" in assert_problem(response, 400)["detail"]
        assert count_rows("billing_events") == 0


def test_any_matching_v1_is_enough_during_secret_rotation(stripe: Stripe) -> None:
    good = stripe_signature(BODY)
    t, v1 = good.split(",")
    rotated = f"{t},v1={'0' * 64},{v1},v0=ignored"
    assert stripe.post(BODY, rotated).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"id": "evt_1"}',
        json.dumps({"id": 1, "type": "x", "created": 1}).encode(),
    ],
)
def test_a_signed_body_that_is_not_a_stripe_event_is_refused(stripe: Stripe, body: bytes) -> None:
    assert_problem(stripe.post(body, stripe_signature(body)), 400)
    assert count_rows("billing_events") == 0


def test_the_webhook_is_off_with_manual_billing(client: object) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    response = client.post(
        WEBHOOK, content=BODY, headers={"Stripe-Signature": stripe_signature(BODY)}
    )
    assert "manual" in assert_problem(response, 404)["detail"]


def test_stripe_billing_needs_a_webhook_secret() -> None:
    with pytest.raises(ValidationError, match="STRIPE_WEBHOOK_SECRET"):
        BillingSettings(provider="stripe")
    with pytest.raises(ValidationError, match="STRIPE_WEBHOOK_SECRET"):
        BillingSettings(provider="stripe", stripe_webhook_secret=SecretStr(""))
    assert BillingSettings(provider="stripe", stripe_webhook_secret=SecretStr("whsec_x"))


@pytest.mark.parametrize(
    ("skew", "accepted"), [(300, True), (301, False), (-300, True), (-301, False)]
)
def test_the_300_second_boundary_exactly(skew: int, accepted: bool) -> None:
    """With a fixed clock: exactly 300 s either way is accepted, one second more is not."""
    now = 1_800_000_000
    header = stripe_signature(BODY, timestamp=now - skew)
    if accepted:
        verify_signature(BODY, header, secret=SECRET, tolerance=300, now=float(now))
    else:
        with pytest.raises(BadRequest, match="300 seconds"):
            verify_signature(BODY, header, secret=SECRET, tolerance=300, now=float(now))
