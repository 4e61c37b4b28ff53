"""VAT rules (docs/orders.md, "VAT"): which rate applies, and how much VAT a gross price holds.

Prices are entered and shown including VAT. The VAT in a gross amount is
gross x rate / (100 + rate), rounded half-up to the cent, per line; the net is what is
left (gross - VAT), so net + VAT = gross on every line and therefore on every total.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from shop.core.money import quantize

from .defaults import DEFAULT_RATES
from .models import TaxClass, VatRate

ZERO = Decimal("0.00")


class VatNotConfigured(LookupError):
    """No rate for a tax class, neither for the destination nor for the home country."""


def rates_for(country: str) -> dict[str, Decimal]:
    """The destination's rate per tax class; a class it has no row for takes the home country's.

    Without a home-country row either, the built-in default of the data migration applies
    (so a flushed table in tests, or a deleted row, never stops checkout).
    """
    home = settings.SHOP_HOME_COUNTRY
    found: dict[tuple[str, str], Decimal] = {
        (c, tax_class): rate
        for c, tax_class, rate in VatRate.objects.filter(country__in={country, home}).values_list(
            "country", "tax_class", "rate"
        )
    }
    built_in = DEFAULT_RATES.get(home, {})
    rates = {}
    for tax_class in TaxClass.values:
        rate = found.get((country, tax_class), found.get((home, tax_class), built_in.get(tax_class)))
        if rate is None:
            raise VatNotConfigured(f"No VAT rate for {tax_class} goods to {country} nor to {home}.")
        rates[tax_class] = rate
    return rates


def vat_in_gross(gross: Decimal, rate: Decimal) -> Decimal:
    """The VAT contained in a VAT-inclusive amount, rounded half-up to the cent."""
    if not gross or not rate:
        return ZERO
    return quantize(Decimal(gross) * Decimal(rate) / (Decimal(100) + Decimal(rate)))


@dataclass(frozen=True)
class VatSummary:
    """One row of "VAT per rate": the sums of the lines taxed at that rate."""

    rate: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal


def summarize(entries: Iterable[tuple[Decimal, Decimal, Decimal]]) -> list[VatSummary]:
    """(rate, gross, vat) per line -> one row per rate, highest rate first; sums only, no rounding."""
    gross_by_rate: dict[Decimal, Decimal] = {}
    vat_by_rate: dict[Decimal, Decimal] = {}
    for rate, gross, vat in entries:
        rate = Decimal(rate).normalize() if rate else Decimal(0)
        gross_by_rate[rate] = gross_by_rate.get(rate, ZERO) + gross
        vat_by_rate[rate] = vat_by_rate.get(rate, ZERO) + vat
    return [
        VatSummary(
            rate=quantize(rate),
            net=gross_by_rate[rate] - vat_by_rate[rate],
            vat=vat_by_rate[rate],
            gross=gross_by_rate[rate],
        )
        for rate in sorted(gross_by_rate, reverse=True)
        if gross_by_rate[rate]
    ]
