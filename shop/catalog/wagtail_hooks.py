"""Registers the catalog's admin screens (in the "Shop" menu) and bulk actions."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from . import bulk_actions  # noqa: F401  (registers the bulk actions)
from .alert_viewsets import StockAlertViewSet
from .viewsets import CategoryViewSet, LowStockViewSet, ProductViewSet, SizeGuideViewSet

register_snippet(ProductViewSet)
register_snippet(CategoryViewSet)
register_snippet(SizeGuideViewSet)
hooks.register("register_admin_viewset", LowStockViewSet)


@hooks.register("register_admin_viewset")
def stock_alerts_viewset():
    return StockAlertViewSet()
