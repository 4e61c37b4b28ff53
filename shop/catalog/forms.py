"""The admin's product form and its variant rows."""

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from .services import StockEdit


class ProductForm(WagtailAdminModelForm):
    """The slug may be left empty: it is made from the name, and kept as it is on later edits.

    Two variants with the same size and colour, or the same SKU, are refused by
    the variants formset's own unique checks before the database sees them.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        return slug or (self.instance.slug if self.instance.pk else "")

    def stock_edits(self) -> list[StockEdit]:
        """The stock of each kept, existing variant: as shown when the form was opened, and as posted."""
        formset = self.formsets["variants"]
        return [
            StockEdit(form.instance.pk, form.cleaned_data.get("stock_shown"), form.cleaned_data["stock"])
            for form in formset.forms
            if form.instance.pk and not form.cleaned_data.get("DELETE")
        ]

    def show_current_stock(self, variant_id: int, stock: int, message: str) -> None:
        """After a refused stock edit: the variant's row shows the stock there is now, and why."""
        for form in self.formsets["variants"].forms:
            if form.instance.pk == variant_id:
                data = form.data.copy()
                data[form.add_prefix("stock")] = data[form.add_prefix("stock_shown")] = str(stock)
                form.data = data
                form.add_error("stock", message)


class VariantForm(WagtailAdminModelForm):
    """A variant row; `stock_shown` carries the stock the form was opened with (see apply_stock_edits).

    Rendered as a hidden input by the inline panel (a form field no panel claims).
    A re-rendered form keeps the value first shown, so the difference stays the one staff made.
    """

    stock_shown = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["stock_shown"].initial = self.instance.stock

    def get_field_updates_for_resave(self):
        """After a background save the open page must count from the new stock, not the old one."""
        updates = list(super().get_field_updates_for_resave())
        if self.instance.pk:
            stock = str(self.instance.stock)
            updates += [(self.add_prefix("stock"), stock), (self.add_prefix("stock_shown"), stock)]
        return updates
