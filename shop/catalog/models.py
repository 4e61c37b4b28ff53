"""The catalog: categories, products (soft-deleted), their images and sellable variants."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.fields import RichTextField
from wagtail.models import Orderable
from wagtail.search import index

from shop.tax.models import TaxClass

SIZE_ORDER = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL"]


def unique_slug(queryset, name: str, exclude_pk=None) -> str:
    """A slug from the name, suffixed -2, -3, ... when taken."""
    base = slugify(name)[:200] or "item"
    candidate, n = base, 2
    while queryset.filter(slug=candidate).exclude(pk=exclude_pk).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


# Product is a ClusterableModel, which ships no types: the Django plugin cannot build the reverse
# manager `products` that Product.category adds here.
class Category(models.Model):  # type: ignore[django-manager-missing]
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    seo_title = models.CharField("SEO title", max_length=120, blank=True)
    meta_description = models.CharField(max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField("active", default=True)
    size_guide = models.ForeignKey(
        "catalog.SizeGuide",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown on its products' pages (and those of its subcategories without one).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="catalog_category_not_own_parent")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Category.objects, self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def ancestors(self) -> list["Category"]:
        """From the top-level category down to this one's parent."""
        chain, seen, node = [], {self.pk}, self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return list(reversed(chain))


class ProductTag(TaggedItemBase):
    content_object = ParentalKey("catalog.Product", on_delete=models.CASCADE, related_name="tagged_items")


class ProductQuerySet(models.QuerySet):
    def active(self):
        """Shown in the shop: active, not deleted, in an active category."""
        return self.filter(is_active=True, deleted_at__isnull=True, category__is_active=True)

    def buyable(self):
        """Active products with at least one active variant in stock."""
        in_stock = ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True, stock__gt=0)
        return self.active().filter(Exists(in_stock))

    def with_in_stock(self):
        in_stock = ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True, stock__gt=0)
        return self.annotate(in_stock=Exists(in_stock))


ProductManagerBase = models.Manager.from_queryset(ProductQuerySet)


