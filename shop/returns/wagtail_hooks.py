from django.template.loader import render_to_string
from wagtail import hooks

from .admin_views import ReturnViewSet
from .models import ReturnRequest


@hooks.register("register_admin_viewset")
def register_returns_viewset():
    return ReturnViewSet()


@hooks.register("shop_order_detail_panels")
def order_returns_panel(request, order):
    returns = list(ReturnRequest.objects.filter(order=order).select_related("exchange_order"))
    exchange_of = ReturnRequest.objects.filter(exchange_order=order).select_related("order").first()
    if not returns and exchange_of is None:
        return ""
    return render_to_string(
        "returns/admin/order_panel.html", {"returns": returns, "exchange_of": exchange_of}
    )
