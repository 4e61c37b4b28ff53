from django.urls import path, reverse
from wagtail import views as wagtail_views

from shop.core.pagecache import shared_page

from . import views

app_name = "home"


@shared_page
def shop_page(request, slug: str = ""):
    """The shop index and the category pages are Wagtail pages at fixed addresses (a category
    page's slug follows its category: home/signals.py). Named here, so templates and
    `Category.get_absolute_url` (settings.ABSOLUTE_URL_OVERRIDES) never spell the path."""
    return wagtail_views.serve(request, f"shop/{slug}/" if slug else "shop/")


def category_url(category) -> str:
    """Where a catalog category's page lives; the catalog itself does not know."""
    return reverse("home:category", args=[category.slug])


urlpatterns = [
    path("search/", views.search, name="search"),
    path("shop/", shop_page, name="shop_index"),
    path("shop/<slug:slug>/", shop_page, name="category"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
