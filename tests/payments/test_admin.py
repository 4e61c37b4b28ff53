"""Staff refund from the Wagtail order screen: the panel payments add to it, and the action behind it."""

from decimal import Decimal

import pytest
from django.test import RequestFactory
from wagtail import hooks

from shop.core.admin_menu import ORDER_DETAIL_PANELS_HOOK
from shop.orders.models import Order
from shop.payments.models import Refund
from shop.payments.services import settle_test_payment
from shop.payments.wagtail_hooks import order_payments_panel
from tests.factories import start_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(order):
    _, payment = start_payment(order)
    settle_test_payment(payment, succeed=True)
    order.refresh_from_db()
    return order


def render_panels(user, order) -> str:
    request = RequestFactory().get(f"/admin/orders/{order.pk}/")
    request.user = user
    return "".join(str(fn(request, order) or "") for fn in hooks.get_hooks(ORDER_DETAIL_PANELS_HOOK))


def test_the_panel_shows_payments_and_a_refund_form_for_staff(staff_user, paid_order):
    payment = paid_order.payments.get()
    html = render_panels(staff_user, paid_order)
    assert "Payments and refunds" in html
    assert "€79.70" in html
    assert f'action="/admin/payments/{payment.pk}/refund/"' in html
    assert 'value="79.70"' in html
    assert "Also cancel the order" in html


def test_the_panel_has_no_refund_form_without_the_permission(marketer, paid_order):
    html = render_panels(marketer, paid_order)
    assert "Payments and refunds" in html
    assert "/refund/" not in html


def test_the_panel_of_an_unpaid_order_offers_no_refund(staff_user, order):
    start_payment(order)
    html = render_panels(staff_user, order)
    assert "Pending" in html
    assert "/refund/" not in html


def _refund_url(order) -> str:
    return f"/admin/payments/{order.payments.get().pk}/refund/"


def _form(order, amount, reason="Damaged", **extra) -> dict:
    prefix = f"refund-{order.payments.get().pk}"
    data = {f"{prefix}-amount": amount, f"{prefix}-reason": reason, "next": f"/admin/orders/{order.pk}/"}
    data.update({f"{prefix}-{k}": v for k, v in extra.items()})
    return data


def test_staff_refund_part_then_the_rest(client, staff_user, paid_order):
    client.force_login(staff_user)

    response = client.post(_refund_url(paid_order), _form(paid_order, "29.70"))

    assert response.status_code == 302
    assert response["Location"] == f"/admin/orders/{paid_order.pk}/"
    refund = Refund.objects.get()
    assert (refund.amount, refund.requested_by, refund.reason) == (Decimal("29.70"), staff_user, "Damaged")
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.PAID

    response = client.post(_refund_url(paid_order), _form(paid_order, "50.00"), follow=False)
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.REFUNDED


