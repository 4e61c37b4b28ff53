"""Live product data for the content pages, fetched in a fixed number of queries.

A page collects the product ids of all its blocks first, then loads them with
one storefront query (plus its prefetches and the image renditions), whatever
the number of blocks or products.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Value
from django.http import HttpRequest

from shop.catalog.models import Category, Product
from shop.catalog.services import storefront_products
from shop.core import pagecache
from shop.discounts.models import DiscountCode
from shop.discounts.services import DiscountError, is_live, promoted_product_ids
from shop.orders.discounts import check_uses

from . import fragments

LISTING_EAGER = 3  # cards whose photo loads at once in a listing: its first row


class CategoryTree:
    """The active categories' parent links, names and the ids of their pages, loaded with one
    query and reused for a whole page."""

    def __init__(self, rows: Iterable[tuple[int, int | None, int | None, str]]):
        self._children: dict[int | None, list[int]] = {}
        self.page_ids: dict[int, int] = {}
        self.names: dict[int, str] = {}
        for pk, parent_id, page_id, name in rows:
            self._children.setdefault(parent_id, []).append(pk)
            self.names[pk] = name
            if page_id is not None:
                self.page_ids[pk] = page_id

    @classmethod
    def load(cls) -> "CategoryTree":
        from .models import CategoryPage

        page = CategoryPage.objects.filter(category=OuterRef("pk")).values("pk")[:1]
        rows = Category.objects.filter(is_active=True).annotate(page_id=Subquery(page))
        return cls(rows.values_list("pk", "parent_id", "page_id", "name"))

    @classmethod
    def for_request(cls, request: HttpRequest) -> "CategoryTree":
        """Kept until a category (or anything beyond one product's own data) or a page changes."""
        key = ("category-tree",)
        return pagecache.memo(request, key, cls.load, [pagecache.CATALOG_WIDE, pagecache.PAGES])

    def with_descendants(self, category_id: int) -> list[int]:
        """The category's id and those of every active category below it (no query)."""
        found, todo = [], [category_id]
        while todo:
            pk = todo.pop()
            if pk in found:
                continue
            found.append(pk)
            todo.extend(self._children.get(pk, []))
        return found


@dataclass(frozen=True)
class Newest:
    """One grid's dynamic source: the newest buyable products in these categories (see
    CategoryTree), with this tag (case-insensitive), or of the whole shop."""

    category_ids: list[int] | None = None
    tag: str = ""
    limit: int = 8

    def queryset(self) -> QuerySet:
        queryset = Product.objects.buyable()
        if self.category_ids is not None:
            queryset = queryset.filter(category__in=self.category_ids)
        if self.tag:
            queryset = queryset.filter(tags__name__iexact=self.tag.strip())
        return queryset.order_by("-created_at", "pk").distinct()


def newest_ids(*, category_ids: list[int] | None = None, tag: str = "", limit: int = 8) -> list[int]:
    """Ids of the newest buyable products in these categories (see CategoryTree) or with a tag."""
    return list(Newest(category_ids, tag).queryset().values_list("pk", flat=True)[:limit])


def newest_ids_per_grid(grids: Sequence[Newest]) -> list[list[int]]:
    """What newest_ids gives for each of these grids, in one query whatever their number: each
    grid's own query (its order, DISTINCT and LIMIT kept) tagged with its index, in a UNION ALL.
    The union's output order is not the grids', so the ids are sorted back per grid."""
    parts = [
        grid.queryset()
        .annotate(grid=Value(index, IntegerField()))
        .values_list("grid", "created_at", "pk")[: grid.limit]
        for index, grid in enumerate(grids)
        if grid.limit > 0
    ]
    found: list[list[int]] = [[] for _ in grids]
    if not parts:
        return found
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    by_pk = sorted(rows, key=itemgetter(2))
    for index, _, pk in sorted(by_pk, key=itemgetter(1), reverse=True):  # stable: pk breaks ties
        found[index].append(pk)
    return found


def fetch_products(ids: Iterable[int]) -> dict[int, Product]:
    """The visible products among these ids, keyed by id; deleted or inactive ones are missing."""
    wanted = {pk for pk in ids if pk}
    if not wanted:
        return {}
    return {p.pk: p for p in storefront_products().filter(pk__in=wanted)}


def listing_cards(request: HttpRequest | None, ids: list[int], eager: int) -> list:
    """A listing's cards in order (category page, search, shop index): a card's kept HTML
    (fragments.CachedCard) when the fragment cache has it, else the product, fetched with the
    others in one storefront query and carrying the key its card is kept under. The first
    `eager` photos load at once (above the fold), the others lazily."""
    lazy = {pk: index >= eager for index, pk in enumerate(ids)}
    cards: dict[int, fragments.CachedCard] = {}
    keys: dict[int, str] = {}
    if request is not None and fragments.enabled_for(request):
        versions = pagecache.product_versions(ids)
        if versions:
            cards, keys = fragments.kept_cards(request, ids, versions, lazy)
    lookup = fetch_products(pk for pk in ids if pk not in cards)
    listed: list = []
    for pk in ids:
        if pk in cards:
            listed.append(cards[pk])
        elif pk in lookup:
            product = lookup[pk]
            product.card_key, product.card_lazy = keys.get(pk, ""), lazy[pk]  # for the grid_card tag
            listed.append(product)
    return listed


def live_code(code: DiscountCode | None) -> DiscountCode | None:
    """The code if a shopper could use it now (in its window, active, not used up), else None."""
    if code is None or not is_live(code):
        return None
    try:
        check_uses(code)
    except DiscountError:
        return None
    return code


def resolve_stream(stream, request: HttpRequest | None = None) -> dict[int, Product]:
    """Give every product block of a stream its live products, in one product query.

    Each product-bearing block value gets `products_live` (grid) or `product_live` (featured).
    The category tree is loaded once, and only when a grid shows a category; the grids showing
    the newest products (of the shop, a category or a tag) get their ids from one query for all
    of them (newest_ids_per_grid). Blocks whose rendered HTML is in the fragment cache
    (home/fragments.py) get it as `fragment_html` instead, and their products are not fetched
    at all.
    """
    pending: list[tuple[Any, str, list[int], int | str]] = []  # block, attribute, ids, key extra
    tree = None
    newest: list[tuple[int, Newest]] = []  # the dynamic grids' places in pending, asked together
    for child in stream:
        value = child.value
        if child.block_type == "product_grid":
            source, limit = value.get("source"), value.get("limit") or 8
            ids: list[int] = []
            if source == "category" and value.get("category"):
                tree = tree or (CategoryTree.for_request(request) if request else CategoryTree.load())
                newest.append((len(pending), Newest(tree.with_descendants(value["category"]), limit=limit)))
            elif source == "newest":
                newest.append((len(pending), Newest(limit=limit)))
            elif source == "tag" and value.get("tag"):
                newest.append((len(pending), Newest(tag=value["tag"], limit=limit)))
            elif source == "chosen":
                ids = [pk for pk in value.get("products") or [] if pk][: value.get("limit") or 48]
            pending.append((child, "products", ids, ""))
        elif child.block_type == "featured_product":
            pending.append((child, "product", [value.get("product")], ""))
        elif child.block_type == "discount_promo":
            code = value.get("code")
            if code is not None and request is not None:
                pagecache.changes_at(request, code.starts_at)  # shown from then on
                pagecache.changes_at(request, code.ends_at)  # hidden from then on
            value.code_live = live_code(code)
            ids = promoted_product_ids(value.code_live, value.get("limit") or 0) if value.code_live else []
            pending.append((child, "products", ids, value.code_live.pk if value.code_live else ""))
    found_ids = newest_ids_per_grid([grid for _, grid in newest])
    for (position, _), ids in zip(newest, found_ids, strict=True):
        pending[position] = (pending[position][0], "products", ids, "")
    if request is not None and fragments.enabled_for(request):
        versions = pagecache.product_versions(pk for _, _, ids, _ in pending for pk in ids if pk)
        keys = [
            fragments.key_for(request, child, ids, extra, versions) if versions else ""
            for child, _, ids, extra in pending
        ]
        found = fragments.lookup([key for key in keys if key])
        for (child, *_), key in zip(pending, keys, strict=True):
            child.value.fragment_key = key
            child.value.fragment_html = found.get(key)
        pending = [entry for entry in pending if entry[0].value.fragment_html is None]
        cards, card_keys = _cached_cards(request, pending, versions)
    else:
        cards, card_keys = {}, {}
    # A featured product is always fetched: its block shows more than its card.
    lookup = fetch_products(
        pk for _, attribute, ids, _ in pending for pk in ids if attribute == "product" or pk not in cards
    )
    for pk, product in lookup.items():
        product.card_key = card_keys.get(pk, "")  # the grid_card tag keeps the card under it
    for child, attribute, ids, _ in pending:
        if attribute == "products":
            child.value.products_live = [
                cards.get(pk) or lookup[pk] for pk in ids if pk in cards or pk in lookup
            ]
        else:
            found_products = [lookup[pk] for pk in ids if pk in lookup]
            child.value.product_live = found_products[0] if found_products else None
    return lookup


def _cached_cards(
    request: HttpRequest, pending, versions: dict[int, int]
) -> tuple[dict[int, fragments.CachedCard], dict[int, str]]:
    """The grids' cards found in the fragment cache, by product id, and every card's key: a block
    rendered anew after one product changed fetches and renders only that product's card."""
    ids = {pk for _, attribute, block_ids, _ in pending if attribute == "products" for pk in block_ids if pk}
    if not versions or not ids:
        return {}, {}
    return fragments.kept_cards(request, ids, versions)
