"""Cart rules: what may go in, how much, merging on login, and the totals shown (never trusted later)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import Combinable
from django.utils import timezone

from shop.accounts.models import AnyUser
from shop.catalog.images import main_photo_join
from shop.catalog.models import Category, Product, ProductVariant
from shop.core import sql
from shop.core.money import format_money, quantize
from shop.discounts import services as discounts
from shop.shipping.services import missing_for_free_shipping, shipping_for

from .models import Cart, CartItem

ASCII_DIGITS = re.compile(r"[0-9]+")  # str.isdigit() also accepts "²", which int() refuses


class CartError(ValueError):
    """Input the cart refuses; the message is shown to the shopper as it is."""


def max_quantity() -> int:
    return settings.SHOP_MAX_LINE_QUANTITY


def parse_quantity(raw: object) -> int:
    """A whole number from 1 to the maximum, or a CartError saying what is allowed."""
    limit = max_quantity()
    text = str(raw if raw is not None else "").strip()
    if not ASCII_DIGITS.fullmatch(text) or not 1 <= int(text) <= limit:
        raise CartError(f"Quantity must be a whole number from 1 to {limit}.")
    return int(text)


def _as_id(raw: object) -> int | None:
    text = str(raw if raw is not None else "").strip()
    return int(text) if ASCII_DIGITS.fullmatch(text) and len(text) < 18 else None


def find_variant(
    *, variant_id: object = None, product_id: object = None, size: str = "", colour: str = ""
) -> ProductVariant | None:
    """The sellable variant named by id, or by product + size (+ colour); None when there is none.

    One query by a unique key, with its product and category, then ProductVariant.is_sellable
    (the one-object twin of sellable_variants()). Fixed SQL (shop/core/sql.py): compiling this
    three-table query was a third of the add-to-cart POST's CPU."""
    params: list[int | str]
    if variant_id not in (None, ""):
        pk = _as_id(variant_id)
        if pk is None:
            return None
        by, params = "id", [pk]
    else:
        pk = _as_id(product_id)
        size, colour = (size or "").strip(), (colour or "").strip()
        if pk is None or not size:
            return None
        by, params = "options", [pk, size, colour]
    found = sql.rows(_variant_sql(by), params)
    variant: ProductVariant | None = sql.chain(found[0], _VARIANT_MODELS) if found else None  # type: ignore[assignment]
    return variant if variant is not None and variant.is_sellable else None


_VARIANT_MODELS = (ProductVariant, Product, Category)


@cache
def _variant_sql(by: str) -> str:
    col = sql.column
    if by == "id":
        where = f"{col(ProductVariant, 'id')} = %s"
    else:
        where = f"{col(ProductVariant, 'product')} = %s AND {col(ProductVariant, 'size')} = %s"
        where += f" AND {col(ProductVariant, 'colour')} = %s"
    return f"{sql.select_chain(_VARIANT_MODELS)} WHERE {where} ORDER BY {col(ProductVariant, 'id')} LIMIT 1"


def describe(variant: ProductVariant) -> str:
    return f"{variant.product.name} ({variant.label})"


# --- finding and creating carts -------------------------------------------------


def cart_for(user: AnyUser | None = None, session_key: str | None = None) -> Cart | None:
    """The member's cart, or the guest cart of this session; None when there is none yet.

    Read on every cart, checkout and account page: fixed SQL (shop/core/sql.py), one row by a
    unique key."""
    if user is not None and user.is_authenticated:
        return next(iter(Cart.objects.raw(_cart_sql("user"), [user.pk])), None)
    if session_key:
        return next(iter(Cart.objects.raw(_cart_sql("session"), [session_key])), None)
    return None


@cache
def _cart_sql(owner: str) -> str:
    return f"SELECT {sql.columns(Cart)} FROM {sql.table(Cart)} WHERE {_owned_by(owner)}"  # noqa: S608


