"""Orders in Wagtail's admin: the list, the order screen with its actions, the dashboard panel.

Every action calls one service (services.mark_shipped, mark_delivered, cancel_order);
a refused transition comes back as a message, never as an error page.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views import View
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic

from shop.catalog.services import low_stock_variants
from shop.core.admin_menu import ORDER_DETAIL_PANELS_HOOK, SHOP_MENU_HOOK
from shop.core.admin_viewsets import ReadOnlyModelViewSet
from shop.core.money import format_money

from . import services
from .forms import NoteForm, ShipForm
from .models import Order
from .status import NEEDS_REFUND, next_statuses

S = Order.Status
PAID_STATUSES = (S.PAID, S.SHIPPED, S.DELIVERED)
# The CSV exports (shop.reports) take the list's own query string, so they export what is listed.
EXPORT_LINKS = [
    ("orders", "Orders"),
    ("lines", "Order lines"),
    ("refunds", "Refunds"),
    ("vat", "VAT per month and rate"),
]


class OrderFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        choices=S.choices, label="Status", empty_label="All", widget=forms.RadioSelect
    )
    created_at = django_filters.DateFromToRangeFilter(label="Placed", widget=DateRangePickerWidget)

    class Meta:
        model = Order
        fields = ["status", "created_at"]


def search_orders(queryset, query: str):
    """By number or email, plain SQL (the numbers are exact, emails partial); the exports reuse it."""
    q = (query or "").strip()
    if not q:
        return queryset
    return queryset.filter(Q(number__iexact=q) | Q(number__istartswith=q) | Q(email__icontains=q))


class MoneyColumn(Column):
    def get_value(self, instance):
        return format_money(getattr(instance, self.accessor), instance.currency)


class OrderIndexView(generic.IndexView):
    results_template_name = "orders/admin/index_results.html"

    def get_base_queryset(self):
        return Order.objects.annotate(units=Sum("items__quantity"))

    def search_queryset(self, queryset):
        return search_orders(queryset, self.search_query) if self.is_searching else queryset

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        filtered = self.get_queryset().order_by()
        totals = Order.objects.filter(pk__in=filtered.values("pk")).aggregate(
            count=Count("pk"), revenue=Sum("total", filter=Q(status__in=PAID_STATUSES))
        )
        context["totals"] = {
            "count": totals["count"],
            "revenue": format_money(totals["revenue"] or 0),
        }
        context["exports"] = EXPORT_LINKS
        context["query"] = self.request.GET.urlencode()
        return context


class OrderDetailView(generic.InspectView):
    template_name = "orders/admin/detail.html"
    any_permission_required = ["view", "change"]
    page_title = "Order"

    def get_page_subtitle(self):
        return self.object.number

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        can_change = self.user_has_permission("change")
        allowed = next_statuses(order.status) if can_change else frozenset()
        items = list(order.items.all())
        context.update(
            order=order,
            items=items,
            vat_summary=order.vat_summary(items),
            events=order.events.select_related("actor"),
            ship_form=ShipForm(prefix="ship") if S.SHIPPED in allowed else None,
            can_deliver=S.DELIVERED in allowed,
            # A paid order is cancelled by a full refund (the payments panel), never from here.
            can_cancel=S.CANCELLED in allowed and (order.status, S.CANCELLED) not in NEEDS_REFUND,
            paid_needs_refund=can_change and order.status == S.PAID,
            extra_panels=self.extra_panels(order),
        )
        for name in ("ship", "deliver", "cancel"):
            context[f"{name}_url"] = reverse("orders_admin:action", args=[order.pk, name])
        return context

    def extra_panels(self, order) -> list[str]:
        """HTML from other apps (payments) through ORDER_DETAIL_PANELS_HOOK."""
        panels = []
        for fn in hooks.get_hooks(ORDER_DETAIL_PANELS_HOOK):
            html = fn(self.request, order)
            if html:
                panels.append(mark_safe(html))
        return panels


class OrderActionView(generic.PermissionCheckedMixin, View):
    """POST only: ship (with a tracking number), deliver, cancel."""

    model = Order
    permission_required = "change"
    http_method_names = ["post"]

    def post(self, request, pk, action):
        order = get_object_or_404(Order, pk=pk)
        back = redirect("orders_admin:inspect", pk=order.pk)
        note = NoteForm(request.POST, prefix="note")
        note_text = note.cleaned_data["note"] if note.is_valid() else ""
        try:
            if action == "ship":
                form = ShipForm(request.POST, prefix="ship")
                if not form.is_valid():
                    messages.error(request, "Enter the tracking number to mark the order shipped.")
                    return back
                services.mark_shipped(
                    order,
                    tracking_number=form.cleaned_data["tracking_number"],
                    actor=request.user,
                    note=note_text,
                )
                messages.success(
                    request, f"Order {order.number} is marked shipped; the customer was emailed."
                )
            elif action == "deliver":
                services.mark_delivered(order, actor=request.user, note=note_text)
                messages.success(request, f"Order {order.number} is marked delivered.")
            elif action == "cancel":
                services.cancel_order(order, actor=request.user, note=note_text)
                messages.success(request, f"Order {order.number} is cancelled; its stock is back.")
            else:
                messages.error(request, "Unknown action.")
        except services.TransitionNotAllowed as error:
            messages.error(request, str(error))
        return back


class OrderViewSet(ReadOnlyModelViewSet):
    model = Order
    icon = "list-ul"
    name = "orders_admin"
    url_prefix = "shop/orders"
    menu_label = "Orders"
    menu_name = "orders"
    menu_order = 90
    menu_hook = SHOP_MENU_HOOK
    index_view_class = OrderIndexView
    inspect_view_class = OrderDetailView
    inspect_view_enabled = True
    filterset_class = OrderFilterSet
    search_fields = ["number", "email"]
    add_to_reference_index = False
    copy_view_enabled = False
    list_per_page = 50
    ordering = ["-created_at"]
    form_fields: list[str] = []

    @cached_property
    def list_display(self):
        return [
            TitleColumn(
                "number",
                label="Order",
                sort_key="number",
                get_url=lambda order: reverse("orders_admin:inspect", args=[order.pk]),
            ),
            DateColumn("created_at", label="Placed", sort_key="created_at"),
            Column("email", label="Email", sort_key="email"),
            Column("get_status_display", label="Status", sort_key="status"),
            Column("units", label="Items"),
            MoneyColumn("total", label="Total", sort_key="total"),
        ]

    def get_urlpatterns(self):
        """List, order screen and actions; orders are created by checkout only and never edited as a form."""
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
            path("<int:pk>/<str:action>/", OrderActionView.as_view(), name="action"),
        ]


class ShopDashboardPanel(Component):
    """Today's orders and revenue, and what runs out of stock, on the admin home."""

    name = "shop_dashboard"
    template_name = "orders/admin/dashboard_panel.html"
    order = 50

    def __init__(self, *, show_orders: bool, show_stock: bool):
        self.show_orders = show_orders
        self.show_stock = show_stock

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        if self.show_orders:
            start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
            today = Order.objects.filter(created_at__gte=start).aggregate(
                count=Count("pk"),
                paid=Count("pk", filter=Q(status__in=PAID_STATUSES)),
                revenue=Sum("total", filter=Q(status__in=PAID_STATUSES)),
            )
            context["today"] = {**today, "revenue": format_money(today["revenue"] or 0)}
            context["orders_url"] = reverse("orders_admin:index")
        if self.show_stock:
            context["low_stock"] = list(low_stock_variants()[:10])
        context["show_orders"], context["show_stock"] = self.show_orders, self.show_stock
        return context


def dashboard_panel_for(user) -> ShopDashboardPanel | None:
    show_orders = user.has_perm("orders.view_order")
    show_stock = user.has_perm("catalog.change_productvariant")
    if not (show_orders or show_stock):
        return None
    return ShopDashboardPanel(show_orders=show_orders, show_stock=show_stock)
