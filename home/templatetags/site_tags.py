"""Site chrome (menu, footer, announcement) and SEO meta for every storefront template."""

from functools import partial

from django import template
from django.core.exceptions import ObjectDoesNotExist
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from home import fragments, seo
from home.site_settings import AnnouncementSettings, FooterSettings, NavigationSettings, SeoSettings
from shop.core import pagecache, sites

register = template.Library()

SOCIAL_RENDITION = "fill-1200x630"
_CHROME = (NavigationSettings, FooterSettings, AnnouncementSettings, SeoSettings)
# The menu and footer links choose pages: a page published, moved or deleted changes them.
_DEPENDS_ON = (pagecache.SETTINGS, pagecache.PAGES)


def _load_settings(request) -> dict:
    """Every setting the storefront's chrome shows, read with the site (shop/core/sites.py): by
    the page cache's site lookup, else here (an editor, the cache off)."""
    site = Site.find_for_request(request)
    if site is not None and not sites.settings_read_with(site, _CHROME):
        site = sites.find_for_request(request)
    if site is None:
        return {}
    found = {}
    for model in _CHROME:
        try:
            found[model] = getattr(site, model._meta.model_name)
        except model.DoesNotExist:
            found[model] = model.for_site(site)  # created once, as Wagtail's for_request does
    return found


def _setting(model, request):
    """The site's setting, or None where there is no site (a bare error page, a test without one).

    Kept per process until a setting is saved or a page changes (the menu and footer link to
    pages), so a page rendered on a miss reads no setting from the database.
    """
    if request is None:
        return None
    try:
        key = ("settings", request.get_host())
        found = pagecache.memo(request, key, partial(_load_settings, request), _DEPENDS_ON)
    except (ObjectDoesNotExist, AttributeError):
        return None
    return found.get(model)


@register.simple_tag(takes_context=True)
def site_chrome(context) -> dict:
    request = context.get("request")
    return {
        "navigation": _setting(NavigationSettings, request),
        "footer": _setting(FooterSettings, request),
        "announcement": _setting(AnnouncementSettings, request),
    }


def _default_image_url(request, image_id: int) -> str:
    """The default share image's rendition URL, kept until an image changes. Not through the
    kept setting's `default_image`: that image object would outlive an image edit (the settings
    are kept until a setting or a page changes)."""

    def load() -> str:
        image = get_image_model().objects.filter(pk=image_id).first()
        return image.get_rendition(SOCIAL_RENDITION).full_url if image is not None else ""

    if request is None:
        return load()
    return pagecache.memo(request, ("default-share-image", image_id), load, [pagecache.IMAGES])


@register.inclusion_tag("home/includes/seo_meta.html", takes_context=True)
def seo_meta(context) -> dict:
    """Description, canonical URL, Open Graph and Twitter tags, from the page or the view's context."""
    request = context.get("request")
    page = context.get("page")
    defaults = _setting(SeoSettings, request)
    is_page = isinstance(page, Page)
    title = context.get("meta_title") or (
        (page.seo_title or page.title) if is_page else context.get("title", "")
    )
    description = (
        context.get("meta_description")
        or (page.search_description if is_page else "")
        or (defaults.default_description if defaults else "")
    )
    canonical = context.get("canonical_url")
    if not canonical and is_page and request is not None:
        canonical = request.build_absolute_uri(page.get_url(request))
    if not canonical and request is not None:
        canonical = request.build_absolute_uri(request.path)
    image = context.get("meta_image") or (getattr(page, "social_image", None) if is_page else None)
    image_url = image.get_rendition(SOCIAL_RENDITION).full_url if image is not None else ""
    if image is None and defaults is not None and defaults.default_image_id:
        image_url = _default_image_url(request, defaults.default_image_id)
    if request is not None and image_url.startswith("/"):
        image_url = request.build_absolute_uri(image_url)
    return {
        "title": title,
        "site_name": context.get("SHOP_NAME", ""),
        "description": " ".join(description.split()),
        "canonical": canonical,
        "image_url": image_url,
        "og_type": context.get("og_type", "website"),
        "twitter_site": defaults.twitter_site if defaults else "",
        "robots": context.get("meta_robots", ""),
    }


@register.inclusion_tag("home/includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, page=None, extra=None) -> dict:
    """Visible breadcrumbs plus their BreadcrumbList JSON-LD; `extra` is a (title, url) appended last."""
    request = context.get("request")
    page = page or context.get("page")
    items = seo.breadcrumbs(page, request) if isinstance(page, Page) else []
    if extra:
        items.append(extra)
    return {"items": items, "jsonld": seo.breadcrumb_jsonld(items) if len(items) > 1 else ""}


@register.simple_tag
def product_json_ld(product, url: str, image_urls: list[str]) -> str:
    """The product page's schema.org Product (home/seo.py), as its script element."""
    return seo.json_ld_script(seo.product_json_ld(product, url, image_urls))


@register.simple_tag
def grid_card(item) -> str:
    """A product card in a grid or a listing, from the fragment cache when it is there."""
    return fragments.render_card(item)