def _owned_by(owner: str) -> str:
    """The member's cart ("user"), or a session's guest cart ("session"), by one parameter."""
    if owner == "user":
        return f"{sql.column(Cart, 'user')} = %s"
    return f"{sql.column(Cart, 'session_key')} = %s AND {sql.column(Cart, 'user')} IS NULL"


def get_or_create_cart(user: AnyUser | None = None, session_key: str | None = None) -> Cart:
    if user is not None and user.is_authenticated:
        return Cart.objects.get_or_create(user=user)[0]
    if not session_key:
        raise ValueError("A guest cart needs a session key.")
    return Cart.objects.get_or_create(session_key=session_key, user=None)[0]


def item_count(
    user: AnyUser | None = None, session_key: str | None = None, cart_id: int | None = None
) -> int:
    """Units in the cart, in one query (the header's Cart link, read on every personal page).

    Fixed SQL (shop/core/sql.py). A guest's cart by the id its session keeps (one table, no
    join); a member's by its user, a session's by its key."""
    value: object
    if user is not None and user.is_authenticated:
        owner, value = "user", user.pk
    elif cart_id is not None:
        owner, value = "cart", cart_id
    elif session_key:
        owner, value = "session", session_key
    else:
        return 0
    return sql.scalar(_count_sql(owner), [value])  # type: ignore[return-value]


def member_count(user_id_column: str) -> tuple[str, tuple]:
    """item_count of the member whose id is in this column, read with every signed-in user
    (shop.core.session_user; registered in CartConfig.ready)."""
    return _count_sql("user", user_id_column), ()


@cache
def _count_sql(owner: str, value: str = "%s") -> str:
    """SUM of the quantities of one cart's lines; `value`: a placeholder or the owner's column."""
    total = f"SELECT COALESCE(SUM({sql.column(CartItem, 'quantity')}), 0) FROM {sql.table(CartItem)}"  # noqa: S608
    if owner == "cart":
        return f"{total} WHERE {sql.column(CartItem, 'cart')} = {value}"
    joined = f"{total} JOIN {sql.table(Cart)} ON {sql.column(Cart, 'id')} = {sql.column(CartItem, 'cart')}"
    if owner == "user":
        return f"{joined} WHERE {sql.column(Cart, 'user')} = {value}"
    return (
        f"{joined} WHERE {sql.column(Cart, 'session_key')} = {value} AND {sql.column(Cart, 'user')} IS NULL"
    )


# --- changing a cart --------------------------------------------------------------


def check_available(variant: ProductVariant, quantity: int) -> None:
    if not variant.is_sellable:
        raise CartError(f"{describe(variant)} is no longer sold.")
    if variant.stock < 1:
        raise CartError(f"{describe(variant)} is sold out.")
    if quantity > variant.stock:
        raise CartError(f"Only {variant.stock} of {describe(variant)} left; you asked for {quantity}.")


def _lock(cart: Cart) -> None:
    """One change at a time per cart: its row is locked by marking it changed now (one UPDATE,
    not a SELECT ... FOR UPDATE and a save). A cart deleted meanwhile (housekeeping) is
    refused, not a 500. Inside the caller's transaction, so a refused change is not a touch."""
    now = timezone.now()
    if not Cart.objects.filter(pk=cart.pk).update(updated_at=now):
        raise CartError("Your cart expired. Please add the item again.")
    cart.updated_at = now


@transaction.atomic
def add_item(cart: Cart, variant: ProductVariant, quantity: int) -> CartItem:
    """Add units of a variant; the line's total must stay within the maximum and the stock."""
    _lock(cart)
    item = CartItem.objects.filter(cart=cart, variant=variant).first()
    total = quantity + (item.quantity if item else 0)
    if total > max_quantity():
        raise CartError(f"You can buy at most {max_quantity()} of {describe(variant)}.")
    check_available(variant, total)
    if item is None:
        item = CartItem(cart=cart, variant=variant)
    item.quantity = total
    item.unit_price_seen = variant.price
    item.stock_seen = variant.stock
    item.save()
    return item


