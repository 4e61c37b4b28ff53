"""The home country's rates the shop starts with (staff change them in the admin).

Used by the data migration and by tests that flushed the table, so both agree.
"""

from decimal import Decimal

# Germany (the shop's default home country): 19 % standard, 7 % reduced.
DEFAULT_RATES: dict[str, dict[str, Decimal]] = {
    "DE": {"standard": Decimal("19.00"), "reduced": Decimal("7.00")},
}


def ensure_default_rates(vat_rate_model) -> None:
    """Create the default rows that are missing; never overwrite what staff set."""
    for country, rates in DEFAULT_RATES.items():
        for tax_class, rate in rates.items():
            vat_rate_model.objects.get_or_create(
                country=country, tax_class=tax_class, defaults={"rate": rate}
            )
