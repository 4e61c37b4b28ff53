"""Money helpers: Decimal with two places, one shop currency, integer minor units for providers."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")


def quantize(amount: Decimal | int | str) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def to_minor_units(amount: Decimal) -> int:
    """Stripe and friends take integer cents."""
    return int((quantize(amount) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_minor_units(value: int) -> Decimal:
    return quantize(Decimal(value) / 100)


def currency() -> str:
    return settings.SHOP_CURRENCY


CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF "}


def format_money(amount: Decimal | int | None, code: str | None = None) -> str:
    if amount is None:
        return ""
    code = code or currency()
    symbol = CURRENCY_SYMBOLS.get(code)
    value = f"{quantize(amount):,.2f}"
    return f"{symbol}{value}" if symbol else f"{value} {code}"
