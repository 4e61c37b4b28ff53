"""The product chooser marketers use in the page editor: by name, with a thumbnail."""

from django import forms
from django.db.models import Prefetch
from django.templatetags.static import static
from wagtail.admin.telepath import register as register_telepath_adapter
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView, ChosenView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets import BaseChooser, BaseChooserAdapter
from wagtail.images.shortcuts import get_rendition_or_not_found

from shop.catalog.models import Category, Product, ProductImage


class ThumbnailColumn(Column):
    cell_template_name = "home/admin/product_thumbnail_cell.html"

    def get_value(self, instance):
        return instance.main_image()


class ProductColumnsMixin:
    title_column: Column  # provided by the chooser view this is mixed into

    @property
    def columns(self):
        return [
            ThumbnailColumn("thumbnail", label="Image", width="10%"),
            self.title_column,
            Column("category", label="Category", accessor="category.name"),
            Column("status", label="Status", accessor=lambda p: "Active" if p.is_active else "Inactive"),
        ]


class ProductChooseView(ProductColumnsMixin, ChooseView):
    pass


class ProductChooseResultsView(ProductColumnsMixin, ChooseResultsView):
    pass


def product_preview(product: Product) -> dict:
    """The small photo shown beside a chosen product in the editor ({} without a photo)."""
    main = product.main_image()
    if main is None:
        return {}
    rendition = get_rendition_or_not_found(main.image, "fill-52x65")
    return {"url": rendition.url, "width": rendition.width, "height": rendition.height}


class ProductChooserWidgetBase(BaseChooser):
    template_name = "home/admin/product_chooser_widget.html"

    def get_value_data_from_instance(self, instance):
        return {**super().get_value_data_from_instance(instance), "preview": product_preview(instance)}

    def get_context(self, name, value_data, attrs):
        context = super().get_context(name, value_data, attrs)
        context["preview"] = (value_data or {}).get("preview", {})
        return context


class ProductChooserAdapter(BaseChooserAdapter):
    js_constructor = "home.widgets.ProductChooser"

    @property
    def media(self):
        return super().media + forms.Media(js=[static("home/js/product-chooser-telepath.js")])


register_telepath_adapter(ProductChooserAdapter(), ProductChooserWidgetBase)


class ProductChosenView(ChosenView):
    def get_chosen_response_data(self, item):
        return {**super().get_chosen_response_data(item), "preview": product_preview(item)}


class ProductChooserViewSet(ChooserViewSet):
    model = Product
    icon = "tag"
    choose_one_text = "Choose a product"
    choose_another_text = "Choose another product"
    edit_item_text = "Edit product"
    per_page = 20
    register_widget = False  # blocks only: the catalog's own forms keep their widgets
    choose_view_class = ProductChooseView
    choose_results_view_class = ProductChooseResultsView
    chosen_view_class = ProductChosenView
    base_widget_class = ProductChooserWidgetBase

    def get_object_list(self):
        """Deleted products cannot be chosen; inactive ones can (blocks show them once reactivated)."""
        images = ProductImage.objects.select_related("image").prefetch_related("image__renditions")
        return (
            Product.objects.select_related("category")
            .prefetch_related(Prefetch("images", queryset=images.order_by("sort_order")))
            .order_by("name")
        )


class CategoryChooserViewSet(ChooserViewSet):
    model = Category
    icon = "folder-open-inverse"
    choose_one_text = "Choose a category"
    choose_another_text = "Choose another category"
    edit_item_text = "Edit category"
    register_widget = False

    def get_object_list(self):
        return Category.objects.filter(is_active=True).order_by("sort_order", "name")


product_chooser_viewset = ProductChooserViewSet("product_chooser", url_prefix="shop-chooser/products")
category_chooser_viewset = CategoryChooserViewSet("category_chooser", url_prefix="shop-chooser/categories")
