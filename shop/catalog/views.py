from django.http import Http404
from django.shortcuts import redirect, render

from . import services


def product_detail(request, slug: str):
    product = services.get_visible_product(slug)
    if product is None:
        moved = services.find_redirect(slug)
        if moved is None:
            raise Http404("No such product.")
        return redirect(moved, permanent=True)
    return render(request, "catalog/product_detail.html", {"product": product})
