"""Price history and lawful sale prices (the EU's Omnibus rules, Directive 2019/2161, art. 6a).

Every change of a variant's selling price closes its open PriceRecord and opens a new
one that carries the lowest price of the 30 days before it took effect. A reduction may
only be announced (struck-through compare-at price, "Sale" badge) when the current price
is below that lowest prior price; the page then shows it as "Lowest price in the last
30 days". A price raised and lowered again within 30 days therefore shows no discount.
The rules are written out in docs/catalog.md.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Min, OuterRef, Q, Subquery
from django.utils import timezone

from shop.core.money import quantize

from .models import PriceRecord, Product, ProductVariant

LOOKBACK = timedelta(days=30)


def record_price(variant: ProductVariant, price: Decimal, at: datetime | None = None) -> PriceRecord | None:
    """Write `price` to the variant's history from `at` (now); nothing when it is already the price.

    Locks the open record so two saves of one variant at once cannot both open a record
    (the partial unique constraint would refuse the second anyway).
    """
    at = at or timezone.now()
    price = quantize(price)
    with transaction.atomic():
        current = PriceRecord.objects.select_for_update().filter(variant=variant, valid_until=None).first()
        if current is not None and current.price == price:
            return None
        if current is not None:
            current.valid_until = max(at, current.valid_from)
            current.save(update_fields=["valid_until"])
        lowest = PriceRecord.objects.filter(
            variant=variant, valid_until__gt=at - LOOKBACK, valid_from__lt=at
        ).aggregate(low=Min("price"))["low"]
        return PriceRecord.objects.create(variant=variant, price=price, valid_from=at, lowest_prior=lowest)


def record_product_prices(product: Product, at: datetime | None = None) -> None:
    """After a product save: variants selling at the product's price follow a new base price."""
    for variant in ProductVariant.objects.filter(product=product, price_override__isnull=True):
        record_price(variant, product.base_price, at)


def with_lowest_prior(variants):
    """Annotate a variant queryset with `lowest_prior` from its open price record (no extra query)."""
    open_record = PriceRecord.objects.filter(variant=OuterRef("pk"), valid_until__isnull=True)
    return variants.annotate(lowest_prior=Subquery(open_record.values("lowest_prior")[:1]))


@dataclass(frozen=True)
class ShownPrice:
    """What a card, the product page and JSON-LD show for a product."""

    low: Decimal
    high: Decimal
    compare_at: Decimal | None  # struck through only when the reduction is real
    lowest_30_days: Decimal | None  # shown with it, as the law asks

    @property
    def varies(self) -> bool:
        return self.low != self.high

    @property
    def on_sale(self) -> bool:
        return self.compare_at is not None


def shown_price(product: Product) -> ShownPrice:
    """The prices of the active variants, and the compare-at price only when the discount is lawful.

    Uses the variants' `lowest_prior` annotation (storefront_products() adds it); a variant
    loaded without it counts as having no prior price, so no discount is claimed for it.
    """
    variants = [v for v in product.variants.all() if v.is_active]
    prices = [v.price for v in variants] or [product.base_price]
    low, high = min(prices), max(prices)
    priors = [v.lowest_prior for v in variants if getattr(v, "lowest_prior", None) is not None]
    lowest = min(priors) if priors else None
    compare_at = product.compare_at_price
    lawful = compare_at is not None and compare_at > low and lowest is not None and low < lowest
    return ShownPrice(low, high, compare_at if lawful else None, lowest if lawful else None)


def price_history(variant: ProductVariant, since: datetime | None = None):
    """The variant's price periods, oldest first (for staff and tests)."""
    records = PriceRecord.objects.filter(variant=variant)
    if since is not None:
        records = records.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=since))
    return records.order_by("valid_from", "pk")
