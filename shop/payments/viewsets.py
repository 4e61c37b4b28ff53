"""A read-only "Payment events" screen in the Shop menu: what providers said and what the shop did."""

from django.urls import path
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic

from shop.core.admin_menu import SHOP_MENU_HOOK
from shop.core.admin_viewsets import ReadOnlyModelViewSet

from .models import PaymentLog


class PaymentLogIndexView(generic.IndexView):
    page_title = "Payment events"
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return PaymentLog.objects.select_related("payment__order")

    def get_edit_url(self, instance):
        """Rows open the read-only inspect view: the log is a record, never edited."""
        return self.get_inspect_url(instance)

    def get_add_url(self):
        return None


class PaymentLogViewSet(ReadOnlyModelViewSet):
    model = PaymentLog
    icon = "list-ul"
    name = "payment_events"
    url_prefix = "shop/payment-events"
    menu_label = "Payment events"
    menu_name = "payment-events"
    menu_order = 310
    menu_hook = SHOP_MENU_HOOK
    index_view_class = PaymentLogIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    search_fields = ["event_id", "event_type", "message", "payment__order__number"]
    list_filter = ["provider", "direction", "outcome", "event_type"]
    list_display = [
        Column("event_type", label="Event", sort_key="event_type"),
        Column(
            "order_number",
            label="Order",
            accessor=lambda log: log.payment.order.number if log.payment else "",
        ),
        Column("get_direction_display", label="Direction"),
        Column("get_outcome_display", label="Outcome", sort_key="outcome"),
        Column("message", label="Message"),
        DateColumn("created_at", label="At", sort_key="created_at"),
    ]
    inspect_view_fields = [
        "created_at",
        "provider",
        "direction",
        "event_id",
        "event_type",
        "payment",
        "outcome",
        "message",
        "object_reference",
        "payload",
    ]

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]