def start_guest_cart(session_key: str, variant: ProductVariant, quantity: int) -> Cart:
    """A new guest's cart with its first line, checked (check_available) by the caller.

    Two INSERTs and no lock: the caller's transaction is the only one that can see this cart
    until it commits, so add_item's lock, line lookup and touch would find nothing to guard.
    In fixed SQL (shop/core/sql.py): the ORM's INSERT compiler was a quarter of the request."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("start_guest_cart runs inside the transaction that writes the session.")
    cart = Cart(session_key=session_key)
    sql.insert(cart)
    sql.insert(
        CartItem(
            cart=cart,
            variant=variant,
            quantity=quantity,
            unit_price_seen=variant.price,
            stock_seen=variant.stock,
        )
    )
    return cart


def _item(cart: Cart, item_id: object) -> CartItem:
    pk = _as_id(item_id)
    item = (
        CartItem.objects.filter(cart=cart, pk=pk).select_related("variant__product__category").first()
        if pk
        else None
    )
    if item is None:
        raise CartError("That item is not in your cart any more.")
    return item


@transaction.atomic
def update_item(cart: Cart, item_id: object, quantity: int) -> CartItem:
    """Set a line's quantity; the shopper has now seen the current price and stock."""
    _lock(cart)
    item = _item(cart, item_id)
    check_available(item.variant, quantity)
    item.quantity = quantity
    item.unit_price_seen = item.variant.price
    item.stock_seen = item.variant.stock
    item.save()
    return item


@transaction.atomic
def remove_item(cart: Cart, item_id: object) -> None:
    _lock(cart)
    _item(cart, item_id).delete()


@transaction.atomic
def merge_carts(guest: Cart, member: Cart) -> list[str]:
    """Move the guest's lines into the member's cart: quantities added, capped by stock and maximum.

    Returns what had to be cut, for a message. The guest cart is deleted.
    """
    carts = {
        c.pk: c for c in Cart.objects.select_for_update().filter(pk__in=[guest.pk, member.pk]).order_by("pk")
    }
    if guest.pk not in carts or guest.pk == member.pk:
        return []
    existing = {i.variant_id: i for i in member.items.select_related("variant__product__category")}
    cut: list[str] = []
    for line in guest.items.select_related("variant__product__category"):
        variant = line.variant
        mine = existing.get(variant.pk)
        wanted = line.quantity + (mine.quantity if mine else 0)
        cap = min(max_quantity(), max(variant.stock, 0)) if variant.is_sellable else 0
        merged = min(wanted, cap)
        if merged < wanted:
            cut.append(describe(variant))
        if mine is not None:
            if merged > mine.quantity:
                mine.quantity = merged
                mine.unit_price_seen, mine.stock_seen = variant.price, variant.stock
                mine.save()
        elif merged >= 1:
            CartItem.objects.create(
                cart=member,
                variant=variant,
                quantity=merged,
                unit_price_seen=line.unit_price_seen,
                stock_seen=line.stock_seen,
            )
    if guest.discount_code and not member.discount_code:
        member.discount_code = guest.discount_code
    guest.delete()
    member.save(update_fields=["updated_at", "discount_code"])
    return cut


# --- what the cart page shows ----------------------------------------------------


@dataclass
class CartLine:
    item: CartItem
    variant: ProductVariant
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    notices: list[str] = field(default_factory=list)
    blocking: bool = False

    @property
    def product(self) -> Product:
        return self.variant.product


@dataclass
class CartSummary:
    cart: Cart | None
    lines: list[CartLine]
    subtotal: Decimal
    shipping: Decimal
    total: Decimal
    count: int
    discount: Decimal = Decimal("0.00")
    discount_code: str = ""  # the code applied and taken off the total
    discount_notice: str = ""  # why a code the shopper applied takes nothing off now

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def can_check_out(self) -> bool:
        """Blocked by a line that cannot be had, or a code that no longer applies (remove it first)."""
        return bool(self.lines) and not any(line.blocking for line in self.lines) and not self.discount_notice

    @property
    def free_shipping_missing(self) -> Decimal:
        return missing_for_free_shipping(self.subtotal - self.discount)


