"""A believable demo catalog: T-shirts, Hoodies and Jeans with variants, stock and generated photos.

Idempotent: everything is looked up by its natural key (category slug,
product slug, SKU, image title in the "Products" collection) and only created
when missing, so running it again changes nothing, and keeps what staff edited.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.images import get_image_model
from wagtail.models import Collection

from .models import Category, PriceRecord, Product, ProductImage, ProductVariant
from .pricing import record_price

COLLECTION_NAME = "Products"
CLOTHING_SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
WAIST_SIZES = ["28", "30", "32", "34", "36"]

COLOURS = {
    "Black": "#24242a",
    "White": "#f3f1ec",
    "Navy": "#1f2a44",
    "Heather grey": "#9a9ea3",
    "Forest": "#2f5d46",
    "Rust": "#b5542b",
    "Sand": "#d8c3a0",
    "Sky": "#8fb8de",
    "Burgundy": "#6d2435",
    "Mustard": "#d9a62e",
    "Olive": "#6b6b3a",
    "Dark indigo": "#26325a",
    "Mid blue": "#4f6f9a",
    "Light wash": "#8eaed0",
    "Washed black": "#3a3a40",
    "Stone": "#b9b2a3",
}


@dataclass
class DemoProduct:
    name: str
    price: str
    colours: list[str]
    description: str
    compare_at: str | None = None
    tags: list[str] = field(default_factory=list)
    sold_out: bool = False


CATEGORIES: dict[str, tuple[str, str, list[DemoProduct]]] = {
    "t-shirts": (
        "T-shirts",
        "Everyday tees in organic cotton, from crew necks to heavyweight boxy fits.",
        [
            DemoProduct(
                "Classic crew tee",
                "19.90",
                ["White", "Black", "Navy", "Heather grey"],
                "Our everyday crew neck in soft organic cotton jersey.",
                tags=["bestseller"],
            ),
            DemoProduct(
                "Heavyweight boxy tee",
                "29.90",
                ["Sand", "Black", "Olive"],
                "A dense 240 g cotton tee with a relaxed, boxy cut.",
                tags=["new"],
            ),
            DemoProduct(
                "Pocket tee",
                "24.90",
                ["Forest", "Rust", "White"],
                "A chest pocket and a slightly longer body.",
            ),
            DemoProduct(
                "Linen blend tee",
                "34.90",
                ["Sand", "Sky", "White"],
                "Cool linen and cotton for hot days.",
                compare_at="44.90",
                tags=["summer"],
            ),
            DemoProduct(
                "V-neck tee", "21.90", ["Navy", "Heather grey", "Burgundy"], "A soft v-neck that layers well."
            ),
            DemoProduct(
                "Long sleeve tee",
                "27.90",
                ["Black", "Stone", "Forest"],
                "The classic tee with long sleeves and ribbed cuffs.",
            ),
            DemoProduct(
                "Striped breton tee",
                "32.90",
                ["Navy", "White"],
                "Breton stripes in a sturdy cotton knit.",
                tags=["summer", "bestseller"],
            ),
            DemoProduct(
                "Organic slub tee",
                "23.90",
                ["Mustard", "Sky", "Rust"],
                "Slub yarn gives this tee its lived-in texture.",
                compare_at="29.90",
            ),
            DemoProduct(
                "Ringer tee",
                "22.90",
                ["White", "Sand"],
                "Contrast ribbing at the neck and sleeves, a seventies classic.",
                tags=["new"],
            ),
            DemoProduct(
                "Graphic sun tee",
                "26.90",
                ["Sky", "Sand"],
                "A printed sun on the chest; water-based inks.",
                tags=["summer"],
                sold_out=True,
            ),
        ],
    ),
    "hoodies": (
        "Hoodies",
        "Brushed-back fleece hoodies and zip-ups, made to be worn for years.",
        [
            DemoProduct(
                "Everyday hoodie",
                "59.90",
                ["Heather grey", "Black", "Navy"],
                "Brushed fleece, a double-layer hood and a kangaroo pocket.",
                tags=["bestseller"],
            ),
            DemoProduct(
                "Zip hoodie", "64.90", ["Black", "Forest"], "A full-length metal zip and two side pockets."
            ),
            DemoProduct(
                "Heavyweight hoodie",
                "79.90",
                ["Sand", "Burgundy", "Black"],
                "A 450 g loopback fleece that keeps its shape.",
                tags=["new"],
            ),
            DemoProduct(
                "Lightweight summer hoodie",
                "49.90",
                ["Sky", "White"],
                "Thin French terry for cool evenings.",
                compare_at="59.90",
                tags=["summer"],
            ),
            DemoProduct(
                "Garment-dyed hoodie",
                "69.90",
                ["Rust", "Olive", "Mustard"],
                "Dyed after sewing for a soft, washed colour.",
            ),
            DemoProduct(
                "Cropped hoodie",
                "54.90",
                ["Heather grey", "Sand"],
                "A shorter, boxy body with raw edges.",
                tags=["new"],
            ),
            DemoProduct(
                "Tech fleece hoodie",
                "74.90",
                ["Navy", "Black"],
                "A smooth face and a warm, light fleece back.",
                compare_at="89.90",
            ),
        ],
    ),
    "jeans": (
        "Jeans",
        "Selvedge and stretch denim in slim, straight and relaxed fits, sized by waist.",
        [
            DemoProduct(
                "Slim jeans, dark indigo",
                "89.90",
                ["Dark indigo"],
                "A slim leg in 13 oz stretch denim.",
                tags=["bestseller"],
            ),
            DemoProduct(
                "Straight jeans, mid blue", "84.90", ["Mid blue"], "A straight, classic five-pocket jean."
            ),
            DemoProduct(
                "Relaxed jeans, light wash",
                "79.90",
                ["Light wash"],
                "Roomy through the thigh with a tapered hem.",
                tags=["summer"],
            ),
            DemoProduct(
                "Selvedge jeans, raw indigo",
                "129.90",
                ["Dark indigo"],
                "Japanese selvedge denim that fades with you.",
                tags=["new"],
            ),
            DemoProduct(
                "Tapered jeans, washed black",
                "89.90",
                ["Washed black"],
                "A tapered leg in a washed black that will not go grey.",
                compare_at="109.90",
            ),
            DemoProduct(
                "Carpenter jeans, stone",
                "94.90",
                ["Stone"],
                "Work-wear details: a hammer loop and a rule pocket.",
            ),
            DemoProduct(
                "Wide jeans, mid blue",
                "99.90",
                ["Mid blue"],
                "A wide, high-rise leg in rigid cotton denim.",
                tags=["new"],
            ),
        ],
    ),
}


def _sku(product_slug: str, size: str, colour: str) -> str:
    words = [w for w in product_slug.split("-") if w]
    stem = "".join(w[0] for w in words).upper()[:6]
    colour_code = "".join(w[:3] for w in colour.upper().split())[:6] if colour else "STD"
    return f"{stem}-{abs(hash_str(product_slug)) % 1000:03d}-{colour_code}-{size}"


def hash_str(value: str) -> int:
    """A stable hash (Python's own is salted per process)."""
    h = 0
    for ch in value:
        h = (h * 131 + ord(ch)) % 1_000_003
    return h


def _stock(sku: str, sold_out: bool) -> int:
    if sold_out:
        return 0
    rng = random.Random(sku)  # noqa: S311  (demo data, not security)
    roll = rng.random()
    if roll < 0.12:
        return 0
    if roll < 0.25:
        return rng.randint(1, 4)
    return rng.randint(6, 40)


# Photos -------------------------------------------------------------------


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return red, green, blue


def _shade(rgb: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    red, green, blue = (max(0, min(255, int(c * factor))) for c in rgb)
    return red, green, blue


def _silhouette(kind: str) -> list[tuple[float, float]]:
    """A garment outline on a 0..1 grid."""
    if kind == "jeans":
        return [(0.30, 0.12), (0.70, 0.12), (0.74, 0.90), (0.56, 0.90), (0.50, 0.36),
                (0.44, 0.90), (0.26, 0.90)]  # fmt: skip
    if kind == "hoodies":
        return [(0.38, 0.14), (0.44, 0.10), (0.56, 0.10), (0.62, 0.14), (0.80, 0.22), (0.92, 0.74),
                (0.82, 0.77), (0.72, 0.42), (0.72, 0.88), (0.28, 0.88), (0.28, 0.42), (0.18, 0.77),
                (0.08, 0.74), (0.20, 0.22)]  # fmt: skip
    return [(0.38, 0.16), (0.62, 0.16), (0.86, 0.28), (0.78, 0.42), (0.70, 0.38), (0.70, 0.86),
            (0.30, 0.86), (0.30, 0.38), (0.22, 0.42), (0.14, 0.28)]  # fmt: skip


def render_photo(name: str, kind: str, colour_hex: str, view: str, size=(800, 1000)) -> bytes:
    """A flat product photo: the garment's silhouette in its colour on a soft background, with its name."""
    width, height = size
    garment = _hex(colour_hex)
    light = sum(garment) / 3 > 200
    background = (226, 228, 232) if light else (242, 240, 236)
    if view == "back":
        background = _shade(background, 0.96)
    img = PILImage.new("RGB", size, background)
    draw = ImageDraw.Draw(img)
    scale = 1.6 if view == "detail" else 1.0
    shift_y = 0.12 if view == "detail" else 0.0

    def point(x: float, y: float) -> tuple[float, float]:
        return (0.5 + (x - 0.5) * scale) * width, (0.5 + (y - 0.5 + shift_y) * scale) * height * 0.92

    outline = [point(x, y) for x, y in _silhouette(kind)]
    draw.polygon(outline, fill=garment, outline=_shade(garment, 0.75), width=4)
    seam = _shade(garment, 0.82 if not light else 0.88)
    if kind == "hoodies":
        draw.chord([*point(0.42, 0.06), *point(0.58, 0.24)], 0, 180, fill=seam)
        if view != "back":
            draw.line([point(0.47, 0.20), point(0.47, 0.32)], fill=_shade(seam, 0.8), width=4)
            draw.line([point(0.53, 0.20), point(0.53, 0.32)], fill=_shade(seam, 0.8), width=4)
            draw.rectangle([*point(0.38, 0.62), *point(0.62, 0.74)], outline=seam, width=4)
    elif kind == "jeans":
        draw.line([point(0.30, 0.17), point(0.70, 0.17)], fill=seam, width=4)
        draw.line([point(0.50, 0.17), point(0.50, 0.36)], fill=seam, width=3)
        if view != "back":
            draw.arc([*point(0.32, 0.12), *point(0.44, 0.26)], 0, 90, fill=seam, width=3)
            draw.arc([*point(0.56, 0.12), *point(0.68, 0.26)], 90, 180, fill=seam, width=3)
        else:
            draw.rectangle([*point(0.34, 0.24), *point(0.45, 0.34)], outline=seam, width=3)
            draw.rectangle([*point(0.55, 0.24), *point(0.66, 0.34)], outline=seam, width=3)
    elif view != "back":
        draw.arc([*point(0.42, 0.10), *point(0.58, 0.22)], 0, 180, fill=seam, width=5)

    ink = (40, 40, 46)
    title_font = ImageFont.load_default(size=int(width * 0.05))
    small_font = ImageFont.load_default(size=int(width * 0.028))
    draw.text((width / 2, height * 0.93), name, fill=ink, font=title_font, anchor="mm")
    draw.text((width / 2, height * 0.04), "THREADLINE", fill=_shade(ink, 2.2), font=small_font, anchor="mm")
    buffer = BytesIO()
    img.save(buffer, "JPEG", quality=85, optimize=True)
    return buffer.getvalue()


def products_collection() -> Collection:
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    existing = root.get_children().filter(name=COLLECTION_NAME).first()
    return existing or root.add_child(name=COLLECTION_NAME)


def _image(title: str, filename: str, make_bytes, collection: Collection):
    Image = get_image_model()
    image = Image.objects.filter(title=title, collection=collection).first()
    if image is None:
        image = Image(
            title=title, collection=collection, file=ImageFile(BytesIO(make_bytes()), name=filename)
        )
        image._set_image_file_metadata()
        image.save()
    return image


def _photos(product: Product, kind: str, demo: DemoProduct, collection: Collection) -> None:
    if product.images.exists():
        return
    first, second = demo.colours[0], demo.colours[1] if len(demo.colours) > 1 else None
    views = [(first, "front"), (second, "front") if second else (first, "back")]
    if hash_str(product.slug) % 2 == 0:
        views.append((first, "detail"))
    for order, (colour, view) in enumerate(views):
        title = f"{product.name} - {colour} - {view}"
        filename = f"{product.slug}-{slugify(colour)}-{view}.jpg" if second else f"{product.slug}-{view}.jpg"
        image = _image(
            title,
            filename,
            lambda c=colour, v=view: render_photo(product.name, kind, COLOURS[c], v),
            collection,
        )
        noun = {"front": "front view", "back": "back view", "detail": "close-up"}[view]
        ProductImage.objects.create(
            product=product,
            image=image,
            sort_order=order,
            alt_text=f"{product.name} in {colour.lower()}, {noun}",
        )


@transaction.atomic
def seed_catalog() -> dict[str, int]:
    """Create the demo categories, products, variants and photos that are missing; returns what exists."""
    collection = products_collection()
    for order, (slug, (name, description, items)) in enumerate(CATEGORIES.items()):
        category, _ = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "sort_order": order,
                "meta_description": description,
            },
        )
        sizes = WAIST_SIZES if slug == "jeans" else CLOTHING_SIZES
        for demo in items:
            _seed_product(category, slug, sizes, demo, collection)
    return {
        "categories": Category.objects.filter(slug__in=CATEGORIES).count(),
        "products": Product.all_objects.filter(category__slug__in=CATEGORIES).count(),
        "variants": ProductVariant.objects.filter(product__category__slug__in=CATEGORIES).count(),
        "images": get_image_model().objects.filter(collection=collection).count(),
    }


