"""Returns in the admin: the list (Shop → Returns), one screen per request with its actions."""

import django_filters
from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views import View
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic

from shop.core.admin_menu import SHOP_MENU_HOOK
from shop.core.admin_viewsets import ReadOnlyModelViewSet

from . import services
from .models import ReturnRequest
from .status import TRANSITIONS

R = ReturnRequest.Status


class ReturnFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        choices=R.choices, label="Status", empty_label="All", widget=forms.RadioSelect
    )

    class Meta:
        model = ReturnRequest
        fields = ["status"]


class ReturnDetailView(generic.InspectView):
    template_name = "returns/admin/detail.html"
    any_permission_required = ["view", "change"]
    page_title = "Return"

    def get_page_subtitle(self):
        return f"{self.object.pk} · order {self.object.order.number}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ret = self.object
        can_change = self.user_has_permission("change")
        allowed = TRANSITIONS.get(ret.status, frozenset()) if can_change else frozenset()
        context.update(
            ret=ret,
            order=ret.order,
            lines=ret.lines.select_related("item", "wanted_variant"),
            allowed=allowed,
            urls={name: reverse("returns_admin:action", args=[ret.pk, name]) for name in ACTIONS},
            order_url=reverse("orders_admin:inspect", args=[ret.order_id]),
        )
        return context


ACTIONS = ("approve", "reject", "receive", "refund")


class ReturnActionView(generic.PermissionCheckedMixin, View):
    model = ReturnRequest
    permission_required = "change"
    http_method_names = ["post"]

    def post(self, request, pk, action):
        ret = get_object_or_404(ReturnRequest, pk=pk)
        note = (request.POST.get("note") or "").strip()[:500]
        try:
            if action == "approve":
                services.approve_return(ret, actor=request.user, note=note)
                messages.success(request, f"Return {ret.pk} approved; the customer was emailed.")
            elif action == "reject":
                services.reject_return(ret, actor=request.user, note=note)
                messages.success(request, f"Return {ret.pk} rejected; the customer was emailed.")
            elif action == "receive":
                done = services.receive_return(ret, actor=request.user)
                messages.success(request, _received_message(done))
            elif action == "refund":
                done = services.settle_refund(ret, actor=request.user)
                messages.success(request, _received_message(done))
            else:
                messages.error(request, "Unknown action.")
        except services.ReturnNotAllowed as error:
            messages.error(request, str(error))
        return redirect("returns_admin:inspect", pk=ret.pk)


def _received_message(ret: ReturnRequest) -> str:
    parts = [f"Return {ret.pk} received; the items are back in stock."]
    if ret.exchange_order is not None:
        parts.append(f"Exchange order {ret.exchange_order.number} is ready to ship.")
    if ret.refund_amount:
        parts.append(f"{ret.refund_amount} refunded.")
    return " ".join(parts)


class ReturnViewSet(ReadOnlyModelViewSet):
    model = ReturnRequest
    icon = "redirect"
    name = "returns_admin"
    url_prefix = "shop/returns"
    menu_label = "Returns"
    menu_name = "returns"
    menu_order = 92
    menu_hook = SHOP_MENU_HOOK
    inspect_view_class = ReturnDetailView
    inspect_view_enabled = True
    filterset_class = ReturnFilterSet
    add_to_reference_index = False
    copy_view_enabled = False
    list_per_page = 50
    ordering = ["-created_at"]
    form_fields: list[str] = []

    @cached_property
    def list_display(self):
        return [
            TitleColumn(
                "label",
                label="Return",
                get_url=lambda ret: reverse("returns_admin:inspect", args=[ret.pk]),
            ),
            Column("order", label="Order", accessor=lambda ret: ret.order.number),
            DateColumn("created_at", label="Requested", sort_key="created_at"),
            Column("get_status_display", label="Status", sort_key="status"),
        ]

    def get_queryset(self, request=None):
        return ReturnRequest.objects.select_related("order")

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
            path("<int:pk>/<str:action>/", ReturnActionView.as_view(), name="action"),
        ]
