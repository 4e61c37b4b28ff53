"""VAT rates in the admin's Shop menu, for the staff who keep them."""

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from shop.core.admin_menu import SHOP_MENU_HOOK

from .models import VatRate


class VatRateViewSet(ModelViewSet):
    model = VatRate
    icon = "table"
    name = "vat_rates"
    url_prefix = "shop/vat-rates"
    menu_label = "VAT rates"
    menu_name = "vat_rates"
    menu_order = 95
    menu_hook = SHOP_MENU_HOOK
    add_to_reference_index = False
    form_fields = ["country", "tax_class", "rate"]
    list_display = ["country", "tax_class", "rate"]
    list_filter = ["country", "tax_class"]
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_vat_rates():
    return VatRateViewSet()
