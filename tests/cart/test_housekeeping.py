"""Abandoned carts: which ones clear_abandoned_carts deletes, in batches, and which it keeps."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop.cart import services
from shop.cart.models import Cart, CartItem
from shop.core.models import Session
from shop.core.sessions import SessionStore
from tests.factories import make_variant

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def cutoff(now, settings):
    settings.SHOP_CART_RETENTION_DAYS = 30
    return now - 30 * DAY


def live_session_key() -> str:
    session = SessionStore()
    session.create()
    return session.session_key


def guest_cart(*, session_key: str | None = None, lines: int = 1, touched=None) -> Cart:
    cart = Cart.objects.create(session_key=session_key or live_session_key())
    return fill(cart, lines=lines, touched=touched)


def member_cart(user, *, lines: int = 1, touched=None) -> Cart:
    return fill(Cart.objects.create(user=user), lines=lines, touched=touched)


def fill(cart: Cart, *, lines: int, touched) -> Cart:
    for _ in range(lines):
        variant = make_variant()
        CartItem.objects.create(
            cart=cart, variant=variant, quantity=1, unit_price_seen=variant.price, stock_seen=variant.stock
        )
    if touched is not None:
        Cart.objects.filter(pk=cart.pk).update(updated_at=touched)  # auto_now would overwrite a save()
    return cart


def remaining(*carts: Cart) -> set[int]:
    return set(Cart.objects.filter(pk__in=[c.pk for c in carts]).values_list("pk", flat=True))


def test_guest_cart_with_a_live_session_is_kept(now, cutoff):
    cart = guest_cart(lines=2, touched=now - 10 * DAY)
    assert services.delete_abandoned_carts(now) == 0
    assert remaining(cart) == {cart.pk}
    assert CartItem.objects.filter(cart=cart).count() == 2


def test_guest_cart_whose_session_is_deleted_or_expired_goes_with_its_items(now, cutoff):
    deleted_session = guest_cart(lines=2, touched=now - DAY)
    Session.objects.filter(session_key=deleted_session.session_key).delete()
    expired_session = guest_cart(lines=1, touched=now - DAY)
    Session.objects.filter(session_key=expired_session.session_key).update(expire_date=now - SECOND)
    kept = guest_cart(lines=3, touched=now - DAY)

    assert services.delete_abandoned_carts(now) == 2

    assert remaining(deleted_session, expired_session, kept) == {kept.pk}
    assert set(CartItem.objects.values_list("cart_id", flat=True)) == {kept.pk}
    assert CartItem.objects.count() == 3


def test_guest_cart_untouched_for_the_retention_goes_even_with_a_live_session(now, cutoff):
    older = guest_cart(touched=cutoff - SECOND)
    exactly = guest_cart(touched=cutoff)
    younger = guest_cart(touched=cutoff + SECOND)

    assert services.delete_abandoned_carts(now) == 1

    # "Untouched for 30 days" means strictly older than the cut-off.
    assert remaining(older, exactly, younger) == {exactly.pk, younger.pk}


def test_member_carts_with_lines_are_kept_however_old(now, cutoff, shopper):
    cart = member_cart(shopper, lines=2, touched=now - 400 * DAY)
    assert services.delete_abandoned_carts(now) == 0
    assert remaining(cart) == {cart.pk}
    assert CartItem.objects.filter(cart=cart).count() == 2


def test_empty_member_carts_go_once_older_than_the_retention(now, cutoff, make_user):
    older = member_cart(make_user("a@example.com"), lines=0, touched=cutoff - SECOND)
    exactly = member_cart(make_user("b@example.com"), lines=0, touched=cutoff)
    younger = member_cart(make_user("c@example.com"), lines=0, touched=cutoff + SECOND)

    assert services.delete_abandoned_carts(now) == 1

    assert remaining(older, exactly, younger) == {exactly.pk, younger.pk}


def test_a_second_run_deletes_nothing(now, cutoff, shopper):
    guest_cart(touched=cutoff - DAY)
    member_cart(shopper, lines=0, touched=cutoff - DAY)
    guest_cart(touched=now)

    assert services.delete_abandoned_carts(now) == 2
    assert services.delete_abandoned_carts(now) == 0
    assert Cart.objects.count() == 1


def test_retention_comes_from_the_setting(now, settings):
    settings.SHOP_CART_RETENTION_DAYS = 7
    week_old = guest_cart(touched=now - 7 * DAY - SECOND)
    six_days = guest_cart(touched=now - 6 * DAY)
    assert services.delete_abandoned_carts(now) == 1
    assert remaining(week_old, six_days) == {six_days.pk}


@pytest.mark.parametrize("days", [0, -1])
def test_a_retention_below_one_day_is_refused_and_nothing_is_deleted(settings, days):
    settings.SHOP_CART_RETENTION_DAYS = days
    cart = guest_cart(session_key="gone")
    with pytest.raises(CommandError, match="SHOP_CART_RETENTION_DAYS"):
        call_command("clear_abandoned_carts", stdout=StringIO())
    assert remaining(cart) == {cart.pk}


def test_without_database_sessions_only_age_counts(now, cutoff, settings):
    """With sessions elsewhere (cache, cookies) the table is empty: a missing row proves nothing."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    fresh = guest_cart(session_key="not-in-the-table", touched=now - DAY)
    stale = guest_cart(session_key="not-in-the-table-either", touched=cutoff - SECOND)
    assert services.delete_abandoned_carts(now) == 1
    assert remaining(fresh, stale) == {fresh.pk}