def test_staff_see_a_clear_message_for_too_large_a_refund(client, staff_user, paid_order):
    client.force_login(staff_user)
    response = client.post(_refund_url(paid_order), _form(paid_order, "100.00"), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Only €79.70 of this payment can still be refunded; €100.00 is more than that."]
    assert not Refund.objects.exists()


def test_an_invalid_form_changes_nothing(client, staff_user, paid_order):
    client.force_login(staff_user)
    response = client.post(_refund_url(paid_order), _form(paid_order, "-3", reason=""), follow=True)
    messages = " ".join(str(m) for m in response.context["messages"])
    assert "Amount" in messages
    assert "Reason" in messages
    assert not Refund.objects.exists()


def test_staff_cancel_a_paid_order_with_a_full_refund(client, staff_user, paid_order):
    client.force_login(staff_user)
    client.post(_refund_url(paid_order), _form(paid_order, "79.70", cancel_order="on"))
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.CANCELLED


def test_the_next_url_must_stay_on_this_site(client, staff_user, paid_order):
    """Another site's `next` is refused before the view (HostileInputMiddleware): no refund."""
    client.force_login(staff_user)
    data = _form(paid_order, "1.00")
    data["next"] = "https://evil.example.com/"
    assert client.post(_refund_url(paid_order), data).status_code == 400
    assert not paid_order.payments.get().refunds.exists()


def test_without_the_permission_a_refund_is_forbidden(client, marketer, paid_order):
    client.force_login(marketer)
    response = client.post(_refund_url(paid_order), _form(paid_order, "1.00"), follow=True)
    # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
    assert response.redirect_chain[0] == ("/admin/", 302)
    assert "permission" in " ".join(str(m) for m in response.context["messages"])
    assert not Refund.objects.exists()


def test_a_shopper_cannot_reach_the_refund_action(client, shopper, paid_order):
    client.force_login(shopper)
    response = client.post(_refund_url(paid_order), _form(paid_order, "1.00"))
    assert response.status_code in (302, 403)
    assert not Refund.objects.exists()


def test_refund_action_takes_post_only(client, staff_user, paid_order):
    client.force_login(staff_user)
    assert client.get(_refund_url(paid_order)).status_code == 405


def test_an_unknown_payment_is_a_404(client, staff_user, db):
    client.force_login(staff_user)
    assert client.post("/admin/payments/999999/refund/", {}).status_code == 404


def test_staff_see_payment_events_in_the_shop_menu(client, staff_user, paid_order):
    client.force_login(staff_user)
    response = client.get("/admin/shop/payment-events/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "payment.paid" in html
    assert paid_order.number in html
    log = paid_order.payments.get().logs.get()
    inspect = client.get(f"/admin/shop/payment-events/inspect/{log.pk}/")
    assert inspect.status_code == 200
    assert "test_" in inspect.content.decode()
    assert "Payment events" in client.get("/admin/").content.decode()


def test_marketers_do_not_see_payment_events(client, marketer, paid_order):
    client.force_login(marketer)
    response = client.get("/admin/shop/payment-events/")
    assert response.status_code == 302


def test_staff_refund_from_the_order_screen(client, staff_user, paid_order):
    """The panel appears on orders' screen, and its form's target and next URL work as rendered."""
    client.force_login(staff_user)
    screen = f"/admin/shop/orders/{paid_order.pk}/"
    html = client.get(screen).content.decode()
    assert "Payments and refunds" in html
    payment = paid_order.payments.get()
    assert f'action="/admin/payments/{payment.pk}/refund/"' in html
    assert f'name="next" value="{screen}"' in html

    response = client.post(
        f"/admin/payments/{payment.pk}/refund/", _form(paid_order, "79.70") | {"next": screen}, follow=True
    )

    assert response.redirect_chain[-1][0] == screen
    assert "Refunded €79.70 of order" in response.content.decode()
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.REFUNDED


@pytest.mark.parametrize("refunds", [1, 6])
def test_the_panel_takes_a_fixed_number_of_queries(
    staff_user, paid_order, refunds, django_assert_max_num_queries
):
    from shop.payments.refunds import refund_payment

    payment = paid_order.payments.get()
    for _ in range(refunds):
        refund_payment(payment, "1.00", "Part", staff_user)
    staff_user = type(staff_user).objects.get(pk=staff_user.pk)
    staff_user.has_perm("payments.add_refund")  # permission cache warmed, as on the order screen
    request = RequestFactory().get(f"/admin/orders/{paid_order.pk}/")
    request.user = staff_user
    with django_assert_max_num_queries(3):
        html = order_payments_panel(request, paid_order)
    assert html.count("Part") == refunds
    assert f'value="{Decimal("79.70") - refunds}"' in html  # what is left, from the prefetched refunds


def test_refundable_amount_counts_prefetched_refunds_without_a_query(
    staff_user, paid_order, django_assert_num_queries
):
    from shop.payments.models import Payment
    from shop.payments.refunds import refund_payment

    payment = paid_order.payments.get()
    refund_payment(payment, "1.50", "Part", staff_user)
    Refund.objects.create(payment=payment, amount="5.00", status=Refund.Status.FAILED)
    [prefetched] = Payment.objects.filter(pk=payment.pk).prefetch_related("refunds")

    with django_assert_num_queries(0):
        assert prefetched.refunded_amount == Decimal("1.50")
        assert prefetched.refundable_amount == Decimal("78.20")
    assert Payment.objects.get(pk=payment.pk).refundable_amount == Decimal("78.20")


@pytest.mark.parametrize("pk", ["abc", "0x1", "999999"])
def test_a_payment_event_that_is_not_there_is_a_404(client, staff_user, db, pk):
    client.force_login(staff_user)
    assert client.get(f"/admin/shop/payment-events/inspect/{pk}/").status_code == 404
