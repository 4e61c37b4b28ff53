"""What search engines and link previews read: meta tags, structured data (JSON-LD), robots.txt."""

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page, Site

from shop.catalog.models import Product
from shop.catalog.pricing import shown_price
from shop.catalog.services import active_variants
from shop.core import pagecache, pagetree
from shop.core.money import quantize

# Never crawled, whatever the site settings say: private or per-visitor pages.
ROBOTS_DISALLOW = ["/admin/", "/cart/", "/checkout/", "/accounts/", "/orders/", "/payments/"]

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def breadcrumbs(page: Page, request) -> list[tuple[str, str]]:
    """(title, absolute URL) from the site's home page down to this page; a live page's are kept
    until the next page-cache invalidation (publishing, moving or deleting a page is one)."""
    if request is None:
        return _breadcrumbs(page, request)
    key = ("breadcrumbs", request.get_host(), page.pk)
    return list(pagecache.memo(request, key, lambda: tuple(_breadcrumbs(page, request)), [pagecache.PAGES]))


def _breadcrumbs(page: Page, request) -> list[tuple[str, str]]:
    tree = pagetree.for_request(request)
    if tree is not None and page.pk in tree.by_pk:  # from the kept page tree: no query
        return [(p.title, p.as_page().get_full_url(request)) for p in tree.ancestors(page.path)]
    site = Site.find_for_request(request)
    ancestors = page.get_ancestors(inclusive=True).filter(depth__gt=1).specific(defer=True)
    if site is not None:
        ancestors = ancestors.filter(path__startswith=site.root_page.path)
    return [(p.title, p.get_full_url(request)) for p in ancestors]


def breadcrumb_jsonld(items: list[tuple[str, str]]) -> SafeString:
    data = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": url}
            for i, (name, url) in enumerate(items, start=1)
        ],
    }
    return json_ld_script(data)


def json_ld_script(data: dict[str, Any]) -> SafeString:
    """A <script type="application/ld+json"> whose content cannot close the element early."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')


def product_json_ld(product: Product, url: str, image_urls: list[str]) -> dict[str, Any]:
    """schema.org Product with one Offer at the lowest current price (and, on a lawful sale, the
    lowest price of the 30 days before it as the offer's StrikethroughPrice)."""
    prices = shown_price(product)
    low = prices.low
    in_stock = product.is_buyable
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": url,
        "brand": {"@type": "Brand", "name": settings.WAGTAIL_SITE_NAME},
        "category": product.category.name,
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": str(quantize(low)),
            "priceCurrency": settings.SHOP_CURRENCY,
            "availability": f"https://schema.org/{'InStock' if in_stock else 'OutOfStock'}",
            "itemCondition": "https://schema.org/NewCondition",
        },
    }
    if prices.on_sale and prices.lowest_30_days is not None:  # a lawful sale always has both
        data["offers"]["priceSpecification"] = [
            {
                "@type": "UnitPriceSpecification",
                "price": str(quantize(low)),
                "priceCurrency": settings.SHOP_CURRENCY,
            },
            {
                "@type": "UnitPriceSpecification",
                "priceType": "https://schema.org/StrikethroughPrice",
                "price": str(quantize(prices.lowest_30_days)),
                "priceCurrency": settings.SHOP_CURRENCY,
            },
        ]
    description = product.meta_description or strip_tags(product.description).strip()
    if description:
        data["description"] = description
    if image_urls:
        data["image"] = image_urls
    skus = [v.sku for v in active_variants(product)]
    if len(skus) == 1:
        data["sku"] = skus[0]
    return data


def robots_txt(*, sitemap_url: str, hide_all: bool = False, extra: str = "") -> str:
    lines = ["User-agent: *"]
    if hide_all:
        lines.append("Disallow: /")
    else:
        lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    if extra.strip():
        lines += ["", *[line.rstrip() for line in extra.strip().splitlines()]]
    lines += ["", f"Sitemap: {sitemap_url}", ""]
    return "\n".join(lines)
