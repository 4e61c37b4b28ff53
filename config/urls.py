from django.conf import settings
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from shop.core import health, metrics
from shop.core.favicon import favicon

handler500 = "shop.core.errors.server_error"  # a database lost outside a view: 503, not 500

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on every site whatever the page says; serve the static one.
    path("favicon.ico", favicon, name="favicon"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("products/", include("shop.catalog.urls")),
    path("cart/", include("shop.cart.urls")),
    path("", include("shop.invoices.urls")),  # /orders/<number>/invoice/, .../credit-notes/<number>/
    path("", include("shop.returns.urls")),  # /orders/<number>/return/
    path("", include("shop.orders.urls")),  # /checkout/, /orders/<number>/, /accounts/orders/
    path("payments/", include("shop.payments.urls")),
    path("accounts/", include("shop.accounts.urls")),
    path("", include("home.urls")),  # /search/, /sitemap.xml, /robots.txt
]

if not settings.AWS_STORAGE_BUCKET_NAME:
    # Media on a local volume (development, single-container use); on S3 otherwise.
    urlpatterns += [
        re_path(
            r"^media/(?P<path>.*)$",
            cache_control(max_age=60 * 60 * 24)(serve),
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

# Wagtail's page serving comes last: it matches every remaining path.
urlpatterns += [path("", include(wagtail_urls))]
