"""Site search: products first (name, description, category, SKU), then content pages.

Uses Wagtail's search backend (the database backend: PostgreSQL full text).
Queries that cannot mean anything give no results rather than an error.
"""

import re
from dataclasses import dataclass, field

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.http import HttpRequest
from wagtail.models import Page, Site
from wagtail.search.backends import get_search_backend

from shop.catalog.filters import Facets, ProductFilter, facets
from shop.catalog.models import Product, ProductVariant
from shop.core import pagetree

from .products import LISTING_EAGER, listing_cards

MAX_QUERY_LENGTH = 100
MAX_RESULTS = 200
RESULTS_PER_PAGE = 24
_WORD = re.compile(r"\w", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_query(raw: str | None) -> str:
    """The query worth searching for, or "" (empty, too long, no letters or digits at all)."""
    query = " ".join(_CONTROL.sub(" ", raw or "").split())
    if not query or len(query) > MAX_QUERY_LENGTH or not _WORD.search(query):
        return ""
    return query


@dataclass
class SearchResults:
    query: str
    page_obj: PaginatorPage | None = None
    products: list = field(default_factory=list)
    pages: list = field(default_factory=list)
    total: int = 0
    filter: ProductFilter = field(default_factory=ProductFilter)
    facets: Facets | None = None


def _product_ids(query: str) -> list[int]:
    """Shown products only: an exact SKU first, then the full-text hits by relevance.

    The index can only filter on the product's own columns, so `Product.is_visible`
    (which also needs the category) decides on the loaded rows.
    """
    by_sku = [
        variant.product
        for variant in ProductVariant.objects.filter(sku__iexact=query).select_related("product__category")
    ]
    candidates = Product.objects.filter(is_active=True, deleted_at__isnull=True).select_related("category")
    hits = get_search_backend().search(query, candidates)[:MAX_RESULTS]
    return list(dict.fromkeys(product.pk for product in [*by_sku, *hits] if product.is_visible))


def _pages(query: str, site: Site | None, request: HttpRequest | None) -> list[Page]:
    """The hits as base pages (title, search description and address are the base page's)."""
    from .models import CategoryPage

    hidden = CategoryPage.objects.filter(category__is_active=False).values("pk")
    pages = pagetree.public(Page.objects.live(), request).filter(depth__gt=1).exclude(pk__in=hidden)
    if site is not None:
        pages = pages.descendant_of(site.root_page, inclusive=True)
    return list(get_search_backend().search(query, pages)[:MAX_RESULTS])


def search(
    raw_query: str | None,
    page_number: str | None,
    site: Site | None = None,
    chosen: ProductFilter | None = None,
    request: HttpRequest | None = None,
) -> SearchResults:
    """One page of results; only the products shown on it are loaded in full (pages come from
    the search itself, as base pages).

    With an active filter only matching products are listed, and no pages (pages have
    no size or price). Facets count among all product hits.
    """
    query = clean_query(raw_query)
    chosen = chosen or ProductFilter()
    results = SearchResults(query=query, filter=chosen)
    if not query:
        return results
    product_ids = _product_ids(query)
    hits = Product.objects.filter(pk__in=product_ids)
    if product_ids:
        results.facets = facets(hits, chosen)
    if chosen.active:
        matching = set(chosen.apply(hits).values_list("pk", flat=True))
        product_ids = [pk for pk in product_ids if pk in matching]
    entries = [("product", pk) for pk in product_ids]
    pages = {} if chosen.active else {page.pk: page for page in _pages(query, site, request)}
    entries += [("page", pk) for pk in pages]
    paginator = Paginator(entries, RESULTS_PER_PAGE)
    results.page_obj = paginator.get_page(page_number)
    results.total = paginator.count
    shown_products = [pk for kind, pk in results.page_obj.object_list if kind == "product"]
    results.products = listing_cards(request, shown_products, eager=LISTING_EAGER)
    results.pages = [pages[pk] for kind, pk in results.page_obj.object_list if kind == "page"]
    return results
