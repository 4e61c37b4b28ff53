"""Content pages: the home page, the shop index, one page per category, landing pages."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Min, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from shop.catalog.filters import ProductFilter, facets, list_query
from shop.catalog.models import Category
from shop.catalog.services import storefront_products
from shop.core import pagecache, pagetree
from shop.core.paging import page_of_ids

from . import stream_images
from .blocks import ContentStreamBlock
from .products import LISTING_EAGER, CategoryTree, listing_cards, newest_ids, resolve_stream
from .site_settings import (  # noqa: F401  (registered with Wagtail; migrations need them here)
    AnnouncementSettings,
    FooterSettings,
    NavigationSettings,
    SeoSettings,
    SiteSettings,
)

PRODUCTS_PER_PAGE = 24
SORTS = {
    "newest": ("Newest", ["-created_at", "-pk"]),
    "price_asc": ("Price: low to high", ["sort_price", "-created_at", "-pk"]),
    "price_desc": ("Price: high to low", ["-sort_price", "-created_at", "-pk"]),
}


class SeoPage(pagetree.KnownViewRestrictions, Page):
    """Adds a sharing image to Wagtail's promote tab (SEO title, slug, search description)."""

    social_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when the page is shared; the site's default image otherwise.",
    )

    promote_panels = [*Page.promote_panels, FieldPanel("social_image")]

    class Meta:
        abstract = True


