"""What search engines and link previews read: meta tags, breadcrumbs, robots.txt."""

import json

from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page, Site

# Never crawled, whatever the site settings say: private or per-visitor pages.
ROBOTS_DISALLOW = ["/admin/", "/cart/", "/checkout/", "/accounts/", "/orders/", "/payments/"]

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def breadcrumbs(page: Page, request) -> list[tuple[str, str]]:
    """(title, absolute URL) from the site's home page down to this page."""
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
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')


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
