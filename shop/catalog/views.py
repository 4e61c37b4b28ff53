from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shop.core.pagecache import shared_page

from . import images, services, stock_alerts
from .size_guides import size_guide_for


@shared_page
def product_detail(request, slug: str):
    """The product page; an old slug redirects permanently, a hidden or unknown product is a 404."""
    product = services.get_visible_product(slug)
    if product is None:
        moved = services.find_redirect(slug)
        if moved is None:
            raise Http404("No such product.")
        return redirect(moved, permanent=True)
    pictures = [p for p in (images.picture(image, "detail") for image in product.images.all()) if p]
    canonical_url = request.build_absolute_uri(product.get_absolute_url())
    context = {
        "product": product,
        "pictures": pictures,
        "options": services.variant_options(product, request.GET.get("colour")),
        "max_quantity": settings.SHOP_MAX_LINE_QUANTITY,
        "canonical_url": canonical_url,
        "image_urls": [request.build_absolute_uri(p.src) for p in pictures],
        "size_guide": size_guide_for(product),
        "sold_out_variants": [v for v in services.active_variants(product) if not v.is_available],
    }
    return render(request, "catalog/product_detail.html", context)


@require_POST
def request_stock_alert(request, slug: str):
    """ "Notify me" on a sold-out variant of this product."""
    product = services.get_visible_product(slug)
    if product is None:
        raise Http404("No such product.")
    variant = next((v for v in product.variants.all() if str(v.pk) == request.POST.get("variant", "")), None)
    try:
        if variant is None:
            raise stock_alerts.AlertError("Choose the size you want.")
        stock_alerts.request_alert(variant, request.POST.get("email", ""))
    except stock_alerts.AlertError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"We will email you once when {product.name} ({variant.label}) is back.")
    return redirect(product)


def stock_alert_unsubscribe(request, token: str):
    """A confirmation page (GET) and the cancellation (POST): a link preview must not unsubscribe."""
    if request.method == "POST":
        count = stock_alerts.unsubscribe(token)
        return render(request, "catalog/stock_alert_unsubscribe.html", {"done": True, "count": count})
    return render(request, "catalog/stock_alert_unsubscribe.html", {"done": False})


def size_guide(request, slug: str):
    """The product's size guide as a page of its own: the "Size guide" link without JavaScript."""
    product = services.get_visible_product(slug)
    guide = size_guide_for(product) if product is not None else None
    if guide is None:
        raise Http404("No size guide for this product.")
    return render(request, "catalog/size_guide.html", {"product": product, "size_guide": guide})
