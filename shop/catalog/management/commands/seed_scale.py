"""Add generated products to the demo catalog until it holds N (for `make bench` at scale).

    python manage.py seed_scale --products 5000

Bulk inserts (no per-row signals, no search indexing, no new photos): each generated
product reuses a demo product's photos and gets one variant per size. Run after
seed_demo; running again with the same N adds nothing.
"""

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from shop.catalog.models import Category, Product, ProductImage, ProductVariant
from shop.core.pagecache import CATALOG, invalidate_pages

PREFIX = "scale-"
SIZES = ("S", "M", "L", "XL")


class Command(BaseCommand):
    help = "Fill the catalog with generated products up to --products N (default 5000)."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=5000)

    @transaction.atomic
    def handle(self, *args, **options):
        wanted = options["products"] - Product.all_objects.count()
        templates = list(Product.objects.prefetch_related("images").order_by("pk"))
        categories = list(Category.objects.filter(is_active=True).order_by("pk"))
        if wanted <= 0 or not templates or not categories:
            self.stdout.write(f"{Product.all_objects.count()} products; nothing to add.")
            return
        start = Product.all_objects.filter(slug__startswith=PREFIX).count()
        products = Product.objects.bulk_create(
            Product(
                name=f"Everyday tee {n:05d}",
                slug=f"{PREFIX}{n:05d}",
                category=categories[n % len(categories)],
                base_price=Decimal(15 + n % 60),
                description="<p>A generated product for measuring the shop at scale.</p>",
            )
            for n in range(start, start + wanted)
        )
        ProductVariant.objects.bulk_create(
            ProductVariant(product=p, size=size, sku=f"{p.slug}-{size}", stock=(p.pk + i) % 7, sort_order=i)
            for p in products
            for i, size in enumerate(SIZES)
        )
        ProductImage.objects.bulk_create(
            ProductImage(product=p, image_id=image.image_id, alt_text=p.name, sort_order=image.sort_order)
            for n, p in enumerate(products)
            for image in templates[n % len(templates)].images.all()
        )
        invalidate_pages(CATALOG)
        self.stdout.write(f"Added {len(products)} products; {Product.all_objects.count()} in all.")
