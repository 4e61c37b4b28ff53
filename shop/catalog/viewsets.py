"""The catalog in Wagtail's admin: products (with variants and images on one screen), categories, low stock.

Permissions are Django's model permissions: "view" lists and inspects,
"change" edits (prices, stock, everything), "delete" soft-deletes and restores.
Marketers hold view_* only; shop staff hold every catalog permission.
"""

from typing import Any

import django_filters
from django.contrib import messages
from django.db import IntegrityError
from django.db.models import Exists, OuterRef, Q, Sum
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import View
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, StatusTagColumn
from wagtail.admin.views import generic
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from shop.core.admin_menu import SHOP_MENU_HOOK
from shop.core.admin_viewsets import ReadOnlyModelViewSet
from shop.core.money import format_money

from . import services
from .forms import ProductForm, VariantForm
from .models import Category, Product, ProductVariant, SizeGuide

YES_NO = [("true", "Yes"), ("false", "No")]


# Products -----------------------------------------------------------------


class ProductFilterSet(WagtailFilterSet):
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), label="Category")
    is_active = django_filters.BooleanFilter(label="Active", widget=BooleanRadioSelect)
    in_stock = django_filters.BooleanFilter(
        label="In stock", method="filter_in_stock", widget=BooleanRadioSelect
    )
    deleted = django_filters.BooleanFilter(
        label="Deleted", method="filter_deleted", widget=BooleanRadioSelect
    )

    class Meta:
        model = Product
        fields = ["category", "is_active", "in_stock", "deleted"]

    def filter_in_stock(self, queryset, name, value):
        return queryset.filter(in_stock=value)

    def filter_deleted(self, queryset, name, value):
        return queryset.filter(deleted_at__isnull=not value)

    def filter_queryset(self, queryset):
        """Deleted products are listed only when asked for."""
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("deleted") is None:
            queryset = queryset.filter(deleted_at__isnull=True)
        return queryset


class ProductIndexView(snippet_views.IndexView):
    def get_base_queryset(self):
        """Every product, deleted ones too (the Deleted filter decides), with what the columns show."""
        in_stock = ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True, stock__gt=0)
        return (
            Product.all_objects.select_related("category")
            .annotate(in_stock=Exists(in_stock), total_stock=Sum("variants__stock"))
            .order_by("-updated_at")
        )

    def search_queryset(self, queryset):
        """Name, slug or a variant's SKU; plain SQL so it combines with the annotations and filters."""
        if not self.is_searching:
            return queryset
        sku = ProductVariant.objects.filter(product=OuterRef("pk"), sku__icontains=self.search_query)
        return queryset.filter(
            Q(name__icontains=self.search_query) | Q(slug__icontains=self.search_query) | Exists(sku)
        )

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.is_deleted:
            buttons = [b for b in buttons if getattr(b, "label", "") != "Delete"]
            if self.permission_policy.user_has_permission(self.request.user, "delete"):
                url = reverse(self.model.snippet_viewset.get_url_name("restore"), args=[instance.pk])
                buttons.append(MenuItem("Restore", url, icon_name="undo", priority=30))
        return buttons


class ProductEditView(snippet_views.EditView):
    def get_object(self, queryset=None):
        """Deleted products stay editable (and restorable) by staff."""
        return super().get_object(Product.all_objects.all())

    def get_header_buttons(self):
        buttons = list(super().get_header_buttons())
        if self.object.is_deleted and self.permission_policy.user_has_permission(self.request.user, "delete"):
            url = reverse(self.model.snippet_viewset.get_url_name("restore"), args=[self.object.pk])
            buttons.append(HeaderButton("Restore", url=url, icon_name="undo"))
        return buttons

    def save_instance(self):
        """Stock changes count from what the form showed, under the variants' locks."""
        product, stocks = services.apply_stock_edits(
            self.object.pk, self.form.stock_edits(), super().save_instance
        )
        for form in self.form.formsets["variants"].forms:
            form.instance.stock = stocks.get(form.instance.pk, form.instance.stock)
        return product

    def form_valid(self, form):
        """A refused save (stock taken meanwhile, a database rule) is a form error, not a 500.

        Wagtail runs save_instance in a transaction of its own, so the refusal saved nothing.
        """
        try:
            return super().form_valid(form)
        except services.StockConflict as exc:
            form.show_current_stock(exc.variant_id, exc.left, f"{exc} The field now shows the current stock.")
            form.add_error(None, str(exc))
        except IntegrityError:
            form.add_error(None, "The product could not be saved: a value broke a database rule.")
        # What Wagtail's documented `is_valid` sets for a form that failed; form_invalid reads it.
        self.produced_error_code = "validation_error"
        self.produced_error_message = self.get_error_message()
        return self.form_invalid(form)