def _line(item: CartItem) -> CartLine:
    variant = item.variant
    price = quantize(variant.price)
    line = CartLine(item, variant, item.quantity, price, quantize(price * item.quantity))
    name = describe(variant)
    if not variant.is_sellable:
        line.notices.append(f"{name} is no longer sold. Remove it to check out.")
        line.blocking = True
    elif variant.stock < 1:
        line.notices.append(f"{name} is sold out. Remove it to check out.")
        line.blocking = True
    elif variant.stock < item.quantity:
        line.notices.append(f"Only {variant.stock} of {name} left. Lower the quantity to check out.")
        line.blocking = True
    elif variant.stock < item.stock_seen:
        line.notices.append(f"Stock fell since you added it: {variant.stock} left.")
    if price != item.unit_price_seen:
        direction = "went down" if price < item.unit_price_seen else "went up"
        line.notices.append(
            f"The price {direction} since you added it (was {format_money(item.unit_price_seen)})."
        )
    return line


_LINE_MODELS = (CartItem, *_VARIANT_MODELS)


def lines_of(cart: Cart) -> list[CartItem]:
    """The cart's lines in the order added, each with its variant, product and category: what
    select_related("variant__product__category") reads, in fixed SQL (shop/core/sql.py). The
    cart page's largest cost was compiling that four-table query on every request."""
    return [sql.chain(row, _LINE_MODELS) for row in sql.rows(_lines_sql(), [cart.pk])]  # type: ignore[misc]


@cache
def _lines_sql() -> str:
    col = sql.column
    return f"{sql.select_chain(_LINE_MODELS)} WHERE {col(CartItem, 'cart')} = %s ORDER BY {_line_order()}"


def _line_order() -> str:
    """Lines in the order added (what the ORM readers order by too)."""
    return f"{sql.column(CartItem, 'created_at')}, {sql.column(CartItem, 'id')}"


def cart_and_lines(
    user: AnyUser | None = None, session_key: str | None = None
) -> tuple[Cart | None, list[CartItem]]:
    """cart_for() and lines_of() in one query, for the cart page: the cart LEFT JOINed to its
    lines (each with variant, product and category), so a cart without lines is still found.
    Each product comes with its first photo's identity (`product.main_photo`, a MainPhoto or
    None) for images.attach_main_pictures."""
    if user is not None and user.is_authenticated:
        found = sql.rows(_cart_and_lines_sql("user"), [user.pk])
    elif session_key:
        found = sql.rows(_cart_and_lines_sql("session"), [session_key])
    else:
        return None, []
    if not found:
        return None, []
    width = len(Cart._meta.concrete_fields)
    cart = sql.instances(found[0][:width], [Cart])[0]
    items = []
    for row in found:
        if row[width] is None:
            continue  # a cart without lines
        item = sql.chain(row[width:-3], _LINE_MODELS)
        item.cart = cart  # type: ignore[attr-defined]
        item.variant.product.main_photo = tuple(row[-3:]) if row[-3] is not None else None  # type: ignore[attr-defined]
        items.append(item)
    return cart, items  # type: ignore[return-value]


@cache
def _cart_and_lines_sql(owner: str) -> str:
    col = sql.column
    lines = ", ".join(sql.columns(model) for model in _LINE_MODELS)
    photo_join, photo_columns = main_photo_join(col(Product, "id"))
    return (
        f"SELECT {sql.columns(Cart)}, {lines}, {photo_columns} FROM {sql.table(Cart)}"  # noqa: S608 (names from the models)
        f" LEFT JOIN ({sql.joined(_LINE_MODELS)}) ON {col(CartItem, 'cart')} = {col(Cart, 'id')}"
        f" {photo_join} WHERE {_owned_by(owner)} ORDER BY {_line_order()}"
    )


