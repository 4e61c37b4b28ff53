from django.utils.functional import SimpleLazyObject

from .session import cart_count


def cart(request):
    """The header's Cart count, computed only when a template reads it."""
    return {"cart_count": SimpleLazyObject(lambda: cart_count(request))}