def test_command_prints_how_many_it_deleted(cutoff, shopper):
    guest_cart(session_key="gone-1")
    guest_cart(session_key="gone-2")
    member_cart(shopper, lines=0, touched=cutoff - DAY)
    out = StringIO()
    call_command("clear_abandoned_carts", stdout=out)
    assert out.getvalue() == "Deleted 3 abandoned cart(s).\n"
    out = StringIO()
    call_command("clear_abandoned_carts", stdout=out)
    assert out.getvalue() == "Deleted 0 abandoned cart(s).\n"


def test_command_refuses_a_batch_size_below_one():
    with pytest.raises(CommandError, match="--batch-size"):
        call_command("clear_abandoned_carts", "--batch-size", "0", stdout=StringIO())


def test_clearsessions_then_clear_abandoned_carts_like_the_cronjob(client, settings):
    """A real guest: the cart outlives its session only until the nightly run."""
    settings.SHOP_CART_RETENTION_DAYS = 30
    variant = make_variant()
    response = client.post("/cart/add/", {"variant": variant.pk, "quantity": "2", "next": "/cart/"})
    assert response.status_code == 302
    cart = Cart.objects.get()
    out = StringIO()
    call_command("clearsessions")
    call_command("clear_abandoned_carts", stdout=out)
    assert out.getvalue() == "Deleted 0 abandoned cart(s).\n"
    assert client.get("/cart/").context["summary"].count == 2

    Session.objects.filter(session_key=cart.session_key).update(expire_date=timezone.now() - SECOND)
    call_command("clearsessions")
    assert not Session.objects.filter(session_key=cart.session_key).exists()
    out = StringIO()
    call_command("clear_abandoned_carts", stdout=out)
    assert out.getvalue() == "Deleted 1 abandoned cart(s).\n"
    assert not Cart.objects.exists() and not CartItem.objects.exists()


def test_a_member_keeps_the_cart_for_the_next_login(client, shopper, password, cutoff):
    cart = member_cart(shopper, lines=1, touched=cutoff - 100 * DAY)
    call_command("clear_abandoned_carts", stdout=StringIO())
    assert client.login(email=shopper.email, password=password)
    assert client.get("/cart/").context["summary"].count == 1
    assert remaining(cart) == {cart.pk}


# --- batches ---------------------------------------------------------------------------


def cart_deletes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('DELETE FROM "cart_cart"')]


@pytest.mark.parametrize("lines", [1, 8])
def test_deletes_in_bounded_batches_whatever_the_number_of_lines(
    now, cutoff, lines, django_assert_max_num_queries
):
    carts = [guest_cart(session_key=f"gone-{lines}-{n}", lines=lines) for n in range(5)]
    # Per batch: pick ids (FOR UPDATE SKIP LOCKED), load them, delete lines, delete carts,
    # plus a savepoint and its release: the same for 1 or 8 lines per cart.
    with django_assert_max_num_queries(3 * 6) as captured:
        assert services.delete_abandoned_carts(now, batch_size=2) == 5
    deletes = cart_deletes(captured.captured_queries)
    assert len(deletes) == 3  # 2 + 2 + 1
    picks = [q["sql"] for q in captured.captured_queries if "SKIP LOCKED" in q["sql"]]
    assert len(picks) == 3 and all("LIMIT 2" in sql for sql in picks)
    assert not remaining(*carts)
    assert not CartItem.objects.exists()


def test_a_full_last_batch_costs_one_empty_pick(now, cutoff):
    for n in range(4):
        guest_cart(session_key=f"gone-{n}")
    with CaptureQueriesContext(connection) as captured:
        assert services.delete_abandoned_carts(now, batch_size=2) == 4
    assert len(cart_deletes(captured.captured_queries)) == 2
    assert len([q for q in captured.captured_queries if "SKIP LOCKED" in q["sql"]]) == 3


def test_a_cart_deleted_meanwhile_is_a_message_not_a_crash(now, cutoff):
    variant = make_variant()
    cart = guest_cart(session_key="gone", lines=0)
    services.delete_abandoned_carts(now)
    with pytest.raises(services.CartError, match="expired"):
        services.add_item(cart, variant, 1)
    assert not CartItem.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_cart_being_changed_is_skipped_not_waited_for(now, cutoff):
    """A shopper's open transaction holds the cart row: the run neither blocks nor deletes it."""
    busy = guest_cart(session_key="gone-busy")
    idle = guest_cart(session_key="gone-idle")
    locked, release = threading.Event(), threading.Event()

    def shopper_request():
        try:
            with transaction.atomic():
                services._lock(busy)  # what every change to a cart takes first
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=shopper_request)
    thread.start()
    try:
        assert locked.wait(10)
        assert services.delete_abandoned_carts(now) == 1
        assert remaining(busy, idle) == {busy.pk}
    finally:
        release.set()
        thread.join(10)
    assert services.delete_abandoned_carts(now) == 1
    assert not Cart.objects.exists()
