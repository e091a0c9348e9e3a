"""Commission arithmetic in exact decimals, conversion on the first payment, reversal in window."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from soash import money
from soash.config import Settings
from soash.db import session_scope
from soash.referrals import service
from soash.referrals.models import ConversionStatus
from soash.users.models import User
from tests.helpers import Api
from tests.referrals.factories import make_referral, signup_row

PAID_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _convert(referee_id: object, amount: str, currency: str = "USD") -> None:
    with session_scope() as db:
        referee = db.get_one(User, referee_id)
        service.convert(db, referee=referee, amount=Decimal(amount), currency=currency, at=PAID_AT)


@pytest.mark.parametrize(
    ("rate", "amount", "currency", "commission"),
    [
        ("0.20", "29.00", "USD", "5.80"),
        ("0.20", "29.99", "USD", "6.00"),  # 5.998
        ("0.25", "0.10", "USD", "0.03"),  # 0.025: half up, not half even (0.02)
        ("0.20", "0.01", "EUR", "0.00"),  # 0.002
        ("0.15", "19.90", "EUR", "2.99"),  # 2.985: a float would give 2.98
        ("0.20", "99999999.99", "USD", "20000000.00"),
        ("0.20", "1234", "JPY", "247"),  # yen have no minor unit: 246.8 → 247
        ("1", "10.10", "GBP", "10.10"),
        ("0", "10.10", "GBP", "0.00"),
    ],
)
def test_commission_is_rate_times_payment_rounded_half_up(
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    rate: str,
    amount: str,
    currency: str,
    commission: str,
) -> None:
    monkeypatch.setattr(settings.billing, "commission_rate", Decimal(rate))
    referral = make_referral()

    _convert(referral.referee_id, amount, currency.lower())

    signup = signup_row(referral.signup_id)
    assert signup.conversion_status is ConversionStatus.converted
    assert signup.commission_amount == Decimal(commission)
    assert str(money.round_money(signup.commission_amount, currency)) == commission
    assert signup.currency == currency
    assert signup.payment_amount == Decimal(amount)
    assert signup.converted_at == PAID_AT


def test_float_arithmetic_would_have_been_wrong() -> None:
    # The reason for Decimal: 19.90 * 0.15 is 2.9849999... in binary floating point.
    assert round(19.90 * 0.15, 2) == 2.98
    assert money.percent_of(Decimal("19.90"), Decimal("0.15"), "EUR") == Decimal("2.99")


@pytest.mark.parametrize(
    ("minor", "currency", "amount"),
    [(2999, "usd", "29.99"), (5, "eur", "0.05"), (1234, "jpy", "1234"), (0, "usd", "0.00")],
)
def test_stripe_minor_units(minor: int, currency: str, amount: str) -> None:
    assert str(money.from_minor_units(minor, currency)) == amount


def test_only_the_first_payment_converts() -> None:
    referral = make_referral()
    _convert(referral.referee_id, "29.00")
    _convert(referral.referee_id, "290.00")

    signup = signup_row(referral.signup_id)
    assert signup.commission_amount == Decimal("5.80")
    assert signup.payment_amount == Decimal("29.00")


def test_nothing_paid_converts_nothing() -> None:
    referral = make_referral()
    _convert(referral.referee_id, "0.00")
    assert signup_row(referral.signup_id).conversion_status is ConversionStatus.pending


def test_a_bad_currency_is_refused() -> None:
    referral = make_referral()
    with pytest.raises(ValueError, match="three letters"):
        _convert(referral.referee_id, "10.00", "dollars")
    assert signup_row(referral.signup_id).conversion_status is ConversionStatus.pending


def _reverse(referee_id: object, at: datetime, *, before_payment: bool = False) -> None:
    with session_scope() as db:
        referee = db.get_one(User, referee_id)
        service.reverse(db, referee=referee, at=at, reason="refund", before_payment=before_payment)


@pytest.mark.parametrize(
    ("after", "status"),
    [
        (timedelta(days=30), ConversionStatus.reversed),  # exactly at the window: still inside
        (timedelta(days=30, seconds=1), ConversionStatus.converted),
        (timedelta(days=31), ConversionStatus.converted),
        (timedelta(0), ConversionStatus.reversed),
    ],
)
def test_reversal_only_inside_the_refund_window(after: timedelta, status: ConversionStatus) -> None:
    referral = make_referral()
    _convert(referral.referee_id, "29.00")

    _reverse(referral.referee_id, PAID_AT + after)

    signup = signup_row(referral.signup_id)
    assert signup.conversion_status is status
    assert (signup.reversed_at is not None) is (status is ConversionStatus.reversed)


def test_the_window_is_a_setting(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setattr(settings.billing, "refund_window_days", 7)
    referral = make_referral()
    _convert(referral.referee_id, "29.00")

    _reverse(referral.referee_id, PAID_AT + timedelta(days=8))

    assert signup_row(referral.signup_id).conversion_status is ConversionStatus.converted


@pytest.mark.parametrize("final", [ConversionStatus.paid, ConversionStatus.reversed])
def test_paid_and_reversed_are_final(final: ConversionStatus) -> None:
    referral = make_referral(
        status=final, commission=Decimal("5.80"), currency="USD", converted_at=PAID_AT
    )

    _convert(referral.referee_id, "99.00")
    _reverse(referral.referee_id, PAID_AT)

    signup = signup_row(referral.signup_id)
    assert signup.conversion_status is final
    assert signup.commission_amount == Decimal("5.80")


def test_a_refund_seen_before_its_payment_closes_the_pending_signup() -> None:
    referral = make_referral()

    _reverse(referral.referee_id, PAID_AT, before_payment=True)
    _convert(referral.referee_id, "29.00")

    signup = signup_row(referral.signup_id)
    assert signup.conversion_status is ConversionStatus.reversed
    assert signup.commission_amount is None


def test_a_cancellation_does_not_close_a_pending_signup() -> None:
    referral = make_referral()
    _reverse(referral.referee_id, PAID_AT)  # e.g. a trial cancelled before any payment
    assert signup_row(referral.signup_id).conversion_status is ConversionStatus.pending


def test_totals_by_status_and_currency(api: Api) -> None:
    user = api.user()
    for status, commission, currency in (
        (ConversionStatus.converted, "5.80", "USD"),
        (ConversionStatus.converted, "5.80", "USD"),
        (ConversionStatus.paid, "2.99", "EUR"),
        (ConversionStatus.paid, "247", "JPY"),
        (ConversionStatus.pending, None, None),
    ):
        make_referral(
            referrer_id=uuid.UUID(user.id),
            status=status,
            commission=Decimal(commission) if commission else None,
            currency=currency,
            converted_at=PAID_AT if commission else None,
        )

    body = api.client.get("/api/v1/referrals", headers=user.headers).json()

    assert body["totals"]["converted"] == {"count": 2, "commission": {"USD": "11.60"}}
    assert body["totals"]["paid"] == {"count": 2, "commission": {"EUR": "2.99", "JPY": "247"}}
    assert body["totals"]["pending"] == {"count": 1, "commission": {}}
    assert body["totals"]["reversed"] == {"count": 0, "commission": {}}
    assert body["commission_rate"] == "0.20"
    assert body["refund_window_days"] == 30
    amounts = sorted(s["commission_amount"] or "-" for s in body["signups"])
    assert amounts == ["-", "2.99", "247", "5.80", "5.80"]
