from django.contrib.sitemaps import Sitemap
from wagtail.contrib.sitemaps import Sitemap as PageSitemap

from shop.catalog.models import Product


class ProductSitemap(Sitemap):
    """Every product the shop shows; lastmod follows the product's last change."""

    limit = 5000

    def items(self):
        return Product.objects.active().only("slug", "updated_at").order_by("pk")

    def lastmod(self, product: Product):
        return product.updated_at

    def location(self, product: Product) -> str:
        return product.get_absolute_url()


SITEMAPS = {"pages": PageSitemap, "products": ProductSitemap}
