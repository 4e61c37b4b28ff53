"""Template helpers for product photos and prices: `{% load catalog_tags %}`."""

from django import template

from shop.catalog import images, pricing

register = template.Library()


@register.simple_tag
def product_img(product_image, size: str = "card", lazy: bool = True, css_class: str = "img-fluid"):
    """`{% product_img product.main_image "card" lazy=False %}`: an <img> with srcset and sizes."""
    pic = images.picture(product_image, size)
    return pic.img_tag(lazy=lazy, css_class=css_class) if pic else ""


@register.simple_tag
def product_picture(product, size: str = "card"):
    """`{% product_picture product "card" as pic %}`: the main photo; None without one."""
    return images.picture(product.main_image(), size)


@register.simple_tag
def picture_img(pic, lazy: bool = True, css_class: str = "img-fluid"):
    """`{% picture_img pic lazy=False %}` for a Picture from shop.catalog.images.picture()."""
    return pic.img_tag(lazy=lazy, css_class=css_class) if pic else ""


@register.simple_tag
def product_prices(product) -> pricing.ShownPrice:
    """`{% product_prices product as prices %}`: low, high, varies, and on a lawful sale
    compare_at and lowest_30_days (see shop/catalog/pricing.py). Render with the one include,
    templates/catalog/includes/price.html."""
    return pricing.shown_price(product)


@register.filter
def lazy_after(index: int, eager_count: int = 4) -> bool:
    """True (load lazily) for cards below the first `eager_count`, which are above the fold."""
    try:
        return int(index) >= int(eager_count)
    except (TypeError, ValueError):
        return True