class ProductDeleteView(snippet_views.DeleteView):
    """Delete means soft delete: the row stays for past orders and can be restored."""

    def get_usage_url(self):
        return None

    @property
    def confirmation_message(self):
        return (
            "The product disappears from the shop, search and sitemaps. Past orders keep it, "
            "and you can restore it from the product list's Deleted filter."
        )

    def delete_action(self):
        services.soft_delete_product(self.object)


class ProductRestoreView(generic.PermissionCheckedMixin, View):
    """Brings a soft-deleted product back; who may delete may restore."""

    model = None
    model_viewset: Any = None  # the ProductViewSet, passed by its construct_view
    permission_required = "delete"
    template_name = "catalog/admin/confirm_restore.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(Product.all_objects, pk=kwargs["pk"])

    def get(self, request, *args, **kwargs):
        index_url = reverse(self.model_viewset.get_url_name("list"))
        return TemplateResponse(request, self.template_name, {"product": self.object, "index_url": index_url})

    def post(self, request, *args, **kwargs):
        services.restore_product(self.object)
        messages.success(request, f"Product '{self.object}' restored.")
        return redirect(self.model_viewset.get_url_name("edit"), self.object.pk)


class VariantsPanel(InlinePanel):
    """The variants inline, with rows that remember the stock they showed (VariantForm)."""

    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name]["form"] = VariantForm
        return options


def _price(product: Product) -> str:
    return format_money(product.base_price)


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "tag"
    menu_label = "Products"
    menu_hook = SHOP_MENU_HOOK
    menu_name = "products"
    menu_order = 100
    url_prefix = "shop/products"
    index_view_class = ProductIndexView
    edit_view_class = ProductEditView
    delete_view_class = ProductDeleteView
    inspect_view_enabled = True
    inspect_view_fields = [
        "name",
        "slug",
        "category",
        "base_price",
        "compare_at_price",
        "is_active",
        "description",
        "created_at",
        "updated_at",
    ]
    copy_view_enabled = False
    filterset_class = ProductFilterSet
    list_per_page = 50
    list_export = ["name", "slug", "category", "base_price", "compare_at_price", "is_active", "total_stock"]

    list_display = [
        "name",
        Column("category", label="Category", accessor="category.name", sort_key="category__name"),
        Column("price", label="Price", accessor=_price, sort_key="base_price"),
        Column("total_stock", label="Stock", sort_key="total_stock"),
        BooleanColumn("in_stock", label="In stock"),
        BooleanColumn("is_active", label="Active", sort_key="is_active"),
        StatusTagColumn(
            "status", label="Status", accessor=lambda p: "Deleted" if p.is_deleted else "Live", primary=False
        ),
        DateColumn("updated_at", label="Updated", sort_key="updated_at"),
    ]

    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("name"),
                    FieldPanel("category"),
                    FieldRowPanel(
                        [FieldPanel("base_price"), FieldPanel("compare_at_price"), FieldPanel("tax_class")]
                    ),
                    FieldPanel("description"),
                    FieldPanel("tags"),
                    FieldPanel("size_guide"),
                    FieldPanel("is_active"),
                ],
                heading="Product",
            ),
            ObjectList(
                [
                    VariantsPanel(
                        "variants",
                        heading="Variants and stock",
                        label="Variant",
                        min_num=1,
                        panels=[
                            FieldRowPanel([FieldPanel("size"), FieldPanel("colour"), FieldPanel("sku")]),
                            FieldRowPanel(
                                [FieldPanel("stock"), FieldPanel("price_override"), FieldPanel("is_active")]
                            ),
                        ],
                    )
                ],
                heading="Variants",
            ),
            ObjectList(
                [
                    InlinePanel(
                        "images",
                        heading="Photos (the first is the main one)",
                        label="Photo",
                        panels=[FieldPanel("image"), FieldPanel("alt_text")],
                    )
                ],
                heading="Photos",
            ),
            ObjectList(
                [
                    MultiFieldPanel(
                        [FieldPanel("slug"), FieldPanel("seo_title"), FieldPanel("meta_description")],
                        heading="Search engines",
                    )
                ],
                heading="SEO",
            ),
        ],
        base_form_class=ProductForm,
    )

    @cached_property
    def restore_view(self):
        return self.construct_view(ProductRestoreView, model_viewset=self)

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("restore/<int:pk>/", self.restore_view, name="restore")]


