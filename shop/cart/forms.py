"""Parsing of the cart's POSTs: bad input becomes a message, never an exception."""

from django.http import QueryDict

from .services import CartError, find_variant, parse_quantity


def parse_add(data: QueryDict):
    """(variant, quantity) from `variant=<id>` or `product=<id>&size=..&colour=..`, plus `quantity`."""
    quantity = parse_quantity(data.get("quantity", "1"))
    if not data.get("variant") and not data.get("size") and data.get("product"):
        raise CartError("Choose a size.")
    variant = find_variant(
        variant_id=data.get("variant"),
        product_id=data.get("product"),
        size=data.get("size", ""),
        colour=data.get("colour", ""),
    )
    if variant is None:
        raise CartError("That size and colour is not available. Choose another one.")
    return variant, quantity