def summarize(cart: Cart | None, items: Iterable[CartItem] | None = None) -> CartSummary:
    """Lines, current prices and totals, from the database's prices only."""
    if items is None:
        items = lines_of(cart) if cart is not None else []
    lines = [_line(item) for item in items]
    subtotal = quantize(sum((line.line_total for line in lines), Decimal("0")))
    summary = CartSummary(
        cart=cart,
        lines=lines,
        subtotal=subtotal,
        shipping=Decimal("0.00"),
        total=subtotal,
        count=sum(line.quantity for line in lines),
    )
    if cart is not None and cart.discount_code and lines:
        try:
            applied = discounts.evaluate(
                discounts.find_code(cart.discount_code),
                discounts.lines_from((line.product, line.line_total) for line in lines),
            )
        except discounts.DiscountError as error:
            summary.discount_notice = f"{error} Remove the code to check out."
        else:
            summary.discount, summary.discount_code = applied.amount, applied.code.code
    goods = quantize(subtotal - summary.discount)
    summary.shipping = shipping_for(goods)
    summary.total = quantize(goods + summary.shipping)
    return summary


@transaction.atomic
def apply_discount_code(cart: Cart, raw_code: str) -> discounts.AppliedDiscount:
    """Keep the code on the cart if it takes something off these lines now; else a DiscountError.

    The usage limits are checked at checkout and again when the order is placed
    (they need the orders: shop/orders/discounts.py)."""
    _lock(cart)
    code = discounts.find_code(raw_code)
    items = cart.items.select_related("variant__product__category")
    lines = [_line(item) for item in items]
    if not lines:
        raise discounts.DiscountError("Add something to your cart first.")
    applied = discounts.evaluate(code, discounts.lines_from((x.product, x.line_total) for x in lines))
    cart.discount_code = code.code
    cart.save(update_fields=["discount_code"])
    return applied


@transaction.atomic
def remove_discount_code(cart: Cart) -> None:
    _lock(cart)
    cart.discount_code = ""
    cart.save(update_fields=["discount_code"])


# --- housekeeping ------------------------------------------------------------------


def _database_session_store() -> type[DatabaseSessionStore] | None:
    """The session engine's store when it keeps sessions in a table (db, cached_db and
    shop.core.sessions do), where "session gone" can be checked."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store if issubclass(store, DatabaseSessionStore) else None


ABANDONED_CART_BATCH = 500


def cart_retention() -> timedelta:
    days = settings.SHOP_CART_RETENTION_DAYS
    if not isinstance(days, int) or days < 1:
        raise ImproperlyConfigured(
            f"SHOP_CART_RETENTION_DAYS must be a whole number of days, at least 1 (is {days!r})."
        )
    return timedelta(days=days)


def abandoned_carts(now: datetime) -> QuerySet[Cart]:
    """Carts nobody can or will use again.

    Guest carts whose session is gone (deleted or expired: nobody holds its key any more)
    or that nobody touched for the retention; member carts only when empty and untouched
    for the retention (a member's lines are kept however old: they come back at login).
    """
    stale = Q(updated_at__lt=now - cart_retention())
    guest_gone: Q | Combinable = stale
    store = _database_session_store()
    if store is not None:
        sessions = store.get_model_class().objects
        live_session = sessions.filter(session_key=OuterRef("session_key"), expire_date__gt=now)
        guest_gone |= ~Exists(live_session)
    has_items = Exists(CartItem.objects.filter(cart=OuterRef("pk")))
    return Cart.objects.filter(
        (Q(user__isnull=True) & guest_gone) | (Q(user__isnull=False) & stale & ~has_items)
    )


def delete_abandoned_carts(now: datetime | None = None, *, batch_size: int = ABANDONED_CART_BATCH) -> int:
    """Delete abandoned carts and their lines; returns how many carts went.

    One short transaction per batch, rows picked with SKIP LOCKED: no long lock on the
    cart table, and a cart a shopper is changing right now is left alone (for the next run).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    now = now or timezone.now()
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(
                abandoned_carts(now)
                .select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if batch:
                deleted += Cart.objects.filter(pk__in=batch).delete()[1].get(Cart._meta.label, 0)
        if len(batch) < batch_size:
            return deleted