# Categories ---------------------------------------------------------------


class CategoryFilterSet(WagtailFilterSet):
    is_active = django_filters.BooleanFilter(label="Active", widget=BooleanRadioSelect)
    parent = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), label="Parent")

    class Meta:
        model = Category
        fields = ["is_active", "parent"]


class CategoryDeleteView(snippet_views.DeleteView):
    def form_valid(self, form):
        if self.object.products.model.all_objects.filter(category=self.object).exists():
            messages.error(self.request, "This category still has products: move or delete them first.")
            return redirect(self.get_success_url())
        return super().form_valid(form)


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = "Categories"
    menu_hook = SHOP_MENU_HOOK
    menu_name = "categories"
    menu_order = 110
    url_prefix = "shop/categories"
    delete_view_class = CategoryDeleteView
    filterset_class = CategoryFilterSet
    search_fields = ["name", "slug"]
    search_backend_name = None
    copy_view_enabled = False
    list_display = [
        "name",
        Column("parent", label="Parent", accessor="parent.name"),
        Column("sort_order", label="Sort order", sort_key="sort_order"),
        BooleanColumn("is_active", label="Active", sort_key="is_active"),
    ]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("parent"),
        FieldPanel("description"),
        FieldPanel("size_guide"),
        FieldRowPanel([FieldPanel("sort_order"), FieldPanel("is_active")]),
        MultiFieldPanel([FieldPanel("seo_title"), FieldPanel("meta_description")], heading="Search engines"),
    ]

    def get_queryset(self, request):
        return Category.objects.select_related("parent")


# Low stock ----------------------------------------------------------------


class LowStockIndexView(generic.IndexView):
    """Variants at or under SHOP_LOW_STOCK_THRESHOLD, emptiest first; each links to its product."""

    page_title = "Low stock"
    any_permission_required = ["view", "change"]
    default_ordering = "stock"

    def get_base_queryset(self):
        return services.low_stock_variants().select_related("product__category")

    def get_edit_url(self, instance):
        if self.request.user.has_perm("catalog.change_product"):
            return reverse(Product.snippet_viewset.get_url_name("edit"), args=[instance.product_id])
        return None

    def get_add_url(self):
        return None

    def get_copy_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None


class LowStockViewSet(ReadOnlyModelViewSet):
    model = ProductVariant
    icon = "warning"
    name = "low_stock"
    url_prefix = "shop/low-stock"
    menu_label = "Low stock"
    menu_hook = SHOP_MENU_HOOK
    menu_name = "low-stock"
    menu_order = 120
    index_view_class = LowStockIndexView
    sort_order_field = None
    add_to_reference_index = False
    copy_view_enabled = False
    search_fields = ["sku", "product__name"]
    list_filter: list[str] = []
    list_display = [
        "product",
        Column("label", label="Variant"),
        Column("sku", label="SKU", sort_key="sku"),
        Column("stock", label="Stock", sort_key="stock"),
    ]
    form_fields = ["stock"]

    def get_urlpatterns(self):
        """A list only: variants are edited on their product's screen."""
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]


class SizeGuideViewSet(SnippetViewSet):
    model = SizeGuide
    icon = "table"
    menu_label = "Size guides"
    menu_hook = SHOP_MENU_HOOK
    menu_name = "size-guides"
    menu_order = 115
    url_prefix = "shop/size-guides"
    search_fields = ["name"]
    search_backend_name = None
    list_display = ["name"]
    panels = [FieldPanel("name"), FieldPanel("table"), FieldPanel("note")]
