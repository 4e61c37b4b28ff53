from .session import cart_count


def cart(request):
    """The header's Cart count, computed only when a template reads it."""
    return {"cart_count": _Lazy(request)}


class _Lazy:
    def __init__(self, request):
        self.request = request

    def __str__(self) -> str:
        return str(cart_count(self.request))

    def __int__(self) -> int:
        return cart_count(self.request)

    def __bool__(self) -> bool:
        return bool(cart_count(self.request))
