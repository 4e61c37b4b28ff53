"""Staff handle orders in Wagtail; marketers do not see them."""

import pytest
from django.utils import timezone
from wagtail import hooks

from shop.core.admin_menu import ORDER_DETAIL_PANELS_HOOK
from shop.orders.models import Order
from tests.factories import make_order, make_variant

pytestmark = pytest.mark.django_db
S = Order.Status


@pytest.fixture(autouse=True)
def _site(site_root):
    """The admin home needs the page tree, which a transactional test may have flushed."""


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_staff_see_the_orders_menu_and_list(staff_client):
    paid = make_order(status=S.PAID, email="ada@example.com")
    pending = make_order(email="bob@example.com")
    home = staff_client.get("/admin/")
    assert home.status_code == 200
    assert "/admin/shop/orders/" in home.content.decode()
    listing = staff_client.get("/admin/shop/orders/")
    html = listing.content.decode()
    assert listing.status_code == 200
    assert paid.number in html and pending.number in html
    assert "Pending payment" in html and "Paid" in html
    assert "€24.90" in html  # the paid order's total
    assert "2 orders listed" in html


def test_list_filters_by_status_and_date_and_searches(staff_client):
    paid = make_order(status=S.PAID, email="ada@example.com")
    pending = make_order(email="bob@example.com")
    old = make_order(email="old@example.com", created_at=timezone.now() - timezone.timedelta(days=40))
    html = staff_client.get("/admin/shop/orders/", {"status": "paid"}).content.decode()
    assert paid.number in html and pending.number not in html
    html = staff_client.get("/admin/shop/orders/", {"q": "bob@"}).content.decode()
    assert pending.number in html and paid.number not in html
    html = staff_client.get("/admin/shop/orders/", {"q": paid.number}).content.decode()
    assert paid.number in html and pending.number not in html
    since = (timezone.now() - timezone.timedelta(days=7)).date().isoformat()
    html = staff_client.get("/admin/shop/orders/", {"created_at_from": since}).content.decode()
    assert paid.number in html and old.number not in html
    assert staff_client.get("/admin/shop/orders/", {"status": "bogus"}).status_code == 200


def test_order_screen_shows_lines_address_history_and_extra_panels(staff_client):
    order = make_order(status=S.PAID)

    def panel(request, order):
        return f"<p>Payments of {order.number}</p>"

    with hooks.register_temporarily(ORDER_DETAIL_PANELS_HOOK, panel):
        response = staff_client.get(f"/admin/shop/orders/{order.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert order.number in html and "1 Main Street" in html and order.items.get().sku in html
    assert f"Payments of {order.number}" in html
    assert "Mark shipped" in html
    assert "Cancel order" not in html  # paid: only a full refund cancels it


def test_ship_deliver_through_the_admin(
    staff_client, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    order = make_order(status=S.PAID)
    url = f"/admin/shop/orders/{order.pk}/"
    response = staff_client.post(url + "ship/", {"ship-tracking_number": ""}, follow=True)
    assert "tracking number" in response.content.decode()
    order.refresh_from_db()
    assert order.status == S.PAID
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url + "ship/", {"ship-tracking_number": "DHL-42"})
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (S.SHIPPED, "DHL-42")
    assert order.events.get().actor == staff_user
    assert len(mailoutbox) == 1 and "DHL-42" in mailoutbox[0].body
    staff_client.post(url + "deliver/")
    order.refresh_from_db()
    assert order.status == S.DELIVERED


def test_refused_admin_actions_say_why_and_change_nothing(staff_client):
    variant = make_variant(stock=5)
    paid = make_order([(variant, 2)], status=S.PAID)
    response = staff_client.post(f"/admin/shop/orders/{paid.pk}/cancel/", follow=True)
    assert response.status_code == 200
    assert "refund the payment in full" in response.content.decode()
    response = staff_client.post(f"/admin/shop/orders/{paid.pk}/deliver/", follow=True)
    assert "cannot go from Paid to Delivered" in response.content.decode()
    response = staff_client.post(f"/admin/shop/orders/{paid.pk}/explode/", follow=True)
    assert "Unknown action" in response.content.decode()
    paid.refresh_from_db()
    variant.refresh_from_db()
    assert paid.status == S.PAID and variant.stock == 3
    assert staff_client.get(f"/admin/shop/orders/{paid.pk}/cancel/").status_code == 405
    assert staff_client.get("/admin/shop/orders/999999/").status_code == 404


def test_staff_cancel_a_pending_order_and_stock_comes_back(staff_client):
    variant = make_variant(stock=5)
    order = make_order([(variant, 2)])
    staff_client.post(f"/admin/shop/orders/{order.pk}/cancel/", {"note-note": "customer called"})
    order.refresh_from_db()
    variant.refresh_from_db()
    assert order.status == S.CANCELLED and variant.stock == 5
    assert order.events.get().note == "customer called"


def test_marketers_get_no_orders(client, marketer):
    order = make_order()
    client.force_login(marketer)
    home = client.get("/admin/")
    assert home.status_code == 200
    assert "/admin/shop/orders/" not in home.content.decode()
    assert "Shop today" not in home.content.decode()
    for url in ("/admin/shop/orders/", f"/admin/shop/orders/{order.pk}/"):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert "/admin/shop/orders" not in response["Location"]
    response = client.post(f"/admin/shop/orders/{order.pk}/cancel/")
    assert response.status_code in (302, 403)
    order.refresh_from_db()
    assert order.status == S.PENDING_PAYMENT


def test_shoppers_and_anonymous_are_sent_to_login(client, shopper):
    order = make_order()
    response = client.get(f"/admin/shop/orders/{order.pk}/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(shopper)
    assert client.get("/admin/shop/orders/").status_code in (302, 403)


def test_dashboard_shows_today_and_low_stock(staff_client, superuser, client):
    low = make_variant(stock=2)
    make_order([(low, 1)], status=S.PAID)
    make_order([(make_variant(stock=50), 1)])
    make_order(status=S.PAID, created_at=timezone.now() - timezone.timedelta(days=2))
    html = staff_client.get("/admin/").content.decode()
    assert "Shop today" in html
    assert "2 orders today" in html and "1 paid" in html and "€24.90" in html
    assert low.sku in html
    client.force_login(superuser)
    assert "Shop today" in client.get("/admin/").content.decode()
