"""Live product data for the content pages, fetched in a fixed number of queries.

A page collects the product ids of all its blocks first, then loads them with
one storefront query (plus its prefetches and the image renditions), whatever
the number of blocks or products.
"""

from collections.abc import Iterable

from django.db.models import QuerySet

from shop.catalog.models import Category, Product
from shop.catalog.services import storefront_products


def card_products() -> QuerySet[Product]:
    """What the storefront shows, with photos, renditions and variants prefetched for the cards."""
    return storefront_products()


def newest_ids(*, category: Category | None = None, tag: str = "", limit: int = 8) -> list[int]:
    """Ids of the newest buyable products of a category (and its subcategories) or with a tag."""
    queryset = Product.objects.buyable()
    if category is not None:
        queryset = queryset.filter(category__in=category_with_descendants(category))
    if tag:
        queryset = queryset.filter(tags__name__iexact=tag.strip())
    return list(queryset.order_by("-created_at", "pk").values_list("pk", flat=True).distinct()[:limit])


def category_with_descendants(category: Category) -> list[int]:
    """The category's id and those of every active category below it (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.filter(is_active=True).values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = [], [category.pk]
    while todo:
        pk = todo.pop()
        if pk in found:
            continue
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


def fetch_products(ids: Iterable[int]) -> dict[int, Product]:
    """The visible products among these ids, keyed by id; deleted or inactive ones are missing."""
    wanted = {pk for pk in ids if pk}
    if not wanted:
        return {}
    return {p.pk: p for p in card_products().filter(pk__in=wanted)}


def resolve_stream(stream) -> dict[int, Product]:
    """Give every product block of a stream its live products, in one product query.

    Each product-bearing block value gets `products` (grid) or `product` (featured) set.
    """
    pending = []
    for child in stream:
        value = child.value
        if child.block_type == "product_grid":
            source = value.get("source")
            if source == "category" and value.get("category"):
                ids = newest_ids(category=value["category"], limit=value.get("limit") or 8)
            elif source == "newest":
                ids = newest_ids(limit=value.get("limit") or 8)
            elif source == "tag" and value.get("tag"):
                ids = newest_ids(tag=value["tag"], limit=value.get("limit") or 8)
            elif source == "chosen":
                ids = [pk for pk in value.get("products") or [] if pk][: value.get("limit") or 48]
            else:
                ids = []
            pending.append((value, "products", ids))
        elif child.block_type == "featured_product":
            pending.append((value, "product", [value.get("product")]))
    lookup = fetch_products(pk for _, _, ids in pending for pk in ids)
    for value, attribute, ids in pending:
        found = [lookup[pk] for pk in ids if pk in lookup]
        if attribute == "products":
            value.products_live = found
        else:
            value.product_live = found[0] if found else None
    return lookup
