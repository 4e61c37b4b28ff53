"""Discount codes in the admin's Shop menu, for marketers and shop staff (a snippet, so page
blocks can choose one)."""

from django import forms
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from shop.core.admin_menu import SHOP_MENU_HOOK

from .models import DiscountCode


class DiscountCodeViewSet(SnippetViewSet):
    model = DiscountCode
    icon = "tag"
    menu_label = "Discount codes"
    menu_name = "discount-codes"
    menu_order = 130
    menu_hook = SHOP_MENU_HOOK
    add_to_admin_menu = True
    url_prefix = "shop/discount-codes"
    search_fields = ["code", "description"]
    search_backend_name = None
    copy_view_enabled = False
    list_filter = ["kind", "is_active"]
    list_display = [
        "code",
        Column("get_kind_display", label="Kind"),
        Column("value", label="Value", sort_key="value"),
        Column("starts_at", label="Starts", sort_key="starts_at"),
        Column("ends_at", label="Ends", sort_key="ends_at"),
        Column("usage_limit", label="Total uses"),
        BooleanColumn("is_active", label="Active", sort_key="is_active"),
    ]
    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("is_active")]),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("value"), FieldPanel("minimum_order")]),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
        FieldRowPanel([FieldPanel("usage_limit"), FieldPanel("usage_limit_per_customer")]),
        MultiFieldPanel(
            [FieldPanel("categories", widget=forms.CheckboxSelectMultiple), FieldPanel("products")],
            heading="Limited to (leave both empty for the whole shop)",
        ),
    ]


register_snippet(DiscountCodeViewSet)
