"""Which cart a request means: the member's, or the guest's keyed by the database session."""

from contextlib import nullcontext

from django.contrib.sessions.backends.base import CreateError
from django.db import transaction
from django.http import HttpRequest

from shop.catalog.models import ProductVariant
from shop.core.sessions import draw_key

from . import services
from .models import Cart

CART_ID = "cart_id"  # kept in the session data, which survives the key rotation at login


# Per-request memos, kept in the request's own attributes (vars) so they die with it.
_CART = "_shop_cart"
_COUNT = "_shop_cart_count"
COUNT_LOADED_WITH_USER = "cart_count_when_read"  # shop.accounts.backends reads it with the member


def _guest_key(request: HttpRequest) -> str | None:
    """The session key a guest's cart is kept under; None for a member (their cart is theirs)."""
    return None if request.user.is_authenticated else request.session.session_key


def current_cart(request: HttpRequest) -> Cart | None:
    memo = vars(request)
    if _CART not in memo:
        memo[_CART] = services.cart_for(request.user, _guest_key(request))
    return memo[_CART]


def current_cart_and_lines(request: HttpRequest) -> tuple[Cart | None, list]:
    """current_cart() and its lines, read together (services.cart_and_lines): the cart page."""
    cart, items = services.cart_and_lines(request.user, _guest_key(request))
    vars(request)[_CART] = cart
    return cart, items


def ensure_cart(request: HttpRequest) -> Cart:
    """The request's cart, created when there is none yet: a member's, or that of a guest who
    already has a session (a visitor without one starts with start_cart).

    A guest's session is saved with the new cart's id before this returns, so inside the
    caller's transaction (shop/core/sessions.py then skips the SessionMiddleware's second save):
    cart, session and first line are one commit."""
    cart = current_cart(request)
    if cart is None:
        if request.user.is_authenticated:
            cart = services.get_or_create_cart(request.user)
        else:
            session = request.session
            cart = services.get_or_create_cart(session_key=session.session_key)
            session[CART_ID] = cart.pk
            session.save()
        vars(request)[_CART] = cart
    return cart


def start_cart(request: HttpRequest, variant: ProductVariant, quantity: int) -> Cart:
    """A visitor without a session: its session, cart and first line in one transaction.

    The session is written once, last, with the cart's id (shop/core/sessions.draw_key): five
    statements where session.create(), ensure_cart and add_item took thirteen. A clash of
    random keys (a CreateError) rolls everything back and draws again."""
    session = request.session
    for attempt in range(3):
        try:
            with transaction.atomic():
                cart = services.start_guest_cart(draw_key(session), variant, quantity)
                session[CART_ID] = cart.pk
                session.save(must_create=True)
            break
        except CreateError:
            if attempt == 2:
                raise
    vars(request)[_CART] = cart
    return cart


def add_to_cart(request: HttpRequest, variant: ProductVariant, quantity: int) -> None:
    """Add to the request's cart in one commit, making the cart (and a new visitor's session)
    when there is none yet; the caller has checked the variant (services.check_available)."""
    if request.session.session_key is None and not request.user.is_authenticated:
        start_cart(request, variant, quantity)
        return
    with transaction.atomic() if current_cart(request) is None else nullcontext():
        services.add_item(ensure_cart(request), variant, quantity)


def remember_cart_count(request: HttpRequest, count: int) -> None:
    """A view that has just counted the cart (or emptied it) spares the header its query."""
    vars(request)[_COUNT] = count


def cart_count(request: HttpRequest) -> int:
    """Units in the request's cart; one query at most, cached on the request.

    A member the session brought (shop.accounts.backends) carries their count, read with them:
    used on a GET or HEAD, which never changes a cart, so it is the count now."""
    memo = vars(request)
    if _COUNT not in memo:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated:
            loaded = (
                getattr(user, COUNT_LOADED_WITH_USER, None) if request.method in ("GET", "HEAD") else None
            )
            memo[_COUNT] = loaded if loaded is not None else services.item_count(user)
        elif session is not None and isinstance(session.get(CART_ID), int):
            memo[_COUNT] = services.item_count(cart_id=session[CART_ID])  # written by us, not the visitor
        else:
            key = session.session_key if session is not None else None
            memo[_COUNT] = services.item_count(session_key=key)
    return memo[_COUNT]


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
    for attr in (_CART, _COUNT):
        request.__dict__.pop(attr, None)
    if cut:
        from django.contrib import messages

        messages.info(
            request,
            "Your cart was merged; some quantities were lowered to what is in stock: " + ", ".join(cut) + ".",
        )
