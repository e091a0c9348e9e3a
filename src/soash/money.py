"""Money in exact decimals: currencies, minor units and rounding. No floats anywhere."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 currencies without a minor unit, as Stripe lists them ("zero-decimal currencies").
ZERO_DECIMAL = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
CENT = Decimal("0.01")
ONE = Decimal("1")


def currency_code(currency: str) -> str:
    code = currency.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"'{currency}' is not a currency code; use three letters like USD")
    return code


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency``: 0.01 for USD, 1 for JPY."""
    return ONE if currency_code(currency) in ZERO_DECIMAL else CENT


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def from_minor_units(amount: int, currency: str) -> Decimal:
    """Stripe's integer amounts (cents for USD, yen for JPY) as a decimal amount."""
    exponent = 0 if currency_code(currency) in ZERO_DECIMAL else 2
    return Decimal(amount).scaleb(-exponent).quantize(minor_unit(currency))


def percent_of(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    """``rate`` * ``amount``, rounded half up to the currency's minor unit."""
    return round_money(amount * rate, currency)
