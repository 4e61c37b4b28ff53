"""shop.core.sql's writes: what Model.save() does, in fixed SQL."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.signals import post_save

from shop.cart.models import Cart, CartItem
from shop.core import sql
from tests.factories import make_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved_signals():
    heard = []

    def listen(sender, instance, created, **kwargs):
        heard.append((sender, instance.pk, created))

    post_save.connect(listen)
    yield heard
    post_save.disconnect(listen)


def test_insert_writes_the_row_the_orm_reads_back(saved_signals):
    variant = make_variant(stock=7, price=Decimal("12.50"))
    cart = Cart(session_key="k" * 32)
    assert sql.insert(cart)
    item = CartItem(cart=cart, variant=variant, quantity=2, unit_price_seen=variant.price, stock_seen=7)
    assert sql.insert(item)
    assert cart.pk and item.pk and not cart._state.adding
    assert cart.created_at and cart.updated_at  # auto_now_add and auto_now stamped, as save() does
    read = CartItem.objects.select_related("cart").get(pk=item.pk)
    for field in CartItem._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(item, field.attname), field.name
    assert read.cart.session_key == "k" * 32 and read.cart.created_at == cart.created_at
    assert saved_signals[-2:] == [(Cart, cart.pk, True), (CartItem, item.pk, True)]


def test_insert_unless_taken_leaves_the_taken_row_and_the_transaction_usable():
    cart = Cart(session_key="s" * 32)
    sql.insert(cart)
    again = Cart(pk=cart.pk, session_key="t" * 32)
    assert sql.insert(again, unless_taken=True) is False
    assert Cart.objects.get(pk=cart.pk).session_key == "s" * 32


def test_update_writes_every_field_by_the_key_and_says_when_there_is_no_row(saved_signals):
    cart = Cart(session_key="u" * 32)
    sql.insert(cart)
    stamped = cart.updated_at
    cart.discount_code = "SPRING"
    assert sql.update(cart)
    read = Cart.objects.get(pk=cart.pk)
    assert read.discount_code == "SPRING" and read.updated_at > stamped
    assert saved_signals[-1] == (Cart, cart.pk, False)
    Cart.objects.filter(pk=cart.pk).delete()
    assert sql.update(cart) is False


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_fixed_queries_are_prepared_on_the_connection_and_the_orms_never():
    from shop.cart.services import _cart_and_lines_sql, cart_and_lines

    sql.insert(Cart(session_key="p" * 32))
    for _ in range(3):
        assert cart_and_lines(session_key="p" * 32)[0] is not None
    assert Cart.objects.filter(session_key="p" * 32).exists()  # an ORM query, client-side bound
    ours = _cart_and_lines_sql("session")
    prepared = _prepared()
    assert any(statement == ours.replace("%s", "$1") for statement in prepared), prepared
    assert not [statement for statement in prepared if "$" not in statement and "LIMIT 1" in statement]


def test_with_prepared_statements_off_the_same_queries_run_unprepared(monkeypatch):
    """DATABASE_PREPARED_STATEMENTS=false (a pooler that cannot keep them): threshold None."""
    from shop.cart.services import cart_and_lines

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection.connection._prepared.clear()  # psycopg's own record of what it prepared
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    sql.insert(Cart(session_key="q" * 32))
    for _ in range(3):
        assert cart_and_lines(session_key="q" * 32)[0] is not None
    assert _prepared() == []
