"""Shop → Stock alerts: the pending back-in-stock requests, by variant (read-only for staff)."""

from django.urls import path
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic

from shop.core.admin_menu import SHOP_MENU_HOOK
from shop.core.admin_viewsets import ReadOnlyModelViewSet

from .stock_alerts import StockAlert


class PendingAlertsView(generic.IndexView):
    page_title = "Stock alerts"

    def get_base_queryset(self):
        return (
            StockAlert.objects.filter(sent_at=None)
            .select_related("variant__product")
            .order_by("variant__product__name", "variant__sku", "created_at")
        )

    def get_edit_url(self, instance):
        return None

    def get_add_url(self):
        return None


class StockAlertViewSet(ReadOnlyModelViewSet):
    model = StockAlert
    icon = "mail"
    name = "stock_alerts"
    url_prefix = "shop/stock-alerts"
    menu_label = "Stock alerts"
    menu_name = "stock-alerts"
    menu_order = 125
    menu_hook = SHOP_MENU_HOOK
    add_to_admin_menu = True
    index_view_class = PendingAlertsView
    copy_view_enabled = False
    add_to_reference_index = False
    search_fields = ["email", "variant__sku", "variant__product__name"]
    list_display = [
        Column("product", label="Product", accessor=lambda a: a.variant.product.name),
        Column("variant", label="Variant", accessor=lambda a: f"{a.variant.label} ({a.variant.sku})"),
        Column("stock", label="Stock now", accessor=lambda a: a.variant.stock),
        Column("email", label="Email"),
        DateColumn("created_at", label="Asked", sort_key="created_at"),
    ]

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]
