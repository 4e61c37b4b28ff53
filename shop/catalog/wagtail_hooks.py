"""Registers the catalog's admin screens and bulk actions; see viewsets.py and bulk_actions.py."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from . import bulk_actions  # noqa: F401  (registers the bulk actions)
from .alert_viewsets import StockAlertViewSet
from .viewsets import ShopMenu

register_snippet(ShopMenu)


@hooks.register("register_admin_viewset")
def stock_alerts_viewset():
    return StockAlertViewSet()