class StreamPage(SeoPage):
    """A page built from content blocks whose products are fetched all at once."""

    body = StreamField(ContentStreamBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        with stream_images.preloaded(self.body):
            context["product_lookup"] = resolve_stream(self.body, request)
            resolve_category_tiles(self.body, request)
        return context


def resolve_category_tiles(stream, request) -> None:
    """Give each category tiles block `live_tiles`: active categories that have a live page."""
    blocks = [child.value for child in stream if child.block_type == "category_tiles"]
    if not blocks:
        return
    urls = category_page_urls(request)
    names = CategoryTree.for_request(request).names
    for value in blocks:
        value.live_tiles = [
            {
                "url": urls[tile["category"]],
                "label": tile["label"] or names[tile["category"]],
                "image": tile["image"],
            }
            for tile in value["tiles"]
            if tile["category"] in urls
        ]


def category_page_urls(request) -> dict[int, str]:
    """Category id -> address of its live, public page, for active categories; kept until a page
    is published, moved or deleted or a category changes."""
    tree = pagetree.for_request(request)
    if tree is None:  # no site for this request: no tree to read them from
        live = CategoryPage.objects.live().public().filter(category__is_active=True)
        return {page.category_id: page.get_url(request) for page in live}

    def load() -> dict[int, str]:
        """From the kept category and page trees: no query."""
        urls = {}
        for category_id, page_id in CategoryTree.for_request(request).page_ids.items():
            page = tree.by_pk.get(page_id)
            if page is not None and page.live and tree.is_public(page):
                urls[category_id] = page.as_page().get_url(request)
        return urls

    key = ("category-page-urls", request.get_host())
    return pagecache.memo(request, key, load, [pagecache.PAGES, pagecache.CATALOG_WIDE])


class HomePage(StreamPage):
    """The site root: marketers compose it from blocks."""

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.ShopIndexPage", "home.LandingPage"]
    template = "home/home_page.html"


class LandingPage(StreamPage):
    """An SEO landing page (a sale, a collection, a story) anywhere in the tree."""

    parent_page_types = ["home.HomePage", "home.ShopIndexPage", "home.LandingPage"]
    subpage_types = ["home.LandingPage"]
    template = "home/landing_page.html"


class ShopIndexPage(SeoPage):
    """/shop/: the categories, and the newest arrivals."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])
    new_arrivals = models.PositiveSmallIntegerField(
        default=8, help_text="How many of the newest products to show below the categories (0: none)."
    )

    max_count = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.CategoryPage", "home.LandingPage"]
    template = "home/shop_index_page.html"
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("new_arrivals")]
    promote_panels = SeoPage.promote_panels
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["category_pages"] = (
            pagetree.public(CategoryPage.objects.child_of(self).live(), request)
            .filter(category__is_active=True)
            .select_related("category")
        )
        ids = newest_ids(limit=self.new_arrivals) if self.new_arrivals else []
        context["products"] = listing_cards(request, ids, eager=0)
        return context


class CategoryPage(SeoPage):
    """A catalog category's page at /shop/<category-slug>/; its products come live from the catalog."""

    category = models.OneToOneField(Category, on_delete=models.PROTECT, related_name="+")
    routed_with = ("category",)  # shop.core.pagetree.preroute: the page and its category, one query
    intro = RichTextField(blank=True, features=["h2", "h3", "bold", "italic", "link", "ul", "ol"])

    parent_page_types = ["home.ShopIndexPage"]
    subpage_types: list[str] = []
    template = "home/category_page.html"
    content_panels = [
        *Page.content_panels,
        FieldPanel("category", help_text="The page's address follows the category's slug."),
        FieldPanel("intro"),
    ]
    promote_panels = SeoPage.promote_panels
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    def full_clean(self, *args, **kwargs):
        """The URL is /shop/<category-slug>/ whatever the editor typed as slug."""
        if self.category_id:
            self.slug = Category.objects.values_list("slug", flat=True).get(pk=self.category_id)
        super().full_clean(*args, **kwargs)

    def clean(self):
        super().clean()
        taken = CategoryPage.objects.filter(category_id=self.category_id).exclude(pk=self.pk)
        if self.category_id and taken.exists():
            raise ValidationError({"category": "This category already has a page."})

    def listed_products(self, tree: CategoryTree | None = None):
        """Buyable products of the category and its subcategories (before filters)."""
        tree = tree or CategoryTree.load()
        return storefront_products().buyable().filter(category__in=tree.with_descendants(self.category_id))

    def products(self, sort: str, chosen: ProductFilter | None = None, listed=None):
        """The listed products that match the filter, in the chosen order."""
        order = SORTS.get(sort, SORTS["newest"])[1]
        listed = self.listed_products() if listed is None else listed
        return (
            (chosen or ProductFilter())
            .apply(listed)
            .annotate(
                sort_price=Min(
                    Coalesce("variants__price_override", "base_price"), filter=Q(variants__is_active=True)
                )
            )
            .order_by(*order)
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if not self.category.is_active:
            raise Http404("This category is not in the shop.")
        sort = request.GET.get("sort", "newest")
        sort = sort if sort in SORTS else "newest"
        chosen = ProductFilter.from_query(request.GET)
        listed = self.listed_products(CategoryTree.for_request(request))
        # Ids only, read with their total: the page's cards come from the fragment cache, or are
        # fetched for those missing.
        ordered = self.products(sort, chosen, listed)
        page_obj = page_of_ids(ordered, request.GET.get("page"), PRODUCTS_PER_PAGE)
        canonical = request.build_absolute_uri(self.get_url(request))
        if not chosen.active and page_obj.number > 1:
            canonical = f"{canonical}?page={page_obj.number}"
        context.update(
            {
                "sort": sort,
                "sorts": [(key, label) for key, (label, _) in SORTS.items()],
                "page_obj": page_obj,
                "products": listing_cards(request, list(page_obj.object_list), eager=LISTING_EAGER),
                "filter": chosen,
                "facets": facets(listed, chosen),
                "list_query": list_query(chosen, sort=sort if sort != "newest" else ""),
                "sort_keep": [("sort", sort if sort != "newest" else "")],
                "clear_url": self.get_url(request),
                # Each unfiltered listing page is its own canonical page; sort orders and
                # filtered views point at the unfiltered list and are kept out of the index.
                "canonical_url": canonical,
                "meta_robots": "noindex, follow" if chosen.active else "",
                "meta_description": self.search_description or self.category.meta_description,
            }
        )
        return context
