"""Back in stock: one email per request once the stock change commits, unsubscribe, staff list."""

import pytest
from django.core import mail

from shop.catalog.models import ProductVariant, StockAlert
from shop.catalog.services import StockEdit, apply_stock_edits
from shop.catalog.stock_alerts import send_alerts
from shop.orders import services as orders
from tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def tee():
    product = make_product("Harbour tee", sizes=("M", "L"))
    ProductVariant.objects.filter(product=product, size="L").update(stock=0)
    return product, product.variants.get(size="L")


def restock(variant: ProductVariant, units: int) -> None:
    apply_stock_edits(
        variant.product_id, [StockEdit(variant.pk, variant.stock, variant.stock + units)], lambda: None
    )


def test_notify_me_form_on_a_sold_out_size_and_one_email_after_the_commit(
    client, tee, django_capture_on_commit_callbacks
):
    product, large = tee
    html = client.get(product.get_absolute_url()).content.decode()
    assert f'<option value="{large.pk}">L</option>' in html
    assert 'for="alert-email">Email</label>' in html and ">Notify me</button>" in html
    response = client.post(
        f"/products/{product.slug}/notify/", {"variant": large.pk, "email": "ada@example.com"}
    )
    assert response.status_code == 302
    client.post(f"/products/{product.slug}/notify/", {"variant": large.pk, "email": "ADA@example.com"})
    assert StockAlert.objects.filter(variant=large, sent_at=None).count() == 1

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        restock(large, 3)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"] and message.subject == "Back in stock: Harbour tee (L)"
    assert "/products/harbour-tee/" in message.body and "/unsubscribe/" in message.body
    assert send_alerts() == 0  # exactly once
    assert len(mail.outbox) == 1


def test_a_cancelled_order_putting_stock_back_sends_the_alert(tee, django_capture_on_commit_callbacks):
    _product, large = tee
    ProductVariant.objects.filter(pk=large.pk).update(stock=1)
    large.refresh_from_db()
    order = make_order([(large, 1)])
    large.refresh_from_db()
    assert large.stock == 0
    StockAlert.objects.create(variant=large, email="ada@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        orders.cancel_order(order)
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def test_bad_requests_are_messages(client, tee):
    product, large = tee
    medium = product.variants.get(size="M")
    for data in (
        {"variant": large.pk, "email": "not-an-email"},
        {"variant": medium.pk, "email": "a@example.com"},
        {"variant": "x"},
    ):
        response = client.post(f"/products/{product.slug}/notify/", data, follow=True)
        assert response.status_code == 200
    assert not StockAlert.objects.exists()
    assert client.get(f"/products/{product.slug}/notify/").status_code == 405


def test_unsubscribe_asks_first_then_cancels_every_pending_alert_of_the_address(client, tee):
    _product, large = tee
    first = StockAlert.objects.create(variant=large, email="ada@example.com")
    StockAlert.objects.create(variant=large, email="bob@example.com")
    url = f"/products/alerts/{first.token}/unsubscribe/"
    assert "Cancel my alerts" in client.get(url).content.decode()
    assert StockAlert.objects.count() == 2
    assert "Done: we will not send you the 1 alert" in client.post(url).content.decode()
    assert list(StockAlert.objects.values_list("email", flat=True)) == ["bob@example.com"]


def test_staff_see_pending_requests_per_variant(client, staff_user, tee):
    _product, large = tee
    StockAlert.objects.create(variant=large, email="ada@example.com")
    client.force_login(staff_user)
    html = client.get("/admin/shop/stock-alerts/").content.decode()
    assert "ada@example.com" in html and large.sku in html
