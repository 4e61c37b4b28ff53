"""Returns and size exchanges: the customer's request, staff's decisions, stock, refunds and emails."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.invoices.models import CreditNote
from shop.orders.models import Order, OrderEvent
from shop.payments.models import Refund
from shop.returns import services
from shop.returns.models import ReturnRequest, ReturnSettings
from shop.returns.services import WantedReturn
from tests.factories import delivered_order, make_order

pytestmark = pytest.mark.django_db
R = ReturnRequest.Status
D = Decimal


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    return delivered_order(django_capture_on_commit_callbacks)


def stock(variant) -> int:
    variant.refresh_from_db()
    return variant.stock


def test_returns_open_after_shipping_within_the_staff_window(client, delivered):
    order, _, _ = delivered
    page = client.get(order.get_absolute_url()).content.decode()
    assert ">Request a return</button>" in page
    ReturnSettings.objects.update_or_create(pk=ReturnSettings.load().pk, defaults={"window_days": 14})
    OrderEvent.objects.filter(order=order, to_status="shipped").update(
        created_at=timezone.now() - timedelta(days=15)
    )
    assert not services.returns_open(order)
    assert ">Request a return</button>" not in client.get(order.get_absolute_url()).content.decode()
    response = client.post(
        f"/orders/{order.number}/return/", {"key": order.access_key, "quantity-1": "1"}, follow=True
    )
    assert "Returns for this order are closed." in response.content.decode()
    assert not ReturnRequest.objects.exists()


def test_an_unshipped_order_has_no_returns(client):
    order = make_order(status=Order.Status.PAID, paid_at=timezone.now())
    assert ">Request a return</button>" not in client.get(order.get_absolute_url()).content.decode()
    assert not services.returns_open(order)


def test_a_guest_requests_a_return_through_the_order_link(
    client, delivered, mailoutbox, django_capture_on_commit_callbacks
):
    order, _, variants = delivered
    tee, jeans = order.items.order_by("pk")
    form = client.get(f"/orders/{order.number}/return/?key={order.access_key}")
    html = form.content.decode()
    assert form.status_code == 200 and "Quantity to return" in html and "Size wanted instead" in html
    assert f'<option value="{variants["L"].pk}">L</option>' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/orders/{order.number}/return/",
            {
                "key": order.access_key,
                f"quantity-{tee.pk}": "1",
                f"reason-{tee.pk}": "too_small",
                f"size-{tee.pk}": str(variants["L"].pk),
                f"quantity-{jeans.pk}": "1",
                f"reason-{jeans.pk}": "faulty",
            },
        )
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    ret = ReturnRequest.objects.get()
    assert ret.status == R.REQUESTED
    assert [(line.item, line.quantity, line.wanted_variant) for line in ret.lines.all()] == [
        (tee, 1, variants["L"]),
        (jeans, 1, None),
    ]
    assert mailoutbox[-1].subject == f"We have your return request for order {order.number}"
    assert "wanted instead: L / Navy" in mailoutbox[-1].body
    assert order.events.filter(note__startswith=f"Return {ret.pk} requested").exists()
    assert client.get(f"/orders/{order.number}/return/").status_code == 404  # no key, no access


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quantity": "3", "reason": "faulty"}, "enter a number of items from 0 to 2"),
        ({"quantity": "-1", "reason": "faulty"}, "enter a number of items from 0 to 2"),
        ({"quantity": "x", "reason": "faulty"}, "enter a number of items from 0 to 2"),
        ({"quantity": "1", "reason": "bogus"}, "choose a reason"),
        ({"quantity": "1", "reason": ""}, "choose a reason"),
        ({"quantity": "0", "reason": "faulty"}, "Choose at least one item to return."),
        ({"quantity": "1", "reason": "too_small", "size": "999999"}, "That size is not available"),
    ],
)
def test_bad_return_requests_change_nothing(client, delivered, fields, message):
    order, _, _ = delivered
    tee = order.items.order_by("pk").first()
    data = {"key": order.access_key, **{f"{name}-{tee.pk}": value for name, value in fields.items()}}
    response = client.post(f"/orders/{order.number}/return/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReturnRequest.objects.exists()


def test_a_size_wanted_needs_a_size_reason(delivered):
    order, _, variants = delivered
    tee = order.items.order_by("pk").first()
    with pytest.raises(services.ReturnNotAllowed, match="only be asked for when the size did not fit"):
        services.request_return(order, [WantedReturn(tee.pk, 1, "faulty", variants["L"].pk)])


def test_staff_approve_receive_restock_once_and_refund_the_lines(
    delivered, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    order, payment, variants = delivered
    tee, jeans = order.items.order_by("pk")
    ret = services.request_return(
        order, [WantedReturn(tee.pk, 2, "changed_mind"), WantedReturn(jeans.pk, 1, "faulty")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_return(ret, actor=staff_user, note="Use the label in the parcel.")
    assert "is approved" in mailoutbox[-1].subject
    before = stock(variants["M"]), stock(variants["jeans"])
    with django_capture_on_commit_callbacks(execute=True):
        done = services.receive_return(ret, actor=staff_user)
    assert done.status == R.COMPLETED and done.restocked
    assert (stock(variants["M"]), stock(variants["jeans"])) == (before[0] + 2, before[1] + 1)
    assert done.refund_amount == D("74.80")  # 2 x 19.90 + 35.00; shipping stays paid
    refund = Refund.objects.get()
    assert (refund.amount, refund.status, refund.payment) == (D("74.80"), "succeeded", payment)
    assert done.refund == refund
    assert CreditNote.objects.get().amount == D("74.80")
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED  # shipping (4.90) was not refunded
    assert "arrived" in mailoutbox[-1].subject and "We refunded €74.80" in mailoutbox[-1].body
    with pytest.raises(services.ReturnNotAllowed):
        services.receive_return(ret, actor=staff_user)
    assert stock(variants["M"]) == before[0] + 2
    assert Refund.objects.count() == 1


def test_a_rejected_return_frees_its_items_and_tells_the_customer(
    delivered, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    order, _, _ = delivered
    tee = order.items.order_by("pk").first()
    ret = services.request_return(order, [WantedReturn(tee.pk, 2, "changed_mind")])
    assert services.returnable_quantities(order)[tee.pk] == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_return(ret, actor=staff_user, note="Worn and washed.")
    assert "Worn and washed." in mailoutbox[-1].body
    assert services.returnable_quantities(order)[tee.pk] == 2
    with pytest.raises(services.ReturnNotAllowed):
        services.approve_return(ret, actor=staff_user)


def test_an_exchange_ships_the_new_size_as_a_free_linked_order(
    delivered, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    order, _, variants = delivered
    tee = order.items.order_by("pk").first()
    ret = services.request_return(order, [WantedReturn(tee.pk, 1, "too_small", variants["L"].pk)])
    services.approve_return(ret, actor=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.receive_return(ret, actor=staff_user)
    exchange = done.exchange_order
    assert exchange.exchange_for == order and exchange.status == Order.Status.PAID
    assert (exchange.total, exchange.vat_total) == (D("0.00"), D("0.00"))
    line = exchange.items.get()
    assert (line.variant, line.quantity, line.unit_price, line.size) == (variants["L"], 1, D("0.00"), "L")
    assert (stock(variants["M"]), stock(variants["L"])) == (4, 4)  # 5 - 2 + 1 back; 5 - 1 sent
    assert done.refund_amount == 0 and not Refund.objects.exists()
    assert not hasattr(exchange, "invoice") or exchange.invoice is None
    assert f"Your new size ships as order {exchange.number}" in mailoutbox[-1].body
    assert done.status == R.COMPLETED


def test_an_exchange_size_sold_out_meanwhile_is_refunded_instead(
    delivered, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    order, _, variants = delivered
    tee = order.items.order_by("pk").first()
    ret = services.request_return(order, [WantedReturn(tee.pk, 1, "too_large", variants["S"].pk)])
    services.approve_return(ret, actor=staff_user)
    type(variants["S"]).objects.filter(pk=variants["S"].pk).update(stock=0)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.receive_return(ret, actor=staff_user)
    assert done.exchange_order is None and done.refund_amount == D("19.90")
    assert stock(variants["S"]) == 0 and stock(variants["M"]) == 4
    assert "(sold out, refunded instead)" in mailoutbox[-1].body


def test_the_credit_note_of_a_return_carries_the_returned_lines_rates(
    staff_user, django_capture_on_commit_callbacks
):
    from shop.invoices.services import credit_note_summary
    from shop.orders.services import mark_shipped
    from shop.tax.models import TaxClass
    from tests.factories import make_product, make_variant, pay

    vest = make_variant(make_product("Baby Vest", price="10.70", tax_class=TaxClass.REDUCED))
    tee = make_variant(make_product("Harbour Tee", price="19.90"))
    order = make_order([(vest, 2), (tee, 1)])
    pay(order, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        mark_shipped(order, tracking_number="T1")
    item = order.items.get(variant=vest)
    ret = services.request_return(order, [WantedReturn(item.pk, 1, "changed_mind")])
    services.approve_return(ret, actor=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.receive_return(ret, actor=staff_user)
    note = CreditNote.objects.get()
    assert note.amount == D("10.70")
    [row] = credit_note_summary(note)
    assert (row.rate, row.gross, row.vat, row.net) == (D("7.00"), D("10.70"), D("0.70"), D("10.00"))
