"""``soash users set-tier``: change a user's plan by hand (the ``manual`` billing provider)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.console import Console

from soash import money
from soash.billing.provider import get_provider
from soash.db import session_scope
from soash.errors import SoashError
from soash.users import service as users
from soash.users.models import SubscriptionStatus, SubscriptionTier

console = Console()


def _amount(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"'{value}' is not an amount; write it like 29.00") from None
    if not amount.is_finite() or amount <= 0:
        raise ValueError("the payment must be more than zero")
    return amount


def set_tier(
    email: str,
    tier: Annotated[SubscriptionTier, typer.Argument(help="free, pro or enterprise.")],
    status: Annotated[
        SubscriptionStatus, typer.Option(help="Subscription status.")
    ] = SubscriptionStatus.active,
    paid: Annotated[
        str | None,
        typer.Option(
            help="Amount the user paid for this plan, e.g. 29.00. A first payment converts "
            "the user's referral and earns the referrer their commission."
        ),
    ] = None,
    currency: Annotated[
        str | None, typer.Option(help="Currency of --paid (default SOASH_BILLING_CURRENCY).")
    ] = None,
) -> None:
    """Set a user's subscription tier and status."""
    try:
        amount = _amount(paid)
        code = money.currency_code(currency) if currency else None
        with session_scope() as db:
            user = users.get_by_email(db, email)
            if user is None:
                raise ValueError(f"there is no user with the email {email}")
            result = get_provider().set_plan(
                db, user, tier=tier, status=status, payment=amount, currency=code
            )
            console.print(f"{user.email} is now on {tier.value} ({status.value}).")
            if result.referral is not None:
                signup = result.referral
                console.print(
                    f"Referral converted: commission {signup.commission_amount} {signup.currency}."
                )
            if result.note:
                console.print(f"[yellow]Note:[/yellow] {result.note}")
    except (SoashError, ValueError) as exc:
        console.print(f"[red]Error:[/red] {exc}")
        raise typer.Exit(code=1) from None
