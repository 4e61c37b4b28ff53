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


class ContentSitemap(PageSitemap):
    """Live public pages, on the host the request came to (like the products and canonical links)."""

    def items(self):
        from .models import CategoryPage

        hidden = CategoryPage.objects.filter(category__is_active=False).values("pk")
        return super().items().exclude(pk__in=hidden)

    def _urls(self, page, protocol, domain):
        urls = []
        for item in self.paginator.page(page).object_list:
            for url_info in item.get_sitemap_urls(self.request):
                url_info["location"] = self.request.build_absolute_uri(item.get_url(self.request))
                urls.append(url_info)
        return urls


SITEMAPS = {"pages": ContentSitemap, "products": ProductSitemap}
