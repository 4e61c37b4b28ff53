"""What the cart's hot paths cost the database: statements and commits (docs/performance.md).

Exact counts, so a change that adds a query (or a commit: a WAL flush each) fails here and is
either fixed or written down with its new count.
"""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shop.cart.models import Cart, CartItem
from tests.cart.test_cart import add, fill_with_photographed_products
from tests.factories import make_variant

# Session, the cart with its lines (one fixed query: services.cart_and_lines), the photos with
# their renditions (one query; 6 in all when the renditions were a query of their own); the rest
# is the site chrome (site and settings, read once per request here), which
# the page cache keeps per generation in production (it is off in the tests). The same join
# through the ORM was tried and dropped: compiling it cost what the round trip saved.
GUEST_CART_PAGE = 5
# With the page cache on, as in production: the session, the cart with its lines. The chrome is
# kept per generation (shop/core/shell.py) and the photos under their products' versions
# (shop/catalog/images.py).
GUEST_CART_PAGE_CACHE_ON = 2
# Variant; then one transaction (BEGIN ... COMMIT, counted too): the cart, its line, and last
# the session with the cart's id (one INSERT that skips a taken key: no savepoint around it, 8
# statements with Django's SAVEPOINT and RELEASE). Before: 16 statements
# (the session written twice, add_item's lock, line lookup and touch of a cart nobody else
# could see yet), and 11 in 4 transactions before that.
NEW_GUEST_ADD = 6
# Variant, session, cart; then add_item's transaction: the cart locked by touching it (one
# UPDATE, where a SELECT ... FOR UPDATE and a save were two), line, line saved.
RETURNING_GUEST_ADD = 8
WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def counting_commits():
    """How many transactions that write end in a commit: one per outermost atomic block, and one
    per write run outside any (autocommit). Needs real commits (transactional_db)."""
    counted = {"commits": 0}
    commit = connection.commit

    def counting_commit():
        counted["commits"] += 1
        commit()

    def autocommitted_writes(execute, sql, params, many, context):
        if not connection.in_atomic_block and sql.lstrip().upper().startswith(WRITES):
            counted["commits"] += 1
        return execute(sql, params, many, context)

    connection.commit = counting_commit
    try:
        with connection.execute_wrapper(autocommitted_writes):
            yield counted
    finally:
        del connection.commit  # the instance attribute goes, the method is back


def cart_page_queries(client: Client, lines: int) -> int:
    fill_with_photographed_products(client, lines)
    client.get("/cart/")  # renditions and the chrome's rows are made on first use
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cart/")
    assert len(response.context["summary"].lines) == lines
    return len(queries)


@pytest.mark.django_db
def test_guest_cart_page_costs_the_same_for_1_and_5_lines():
    assert cart_page_queries(Client(), 1) == GUEST_CART_PAGE
    assert cart_page_queries(Client(), 5) == GUEST_CART_PAGE


@pytest.mark.django_db
def test_with_the_page_cache_on_the_cart_reads_its_lines_and_nothing_else(page_cache):
    assert cart_page_queries(Client(), 1) == GUEST_CART_PAGE_CACHE_ON
    assert cart_page_queries(Client(), 5) == GUEST_CART_PAGE_CACHE_ON


@pytest.mark.django_db(transaction=True)
def test_a_new_guest_adds_in_one_commit():
    variant = make_variant(stock=5)
    client = Client()
    with counting_commits() as counted, CaptureQueriesContext(connection) as queries:
        response = add(client, variant=variant.pk, quantity="2")
    assert response.status_code == 302
    assert len(queries) == NEW_GUEST_ADD
    assert counted["commits"] == 1
    cart = Cart.objects.get(session_key=client.session.session_key)
    assert client.session["cart_id"] == cart.pk  # saved in that commit; the middleware wrote nothing more
    assert list(cart.items.values_list("variant", "quantity")) == [(variant.pk, 2)]


@pytest.mark.django_db(transaction=True)
def test_a_returning_guest_adds_in_one_commit():
    variant = make_variant(stock=5)
    client = Client()
    add(client, variant=variant.pk)
    with counting_commits() as counted, CaptureQueriesContext(connection) as queries:
        add(client, variant=variant.pk)
    assert len(queries) == RETURNING_GUEST_ADD
    assert counted["commits"] == 1
    assert CartItem.objects.get().quantity == 2


@pytest.mark.django_db(transaction=True)
def test_a_guest_with_a_session_but_no_cart_adds_in_one_commit():
    variant = make_variant(stock=5)
    client = Client()
    key = client.session.session_key  # the test client saves a session and sends its cookie
    with counting_commits() as counted:
        add(client, variant=variant.pk)
    assert counted["commits"] == 1
    assert client.session.session_key == key
    assert client.session["cart_id"] == Cart.objects.get(session_key=key).pk


@pytest.mark.django_db(transaction=True)
def test_a_refused_first_add_leaves_no_session_and_no_cart():
    """Refused before anything is written (sold out): no session row, no cart, no cookie."""
    variant = make_variant(stock=0)
    client = Client()
    with counting_commits() as counted:
        response = add(client, variant=variant.pk)
    assert response.status_code == 302
    assert counted["commits"] == 0
    assert not Cart.objects.exists()
    assert "sessionid" not in response.cookies
