"""Filters and facets for product lists (category pages, search): size, colour, price, in stock.

All filters apply to one variant: a product matches when one of its active variants has
a chosen size, a chosen colour, a price in the range and (with "In stock only") stock.
Each facet counts, per value, the products that would match if that value were chosen
with the *other* filters kept, in one grouped query per facet, so the cost does not grow
with the catalog. Rules in docs/catalog.md ("Filters and facets").
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import CharField, Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.http import urlencode

from .models import SIZE_ORDER, Product, ProductVariant

MAX_VALUES = 20  # per repeatable parameter; more is not a shopper
MAX_VALUE_LENGTH = 40
FILTER_PARAMS = ("size", "colour", "min_price", "max_price", "in_stock")
VARIANT_PRICE = Coalesce("price_override", "product__base_price", output_field=DecimalField())


class PriceForm(forms.Form):
    """The price range and the stock switch; sizes and colours are read as lists."""

    min_price = forms.DecimalField(
        label="Minimum price", required=False, min_value=0, max_digits=10, decimal_places=2
    )
    max_price = forms.DecimalField(
        label="Maximum price", required=False, min_value=0, max_digits=10, decimal_places=2
    )
    in_stock = forms.BooleanField(label="In stock only", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", "The maximum price must not be below the minimum price.")
        return data


@dataclass(frozen=True)
class ProductFilter:
    sizes: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    form: PriceForm | None = field(default=None, compare=False)

    @classmethod
    def from_query(cls, query: QueryDict) -> "ProductFilter":
        """Parse the query string; a bad price is a form error on its field and is not applied."""
        form = PriceForm({k: query.get(k, "") for k in ("min_price", "max_price", "in_stock")})
        form.is_valid()
        data = form.cleaned_data  # the fields that are valid, even when another one is not
        return cls(
            sizes=_values(query.getlist("size")),
            colours=_values(query.getlist("colour")),
            min_price=data.get("min_price"),
            max_price=data.get("max_price"),
            in_stock=bool(data.get("in_stock")),
            form=form,
        )

    @property
    def active(self) -> bool:
        return (
            bool(self.sizes or self.colours or self.in_stock)
            or self.min_price is not None
            or (self.max_price is not None)
        )

    def variant_q(self, *, skip: str = "") -> Q:
        """The condition one variant must meet (leaving out the facet `skip`)."""
        q = Q(is_active=True)
        if self.sizes and skip != "size":
            q &= Q(size__in=self.sizes)
        if self.colours and skip != "colour":
            q &= Q(colour__in=self.colours)
        if self.in_stock:
            q &= Q(stock__gt=0)
        if self.min_price is not None:
            q &= Q(variant_price__gte=self.min_price)
        if self.max_price is not None:
            q &= Q(variant_price__lte=self.max_price)
        return q

    def apply(self, products: QuerySet[Product]) -> QuerySet[Product]:
        if not self.active:
            return products
        matching = (
            ProductVariant.objects.annotate(variant_price=VARIANT_PRICE)
            .filter(product=OuterRef("pk"))
            .filter(self.variant_q())
        )
        return products.filter(Exists(matching))

    def query_items(self) -> list[tuple[str, str]]:
        """The filter as query parameters, in a fixed order (links keep it; caches see one URL)."""
        items = [("size", s) for s in self.sizes] + [("colour", c) for c in self.colours]
        if self.min_price is not None:
            items.append(("min_price", str(self.min_price)))
        if self.max_price is not None:
            items.append(("max_price", str(self.max_price)))
        if self.in_stock:
            items.append(("in_stock", "1"))
        return items


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facets:
    sizes: list[FacetValue]
    colours: list[FacetValue]


def facets(products: QuerySet[Product], chosen: ProductFilter) -> Facets:
    """Counts per size and per colour among `products` (unfiltered), each following the other filters.

    One query (the two counts as a UNION ALL). A value with count 0 is kept (shown disabled)
    unless nothing in the list has it.
    """
    variants = ProductVariant.objects.annotate(variant_price=VARIANT_PRICE).filter(
        is_active=True, product__in=products.order_by().values("pk")
    )

    def count_by(column: str) -> QuerySet:
        return (
            variants.exclude(**{column: ""})
            .annotate(facet=Value(column, output_field=CharField()), value=F(column))
            .values("facet", "value")
            .annotate(n=Count("product", distinct=True, filter=chosen.variant_q(skip=column)))
            .order_by()
        )

    found: dict[str, list[FacetValue]] = {"size": [], "colour": []}
    selected = {"size": chosen.sizes, "colour": chosen.colours}
    for row in count_by("size").union(count_by("colour"), all=True):
        facet = row["facet"]
        found[facet].append(FacetValue(row["value"], row["n"], row["value"] in selected[facet]))
    sizes = sorted(found["size"], key=lambda f: _size_key(f.value))
    colours = sorted(found["colour"], key=lambda f: f.value.casefold())
    return Facets(sizes, colours)


def _size_key(size: str) -> tuple[int, float, str]:
    if size in SIZE_ORDER:
        return (0, SIZE_ORDER.index(size), "")
    if size.isdigit():
        return (1, int(size), "")
    return (2, 0, size)


def _values(raw: list[str]) -> tuple[str, ...]:
    """Up to MAX_VALUES distinct values; too long ones and any with control characters are dropped."""
    cleaned = (value.strip() for value in raw[: MAX_VALUES * 2])
    kept = (v for v in cleaned if v and len(v) <= MAX_VALUE_LENGTH and v.isprintable())
    return tuple(dict.fromkeys(kept))[:MAX_VALUES]


def list_query(chosen: ProductFilter, **extra: str) -> str:
    """`size=M&colour=Black&...&sort=...&` for pagination and sort links (empty values left out)."""
    items = chosen.query_items() + [(k, v) for k, v in extra.items() if v]
    return urlencode(items) + "&" if items else ""
