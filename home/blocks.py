"""StreamField blocks shared by the home and landing pages.

Product blocks store product ids only. Their values are plain ints; the page
fetches every product of every block in one go (home/products.py) and the
block templates read current data from that lookup, so a price change shows at
once and a deleted or inactive product silently disappears.
"""

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms.utils import ErrorList
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.snippets.blocks import SnippetChooserBlock

from .chooser import category_chooser_viewset, product_chooser_viewset
from .fragments import CachedFragmentBlock
from .stream_images import BatchedImageChooserBlock

_BaseProductChooserBlock = product_chooser_viewset.get_block_class(
    name="BaseProductChooserBlock", module_path="home.blocks"
)
CategoryChooserBlock = category_chooser_viewset.get_block_class(
    name="CategoryChooserBlock", module_path="home.blocks"
)


class KeptAsId:
    """A chooser block mixin: the chosen object is kept as its id, so loading a stream runs no
    query for it; the page fetches what it shows in bulk (home/products.py)."""

    target_model: type[Model]

    def _pk(self, value):
        return value.pk if isinstance(value, Model) else value

    def to_python(self, value):
        return None if value in (None, "") else int(value)

    def bulk_to_python(self, values):
        return [self.to_python(v) for v in values]

    def get_prep_value(self, value):
        return self._pk(value)

    def value_from_form(self, value):
        return None if value in (None, "") else int(self._pk(value))

    def clean(self, value):
        return self._pk(super().clean(self._pk(value)))  # type: ignore[misc]  # the chooser block's

    def normalize(self, value):
        return None if value in (None, "") else int(self._pk(value))

    def extract_references(self, value):
        if value is not None:
            yield self.target_model, str(self._pk(value)), "", ""


# Wagtail builds the chooser block classes at run time, so mypy cannot use them as bases.
class ProductChooserBlock(KeptAsId, _BaseProductChooserBlock):  # type: ignore[misc,valid-type]
    """A chosen product, kept as its id."""


class CategoryIdChooserBlock(KeptAsId, CategoryChooserBlock):  # type: ignore[misc,valid-type]
    """A chosen category kept as its id: a grid needs its descendants, a tile its name and page,
    all read from the kept category tree (home/products.py)."""


class LinkStructValue(blocks.StructValue):
    @property
    def href(self) -> str:
        page = self.get("page")
        if page is not None and page.live:
            return page.url
        return self.get("url") or ""


class LinkBlock(blocks.StructBlock):
    """A label and where it goes: a page of the site, or a path or address."""

    label = blocks.CharBlock(max_length=60)
    page = blocks.PageChooserBlock(required=False)
    url = blocks.CharBlock(
        required=False, max_length=300, help_text="A path such as /shop/ or a full https:// address."
    )

    class Meta:
        icon = "link"
        value_class = LinkStructValue

    def clean(self, value):
        value = super().clean(value)
        url = value.get("url") or ""
        if not value.get("page") and not url:
            raise StructBlockValidationError({"url": ErrorList(["Choose a page or enter a link."])})
        if url and not url.startswith(("/", "https://", "http://", "mailto:")):
            raise StructBlockValidationError({"url": ErrorList(["Start with /, https:// or mailto:."])})
        return value


class OptionalLinkBlock(LinkBlock):
    label = blocks.CharBlock(max_length=60, required=False)

    def clean(self, value):
        if not value.get("label") and not value.get("page") and not value.get("url"):
            return blocks.StructBlock.clean(self, value)
        return super().clean(value)


class HeroBlock(blocks.StructBlock):
    image = BatchedImageChooserBlock(required=False)
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False, max_length=400)
    call_to_action = OptionalLinkBlock(required=False)

    class Meta:
        icon = "image"
        template = "home/blocks/hero.html"


class ProductGridBlock(CachedFragmentBlock, blocks.StructBlock):
    heading = blocks.CharBlock(required=False, max_length=120)
    source = blocks.ChoiceBlock(
        choices=[
            ("chosen", "The products chosen below"),
            ("newest", "The newest products of the shop"),
            ("category", "The newest products of a category"),
            ("tag", "Products with a tag"),
        ],
        default="chosen",
    )
    products = blocks.ListBlock(ProductChooserBlock(), required=False, default=[])
    category = CategoryIdChooserBlock(required=False)
    tag = blocks.CharBlock(required=False, max_length=100)
    limit = blocks.IntegerBlock(default=8, min_value=1, max_value=48, help_text="How many products at most.")

    class Meta:
        icon = "table"
        template = "home/blocks/product_grid.html"

    def clean(self, value):
        value = super().clean(value)
        source = value.get("source")
        errors = {}
        if source == "chosen" and not [p for p in value.get("products") or [] if p]:
            errors["products"] = ErrorList([ValidationError("Choose at least one product.")])
        if source == "category" and not value.get("category"):
            errors["category"] = ErrorList(["Choose a category."])
        if source == "tag" and not (value.get("tag") or "").strip():
            errors["tag"] = ErrorList(["Enter a tag."])
        if errors:
            raise StructBlockValidationError(errors)
        return value


class FeaturedProductBlock(CachedFragmentBlock, blocks.StructBlock):
    product = ProductChooserBlock()
    heading = blocks.CharBlock(required=False, max_length=120, help_text="Defaults to the product's name.")
    text = blocks.TextBlock(required=False, max_length=600)

    class Meta:
        icon = "pick"
        template = "home/blocks/featured_product.html"


class CategoryTileBlock(blocks.StructBlock):
    category = CategoryIdChooserBlock()  # its name and page come from the kept category tree
    label = blocks.CharBlock(required=False, max_length=60, help_text="Defaults to the category's name.")
    image = BatchedImageChooserBlock(required=False)


class CategoryTilesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, max_length=120)
    tiles = blocks.ListBlock(CategoryTileBlock(), min_num=1)

    class Meta:
        icon = "grip"
        template = "home/blocks/category_tiles.html"


class PromoBannerBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False, max_length=400)
    image = BatchedImageChooserBlock(required=False)
    link = OptionalLinkBlock(required=False)
    style = blocks.ChoiceBlock(
        choices=[("dark", "Dark"), ("light", "Light"), ("accent", "Accent")], default="dark"
    )

    class Meta:
        icon = "pick"
        template = "home/blocks/promo_banner.html"


class DiscountPromoBlock(CachedFragmentBlock, blocks.StructBlock):
    """Promotes a discount code: the code, its end date and products it applies to; hidden once
    the code has ended, been switched off or used up (home.products.resolve_stream decides)."""

    code = SnippetChooserBlock("discounts.DiscountCode")
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False, max_length=400)
    limit = blocks.IntegerBlock(default=4, min_value=0, max_value=12, help_text="Products to show (0: none).")

    class Meta:
        icon = "tag"
        label = "Discount code promotion"
        template = "home/blocks/discount_promo.html"


class CallToActionBlock(LinkBlock):
    style = blocks.ChoiceBlock(choices=[("primary", "Solid"), ("outline", "Outline")], default="primary")

    class Meta:
        icon = "link-external"
        template = "home/blocks/call_to_action.html"


class ContentStreamBlock(blocks.StreamBlock):
    hero = HeroBlock()
    rich_text = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "hr", "image"],
        template="home/blocks/rich_text.html",
    )
    product_grid = ProductGridBlock()
    featured_product = FeaturedProductBlock()
    category_tiles = CategoryTilesBlock()
    promo_banner = PromoBannerBlock()
    call_to_action = CallToActionBlock()
    discount_promo = DiscountPromoBlock()
