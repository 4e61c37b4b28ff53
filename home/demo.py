"""Demo content: the pages and site settings of a real-looking shop, built on the demo catalog.

Idempotent: pages are found by slug and created only when missing; a page body or
setting somebody already filled in is left alone.
"""

from typing import Any

from django.conf import settings
from django.db import transaction
from wagtail.models import Page, Site
from wagtail.search.index import insert_or_update_object

from shop.catalog.models import Category, Product
from shop.core.money import format_money

from .models import CategoryPage, HomePage, LandingPage, ShopIndexPage
from .site_settings import AnnouncementSettings, FooterSettings, NavigationSettings, SeoSettings


def _publish(page: Page) -> Page:
    page.save_revision().publish()
    return page


def _child(parent: Page, model, slug: str, **fields) -> tuple[Page, bool]:
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing, False
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    return _publish(page), True


def _untouched(page: Page) -> bool:
    """No person has saved this page yet: the seed may keep it up to date."""
    return not page.revisions.filter(user__isnull=False).exists()


def _without_ids(data):
    """Stream data minus the block ids, which are new every time."""
    if isinstance(data, dict):
        return {k: _without_ids(v) for k, v in data.items() if k != "id"}
    if isinstance(data, list):
        return [_without_ids(v) for v in data]
    return data


def _set_body(page, body) -> None:
    """Publish the demo body when it differs from the page's (so a second run changes nothing)."""
    before = _without_ids(page.body.get_prep_value())
    page.body = body
    if _without_ids(page.body.get_prep_value()) != before:
        _publish(page)


def _link(label: str, url: str) -> tuple[str, dict]:
    return ("link", {"label": label, "page": None, "url": url})


def _photo(product: Product | None):
    image = product.main_image() if product else None
    return image.image if image else None


def _home_body(categories: list[Category], featured: Product | None) -> list[tuple[str, dict]]:
    body = [
        (
            "hero",
            {
                "image": _photo(featured),
                "heading": "Clothes made to be worn for years",
                "text": "Heavy cotton tees, brushed hoodies and honest denim. "
                f"Free shipping from {_free_shipping()}.",
                "call_to_action": {"label": "Shop the collection", "page": None, "url": "/shop/"},
            },
        )
    ]
    if featured is not None:
        body.append(
            (
                "featured_product",
                {"product": featured.pk, "heading": "", "text": "Our customers' favourite this season."},
            )
        )
    body.append(
        (
            "product_grid",
            {
                "heading": "New arrivals",
                "source": "newest",
                "products": [],
                "category": None,
                "tag": "",
                "limit": 8,
            },
        )
    )
    if categories:
        body.append(
            (
                "category_tiles",
                {
                    "heading": "Shop by category",
                    "tiles": [
                        {"category": c, "label": "", "image": _photo(_first_product(c))} for c in categories
                    ],
                },
            )
        )
    body.append(
        (
            "promo_banner",
            {
                "heading": "Summer hoodies sale",
                "text": "Light hoodies for cool evenings, while they last.",
                "image": None,
                "link": {"label": "See the sale", "page": None, "url": "/summer-hoodies-sale/"},
                "style": "accent",
            },
        )
    )
    return body


def _free_shipping() -> str:
    return format_money(settings.SHOP_FREE_SHIPPING_THRESHOLD)


def _first_product(category: Category | None) -> Product | None:
    if category is None:
        return None
    return Product.objects.buyable().filter(category=category).prefetch_related("images__image").first()


