"""Which cart a request means: the member's, or the guest's keyed by the database session."""

from django.http import HttpRequest

from . import services
from .models import Cart

CART_ID = "cart_id"  # kept in the session data, which survives the key rotation at login


def current_cart(request: HttpRequest) -> Cart | None:
    if not hasattr(request, "_cart"):
        key = None if request.user.is_authenticated else request.session.session_key
        request._cart = services.cart_for(request.user, key)
    return request._cart


def ensure_cart(request: HttpRequest) -> Cart:
    """The request's cart, created (with a session key for a guest) when there is none yet."""
    cart = current_cart(request)
    if cart is None:
        if request.user.is_authenticated:
            cart = services.get_or_create_cart(request.user)
        else:
            if request.session.session_key is None:
                request.session.save()
            cart = services.get_or_create_cart(session_key=request.session.session_key)
            request.session[CART_ID] = cart.pk
        request._cart = cart
    return cart


def cart_count(request: HttpRequest) -> int:
    """Units in the request's cart; one query at most, cached on the request."""
    if not hasattr(request, "_cart_count"):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated:
            request._cart_count = services.item_count(user)
        else:
            key = session.session_key if session is not None else None
            request._cart_count = services.item_count(session_key=key)
    return request._cart_count


def merge_on_login(sender, request, user, **kwargs) -> None:
    """Fold the guest cart into the member's; found through the session data, not the rotated key."""
    if request is None or not hasattr(request, "session"):
        return
    cart_id = request.session.pop(CART_ID, None)
    guest = Cart.objects.filter(pk=cart_id, user__isnull=True).first() if cart_id else None
    if guest is None:
        return
    if not guest.items.exists():
        guest.delete()
        return
    member = services.get_or_create_cart(user)
    cut = services.merge_carts(guest, member)
    for attr in ("_cart", "_cart_count"):
        request.__dict__.pop(attr, None)
    if cut:
        from django.contrib import messages

        messages.info(
            request,
            "Your cart was merged; some quantities were lowered to what is in stock: " + ", ".join(cut) + ".",
        )