def _demo_sale_history(variant: ProductVariant, former_price: Decimal) -> None:
    """A sale the law lets the shop show: the former price for 45 days, reduced 10 days ago."""
    now = timezone.now()
    PriceRecord.objects.filter(variant=variant).delete()
    record_price(variant, former_price, at=now - timedelta(days=55))
    record_price(variant, variant.price, at=now - timedelta(days=10))


def _seed_product(category: Category, kind: str, sizes: list[str], demo: DemoProduct, collection) -> None:
    slug = slugify(demo.name)
    product = Product.all_objects.filter(slug=slug).first()
    if product is None:
        product = Product(
            name=demo.name,
            slug=slug,
            category=category,
            base_price=Decimal(demo.price),
            compare_at_price=Decimal(demo.compare_at) if demo.compare_at else None,
            description=f"<p>{demo.description}</p>",
            meta_description=demo.description,
        )
        product.save()
        if demo.tags:
            product.tags.add(*demo.tags)
            product.save()
    # Jeans come in one wash, named in the product: sizes only, no colour choice.
    colours = [""] if kind == "jeans" else demo.colours
    order = 0
    for colour in colours:
        for size in sizes:
            sku = _sku(slug, size, colour)
            variant, created = ProductVariant.objects.get_or_create(
                sku=sku,
                defaults={
                    "product": product,
                    "size": size,
                    "colour": colour,
                    "stock": _stock(sku, demo.sold_out),
                    "sort_order": order,
                },
            )
            order += 1
            if created and demo.compare_at:
                _demo_sale_history(variant, Decimal(demo.compare_at))
    _photos(product, kind, demo, collection)
