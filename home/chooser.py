"""The product chooser marketers use in the page editor: by name, with a thumbnail."""

from django.db.models import Prefetch
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet

from shop.catalog.models import Category, Product, ProductImage


class ThumbnailColumn(Column):
    cell_template_name = "home/admin/product_thumbnail_cell.html"

    def get_value(self, instance):
        return instance.main_image()


class ProductColumnsMixin:
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
