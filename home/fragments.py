"""Rendered product blocks kept in the page cache, under the page-cache generation.

A page-cache miss on a content page (a new query string, another page sharing nothing, the
first visitor after an entry expired) still has to fetch and render every product card; most
of a home page's CPU. A product block's HTML depends only on the block as published, the
products it shows and their current data, and (for a discount promotion) whether its code is
live: the key holds the block's type and fields, the product ids resolved for this request, the
version of each of those products (a price, variant, photo or sell-out of that product bumps
it), the cards' generation (any other catalog change, a category or a discount, or an image edit
bumps it; shop/catalog/page_cache.py and home/signals.py) and the live code. So a changed price is
never served from here: the next request after the commit reads new versions and renders anew.

Only pages rendered in shared mode use it (an anonymous render, see shop/core/pagecache.py);
previews, editors and a page cache turned off never read or write it.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from shop.core import pagecache

CARD_TEMPLATE = "catalog/includes/product_card.html"


def enabled_for(request: HttpRequest | None) -> bool:
    return (
        request is not None
        and getattr(request, "shared_page", False)
        and getattr(request, "page_cache_scopes", None) is not None
    )


def key_for(request: HttpRequest, child, ids: list[int], extra: object, versions: dict[int, int]) -> str:
    """The cards' generation, the block as published (type and every field), its products and
    their versions (pagecache.product_versions), `extra`. Not the pages' or settings'
    generation: a product block shows no page or setting, so publishing a page leaves its
    fragments valid; nor another product's version: selling out one product re-renders only
    the blocks that show it."""
    # The API representation: every field's value, without the list items' random ids.
    published = json.dumps(child.block.get_api_representation(child.value), sort_keys=True, default=str)
    products = ",".join(f"{pk}@{versions[pk]}" for pk in ids if pk)
    raw = f"{child.block_type}:{published}:{products}:{extra}"
    generation = pagecache.cards_generation(request.page_cache_scopes)  # type: ignore[attr-defined]
    return f"fragment:{generation}:{hashlib.sha256(raw.encode()).hexdigest()}"


@dataclass(frozen=True)
class CachedCard:
    """A product card's HTML from the fragment cache, standing in for the product in a grid or
    a listing."""

    pk: int
    html: str


def card_key(request: HttpRequest, product_id: int, versions: dict[int, int], lazy: bool = True) -> str:
    """One product's card (catalog/includes/product_card.html): it shows nothing but the
    product's own data, so its version and the rest of the catalog's generation are the whole
    key, with whether its photo loads lazily (two cards of the same product)."""
    generation = pagecache.cards_generation(request.page_cache_scopes)  # type: ignore[attr-defined]
    return f"card:{generation}:{product_id}@{versions[product_id]}{'' if lazy else ':eager'}"


def kept_cards(
    request: HttpRequest, ids: Iterable[int], versions: dict[int, int], lazy: dict[int, bool] | None = None
) -> tuple[dict[int, CachedCard], dict[int, str]]:
    """The cards of these products found in the fragment cache, by product id, and every card's
    key (to keep the missing ones under once rendered). A card's photo is lazy unless `lazy`
    says otherwise."""
    lazy = lazy or {}
    keys = {pk: card_key(request, pk, versions, lazy=lazy.get(pk, True)) for pk in ids}
    found = lookup(list(keys.values()))
    return {pk: CachedCard(pk, found[key]) for pk, key in keys.items() if key in found}, keys


def lookup(keys: list[str]) -> dict[str, str]:
    return pagecache.kept(keys)


def store(key: str, html: str) -> None:
    pagecache.keep({key: str(html)})


class CachedFragmentBlock:
    """A block mixin: render from the fragment found by resolve_stream, or render and keep it."""

    def render(self, value, context=None) -> SafeString:
        html = getattr(value, "fragment_html", None)
        if html is not None:
            return mark_safe(html)  # our own rendered template output
        rendered = super().render(value, context)  # type: ignore[misc]
        key = getattr(value, "fragment_key", None)
        if key:
            store(key, rendered)
        return rendered


def render_card(item) -> SafeString:
    """A product card: the cached HTML, or rendered (and kept when it has a key)."""
    if isinstance(item, CachedCard):
        return mark_safe(item.html)  # our own rendered template output
    html = render_to_string(CARD_TEMPLATE, {"product": item, "lazy": getattr(item, "card_lazy", True)})
    key = getattr(item, "card_key", "")
    if key:
        store(key, html)
    return mark_safe(html)
