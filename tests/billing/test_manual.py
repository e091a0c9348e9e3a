"""Manual billing: `soash users set-tier`, and the plan limits in one place."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from soash.cli import app
from soash.db import session_scope, utcnow
from soash.referrals.models import ConversionStatus, ReferralSignup
from soash.users import plans
from soash.users.models import SubscriptionStatus, SubscriptionTier, User
from tests.billing.conftest import Stripe
from tests.factories import make_user
from tests.referrals.factories import make_referral, signup_row, user_row

runner = CliRunner()


def _set_tier(*args: str) -> str:
    result = runner.invoke(app, ["users", "set-tier", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_set_tier_changes_the_plan() -> None:
    user_id = make_user("pat@example.com")

    output = _set_tier("Pat@Example.com", "pro")

    assert "pat@example.com is now on pro (active)" in output
    user = user_row(user_id)
    assert (user.subscription_tier, user.subscription_status) == (
        SubscriptionTier.pro,
        SubscriptionStatus.active,
    )
    assert user.plan_changed_at is not None

    _set_tier("pat@example.com", "pro", "--status", "cancelled")
    assert user_row(user_id).subscription_status is SubscriptionStatus.cancelled


def test_set_tier_with_a_payment_converts_the_referral() -> None:
    referral = make_referral(referee_email="payer@example.com")

    output = _set_tier("payer@example.com", "pro", "--paid", "29.00")

    assert "commission 5.80 USD" in output
    signup = signup_row(referral.signup_id)
    assert signup.conversion_status is ConversionStatus.converted
    assert (signup.payment_amount, signup.currency) == (Decimal("29.00"), "USD")


def test_set_tier_in_another_currency() -> None:
    referral = make_referral(referee_email="yen@example.com")
    _set_tier("yen@example.com", "enterprise", "--paid", "4980", "--currency", "jpy")
    signup = signup_row(referral.signup_id)
    assert (signup.commission_amount, signup.currency) == (Decimal("996"), "JPY")


def test_a_tier_change_without_a_payment_converts_nothing() -> None:
    referral = make_referral(referee_email="comp@example.com")
    _set_tier("comp@example.com", "pro")
    assert signup_row(referral.signup_id).conversion_status is ConversionStatus.pending


def test_a_downgrade_inside_the_window_reverses_the_commission() -> None:
    referral = make_referral(referee_email="quitter@example.com")
    _set_tier("quitter@example.com", "pro", "--paid", "29.00")

    _set_tier("quitter@example.com", "free")

    signup = signup_row(referral.signup_id)
    assert signup.conversion_status is ConversionStatus.reversed
    assert signup.reversal_reason == "cancellation"


def test_a_downgrade_after_the_window_keeps_the_commission() -> None:
    referral = make_referral(referee_email="later@example.com")
    _set_tier("later@example.com", "pro", "--paid", "29.00")
    with session_scope() as db:
        signup = db.get_one(ReferralSignup, referral.signup_id)
        signup.converted_at = utcnow() - timedelta(days=31)

    _set_tier("later@example.com", "pro", "--status", "expired")

    assert signup_row(referral.signup_id).conversion_status is ConversionStatus.converted


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@example.com", "pro"], "no user with the email"),
        (["known@example.com", "pro", "--paid", "lots"], "not an amount"),
        (["known@example.com", "pro", "--paid", "-5"], "more than zero"),
        (["known@example.com", "pro", "--paid", "5", "--currency", "dollars"], "three letters"),
    ],
)
def test_set_tier_explains_bad_input(args: list[str], message: str) -> None:
    user_id = make_user("known@example.com")
    result = runner.invoke(app, ["users", "set-tier", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert user_row(user_id).subscription_tier is SubscriptionTier.free


def test_set_tier_refuses_an_unknown_tier() -> None:
    user_id = make_user("known@example.com")
    result = runner.invoke(app, ["users", "set-tier", "known@example.com", "platinum"])
    assert result.exit_code == 2
    assert user_row(user_id).subscription_tier is SubscriptionTier.free


def test_set_tier_under_stripe_warns_that_stripe_wins(stripe: Stripe) -> None:
    make_user("striped@example.com")
    assert "next Stripe event" in _set_tier("striped@example.com", "pro")


def test_set_tier_help() -> None:
    result = runner.invoke(app, ["users", "set-tier", "--help"])
    assert result.exit_code == 0
    assert "--paid" in result.output


# --- the plan limits -------------------------------------------------------------------------


def _user(tier: SubscriptionTier, status: SubscriptionStatus = SubscriptionStatus.active) -> User:
    return User(email="x@example.com", subscription_tier=tier, subscription_status=status)


@pytest.mark.parametrize(
    ("tier", "status", "accounts", "history", "insights"),
    [
        (SubscriptionTier.free, SubscriptionStatus.active, 3, 90, 1),
        (SubscriptionTier.pro, SubscriptionStatus.active, 10, 730, 12),
        (SubscriptionTier.enterprise, SubscriptionStatus.active, 50, None, 48),
        (SubscriptionTier.pro, SubscriptionStatus.cancelled, 3, 90, 1),
        (SubscriptionTier.enterprise, SubscriptionStatus.expired, 3, 90, 1),
    ],
)
def test_limits_per_plan(
    tier: SubscriptionTier,
    status: SubscriptionStatus,
    accounts: int,
    history: int | None,
    insights: int,
) -> None:
    limits = plans.limits_for(_user(tier, status))
    assert (limits.social_accounts, limits.history_days, limits.insight_runs_per_day) == (
        accounts,
        history,
        insights,
    )


def test_history_start() -> None:
    today = date(2026, 6, 1)
    assert plans.history_start(_user(SubscriptionTier.free), today=today) == date(2026, 3, 3)
    assert plans.history_start(_user(SubscriptionTier.enterprise), today=today) is None


def test_change_plan_says_when_paying_starts_and_stops() -> None:
    user = _user(SubscriptionTier.free)
    assert plans.change_plan(
        user, tier=SubscriptionTier.pro, status=SubscriptionStatus.active
    ).started_paying
    assert not plans.change_plan(
        user, tier=SubscriptionTier.enterprise, status=SubscriptionStatus.active
    ).started_paying
    assert plans.change_plan(
        user, tier=SubscriptionTier.enterprise, status=SubscriptionStatus.cancelled
    ).stopped_paying
