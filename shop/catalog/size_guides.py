"""Size guides: a measurements table per size with a note, chosen per category, overridable per product."""

from django.db import models
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.fields import StreamField

TABLE_OPTIONS = {"startRows": 6, "startCols": 4, "colHeaders": False, "rowHeaders": False}


class SizeGuide(models.Model):
    """A Wagtail snippet (Shop → Size guides); the first row of the table is its header."""

    name = models.CharField(max_length=120, unique=True, help_text="For staff, e.g. “Tops (cm)”.")
    table = StreamField(
        [("measurements", TableBlock(table_options=TABLE_OPTIONS))],
        min_num=1,
        max_num=1,
        help_text="First row: headings (Size, Chest, Waist...). One row per size below it.",
    )
    note = models.TextField(blank=True, help_text="How to measure, or how the fit runs.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def rows(self) -> tuple[list[str], list[list[str]]]:
        """The table's header and body rows as text (empty rows dropped)."""
        for block in self.table:
            data = [[str(cell or "") for cell in row] for row in block.value.get("data") or []]
            data = [row for row in data if any(cell.strip() for cell in row)]
            return (data[0], data[1:]) if data else ([], [])
        return [], []


def size_guide_for(product) -> SizeGuide | None:
    """The product's own guide, else its category's, else the nearest parent category's."""
    if product.size_guide_id:
        return product.size_guide
    category = product.category
    seen = set()
    while category is not None and category.pk not in seen:
        if category.size_guide_id:
            return category.size_guide
        seen.add(category.pk)
        category = category.parent
    return None