class AliveProductManager(ProductManagerBase):
    """The default manager: soft-deleted products do not exist for the shop."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class AllProductManager(ProductManagerBase):
    pass


class Product(index.Indexed, ClusterableModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=220,
        unique=True,
        help_text="The product's URL. Changing it keeps the old URL as a redirect.",
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    description = RichTextField(blank=True, features=["bold", "italic", "ul", "ol", "link"])
    base_price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    tax_class = models.CharField(
        "VAT class",
        max_length=20,
        choices=TaxClass.choices,
        default=TaxClass.STANDARD,
        help_text="Prices include VAT; the rate comes from Shop → VAT rates for this class.",
    )
    compare_at_price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="The former price, shown struck through when higher than the price.",
    )
    is_active = models.BooleanField("active", default=True)
    size_guide = models.ForeignKey(
        "catalog.SizeGuide",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Leave empty to use the category's size guide.",
    )
    seo_title = models.CharField("SEO title", max_length=120, blank=True)
    meta_description = models.CharField(max_length=300, blank=True)
    tags = ClusterTaggableManager(through=ProductTag, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)

    objects: "AliveProductManager" = AliveProductManager()
    all_objects: "AllProductManager" = AllProductManager()

    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.SearchField("description"),
        index.RelatedFields("category", [index.SearchField("name")]),
        index.RelatedFields("variants", [index.SearchField("sku"), index.SearchField("colour")]),
        index.FilterField("is_active"),
        index.FilterField("deleted_at"),
        index.FilterField("category"),
    ]

    class Meta:
        ordering = ["-created_at", "name"]
        base_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(condition=Q(base_price__gte=0), name="catalog_product_price_not_negative"),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gte=0),
                name="catalog_product_compare_at_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:product_detail", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        """Fill the slug from the name once; keep every former slug as a redirect."""
        if not self.slug:
            self.slug = unique_slug(Product.all_objects, self.name, exclude_pk=self.pk)
        previous_slug = None
        if self.pk:
            previous_slug = Product.all_objects.filter(pk=self.pk).values_list("slug", flat=True).first()
        super().save(*args, **kwargs)
        from .pricing import record_product_prices

        record_product_prices(self)
        if previous_slug and previous_slug != self.slug:
            ProductSlugRedirect.objects.filter(old_slug=self.slug).delete()
            ProductSlugRedirect.objects.update_or_create(old_slug=previous_slug, defaults={"product": self})

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_visible(self) -> bool:
        """Shown in the shop: the one-object twin of ProductQuerySet.active() (select the category)."""
        return self.is_active and self.deleted_at is None and self.category.is_active

    @property
    def is_buyable(self) -> bool:
        """At least one active variant in stock; uses the with_in_stock() annotation when present."""
        annotated = getattr(self, "in_stock", None)
        if annotated is not None:
            return bool(annotated)
        return any(v.is_available for v in self.variants.all())

    def main_image(self):
        """The first image; uses the prefetched list when there is one."""
        images = list(self.images.all())
        return images[0] if images else None


class ProductImage(Orderable):
    product = ParentalKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    alt_text = models.CharField(max_length=200, help_text="Describes the photo for people who cannot see it.")

    class Meta(Orderable.Meta):
        verbose_name = "product image"

    def __str__(self) -> str:
        return self.alt_text or f"Image of {self.product_id}"


class ProductVariant(Orderable):
    """One size (and colour) of a product: what is actually sold and stocked."""

    product = ParentalKey(Product, on_delete=models.CASCADE, related_name="variants")
    size = models.CharField(max_length=20)
    colour = models.CharField(max_length=40, blank=True)
    sku = models.CharField("SKU", max_length=64, unique=True)
    price_override = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Leave empty to sell at the product's price.",
    )
    stock = models.IntegerField(default=0, validators=[MinValueValidator(0)])
    is_active = models.BooleanField("active", default=True)

    class Meta(Orderable.Meta):
        verbose_name = "variant"
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="catalog_variant_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(price_override__isnull=True) | Q(price_override__gte=0),
                name="catalog_variant_price_not_negative",
            ),
            models.UniqueConstraint(
                fields=["product", "size", "colour"], name="catalog_variant_unique_option"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} - {self.label}"

    def save(self, *args, **kwargs):
        """Every change of the selling price is written to its price history (pricing.py)."""
        super().save(*args, **kwargs)
        from .pricing import record_price

        record_price(self, self.price)

    @property
    def label(self) -> str:
        return f"{self.size} / {self.colour}" if self.colour else self.size

    @property
    def price(self) -> Decimal:
        return self.price_override if self.price_override is not None else self.product.base_price

    @property
    def is_sellable(self) -> bool:
        """May go in a cart or an order: an active variant of a product the shop shows (Product.is_visible).

        The one-object twin of services.sellable_variants(); stock is checked separately."""
        return self.is_active and self.product.is_visible

    @property
    def is_available(self) -> bool:
        return self.is_active and self.stock > 0

    @property
    def size_rank(self) -> tuple[int, str]:
        return (SIZE_ORDER.index(self.size), "") if self.size in SIZE_ORDER else (len(SIZE_ORDER), self.size)


class PriceRecord(models.Model):
    """A period during which a variant sold at one price; the open one (valid_until null) is current.

    `lowest_prior` is the lowest price of the 30 days before this price took effect,
    fixed when the record is written (the past does not change): the "Lowest price in
    the last 30 days" the EU's Omnibus rules ask for beside a reduced price.
    """

    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="price_records")
    price = models.DecimalField(max_digits=10, decimal_places=2)
    valid_from = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField(null=True, blank=True)
    lowest_prior = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["variant", "valid_from", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant"],
                condition=Q(valid_until__isnull=True),
                name="catalog_price_one_open_record",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="catalog_price_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["variant", "valid_until"], name="catalog_price_variant_until")]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.price} from {self.valid_from:%Y-%m-%d}"


class ProductSlugRedirect(models.Model):
    """An old product URL that must keep working after a slug change."""

    old_slug = models.SlugField(max_length=220, unique=True)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.product.slug}"


from .size_guides import SizeGuide as SizeGuide  # noqa: E402  (a model of this app, in its own module)
from .stock_alerts import StockAlert  # noqa: E402, F401