def _sale_body(hoodies: Category | None) -> list[tuple[str, Any]]:
    summer: dict[str, Any] = {"heading": "Light layers for summer", "source": "tag", "tag": "summer"}
    every: dict[str, Any] = {"heading": "Every hoodie", "source": "category", "category": hoodies}
    if hoodies is None:
        every = {"heading": "New in", "source": "newest", "category": None}
    grids = [
        ("product_grid", {"products": [], "tag": "", "category": None, "limit": 8} | summer),
        ("product_grid", {"products": [], "tag": "", "limit": 12} | every),
    ]
    return [
        (
            "hero",
            {
                "image": _photo(_first_product(hoodies)),
                "heading": "Summer hoodies sale",
                "text": "Brushed inside, light enough for June nights.",
                "call_to_action": {"label": "", "page": None, "url": ""},
            },
        ),
        *grids,
        ("rich_text", f"<p>Prices as marked. Free shipping on orders over {_free_shipping()}.</p>"),
        (
            "call_to_action",
            {"label": "Browse every hoodie", "page": None, "url": "/shop/hoodies/", "style": "outline"},
        ),
    ]


def _settings(site: Site) -> None:
    nav = NavigationSettings.for_site(site)
    if not nav.links:
        top = Category.objects.filter(is_active=True, parent=None).order_by("sort_order", "name")[:4]
        nav.links = [
            _link("Shop", "/shop/"),
            *(_link(c.name, f"/shop/{c.slug}/") for c in top),
            _link("Sale", "/summer-hoodies-sale/"),
        ]
        nav.save()
    footer = FooterSettings.for_site(site)
    if not footer.links:
        footer.links = [
            _link("Shop", "/shop/"),
            _link("Search", "/search/"),
            _link("Your orders", "/accounts/orders/"),
        ]
        footer.text = "Made to last. Shipped from Europe."
        footer.save()
    seo = SeoSettings.for_site(site)
    if not seo.default_description:
        seo.default_description = "Threadline: heavy cotton tees, hoodies and jeans made to last."
        seo.save()
    announcement = AnnouncementSettings.for_site(site)
    if not announcement.text:
        announcement.is_active = True
        announcement.text = f"Free shipping on orders over {_free_shipping()}"
        announcement.link_url = "/shop/"
        announcement.save()


@transaction.atomic
def seed_content() -> dict[str, int]:
    """Shop index, a page per category, the home page's blocks, the sale page, site settings."""
    site = _default_site()
    home = site.root_page.specific
    if not isinstance(home, HomePage):
        raise RuntimeError("The default site's root page is not the HomePage.")
    created = 0
    shop, new = _child(home, ShopIndexPage, "shop", title="Shop", intro="<p>Everything we make.</p>")
    created += new
    categories = list(Category.objects.filter(is_active=True).order_by("sort_order", "name"))
    with_page = set(CategoryPage.objects.values_list("category_id", flat=True))
    for category in categories:
        if category.pk not in with_page:
            intro = f"<p>{category.description}</p>" if category.description else ""
            _child(shop, CategoryPage, category.slug, title=category.name, category=category, intro=intro)
            created += 1
    top = [c for c in categories if c.parent_id is None]
    hoodies = next((c for c in categories if c.slug == "hoodies"), None)
    featured = _first_product(hoodies) or Product.objects.buyable().first()
    if _untouched(home):
        home.seo_title = "Threadline: clothes made to last"
        home.search_description = "Heavy cotton tees, brushed hoodies and honest denim."
        _set_body(home, _home_body(top, featured))
    sale, new = _child(
        home,
        LandingPage,
        "summer-hoodies-sale",
        title="Summer hoodies sale",
        body=_sale_body(hoodies),
        search_description="Light hoodies for cool summer evenings, on sale.",
    )
    created += new
    if not new and _untouched(sale):
        _set_body(sale, _sale_body(hoodies))
    _settings(site)
    return {"pages_created": created, "products_indexed": reindex_products()}


def _default_site() -> Site:
    """The default site, rebuilt around the HomePage when it is missing (an emptied database)."""
    site = Site.objects.select_related("root_page").filter(is_default_site=True).first()
    if site is not None:
        return site
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node() or Page.add_root(title="Root")
        home = root.add_child(instance=HomePage(title="Home", slug="home"))
    return Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)


def reindex_products() -> int:
    """Index entries include variants (SKU, colour), which are saved after their product."""
    count = 0
    for product in Product.all_objects.all():
        insert_or_update_object(product)
        count += 1
    return count
