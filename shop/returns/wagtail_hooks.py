from django.db.models import Q
from django.template.loader import render_to_string
from wagtail import hooks

from .admin_views import ReturnViewSet
from .models import ReturnRequest


@hooks.register("register_admin_viewset")
def register_returns_viewset():
    return ReturnViewSet()


@hooks.register("shop_order_detail_panels")
def order_returns_panel(request, order):
    """One query: the order's returns, and the return this order ships an exchange for."""
    rows = list(
        ReturnRequest.objects.filter(Q(order=order) | Q(exchange_order=order)).select_related(
            "order", "exchange_order"
        )
    )
    returns = [ret for ret in rows if ret.order_id == order.pk]
    exchange_of = next((ret for ret in rows if ret.exchange_order_id == order.pk), None)
    if not returns and exchange_of is None:
        return ""
    return render_to_string(
        "returns/admin/order_panel.html", {"returns": returns, "exchange_of": exchange_of}
    )
