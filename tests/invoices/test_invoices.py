"""Invoices: numbered when paid, gap-free per year, PDFs for customer and staff, credit notes per refund."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from shop.invoices.models import CreditNote, DocumentSequence, Invoice, SellerDetails
from shop.invoices.services import issue_invoice, split_by_rate
from shop.tax.models import TaxClass
from shop.tax.services import VatSummary
from tests.factories import make_order, make_product, make_variant, pay, pdf_text, refund

pytestmark = pytest.mark.django_db
D = Decimal


def two_rate_order(**extra):
    return make_order(
        [
            (make_variant(make_product("Harbour Tee", price="19.99"), size="L", colour="Navy"), 3),
            (make_variant(make_product("Baby Vest", price="10.70", tax_class=TaxClass.REDUCED)), 1),
        ],
        **extra,
    )


def test_paying_issues_the_next_number_of_the_year(django_capture_on_commit_callbacks):
    year = timezone.localdate().year
    first, second = two_rate_order(), two_rate_order()
    pay(first, django_capture_on_commit_callbacks)
    pay(second, django_capture_on_commit_callbacks)
    assert first.invoice.number == f"{year}-000001"
    assert second.invoice.number == f"{year}-000002"
    assert issue_invoice(first) == first.invoice  # idempotent
    assert Invoice.objects.count() == 2
    assert DocumentSequence.objects.get(series="invoice", year=year).last_number == 2


def test_an_unpaid_order_has_no_invoice(client):
    order = two_rate_order()
    assert issue_invoice(order) is None
    assert client.get(f"/orders/{order.number}/invoice/?key={order.access_key}").status_code == 404
    assert "Invoice</a>" not in client.get(order.get_absolute_url()).content.decode()


def test_a_rolled_back_issue_gives_its_number_back(django_capture_on_commit_callbacks):
    first, second = two_rate_order(status="paid", paid_at=timezone.now()), two_rate_order()
    with pytest.raises(RuntimeError), transaction.atomic():
        issue_invoice(first)
        raise RuntimeError("crash after numbering")
    assert not Invoice.objects.exists()
    pay(second, django_capture_on_commit_callbacks)
    assert second.invoice.sequence == 1


def test_customer_downloads_the_invoice_pdf_with_the_orders_numbers(
    client, django_capture_on_commit_callbacks
):
    settings_row = SellerDetails.load()
    settings_row.name, settings_row.vat_number = "Threadline Test GmbH", "DE999999999"
    settings_row.save()
    order = two_rate_order()
    pay(order, django_capture_on_commit_callbacks)
    page = client.get(order.get_absolute_url()).content.decode()
    link = f'href="/orders/{order.number}/invoice/?key={order.access_key}"'
    assert link in page and ">Invoice</a>" in page
    response = client.get(f"/orders/{order.number}/invoice/?key={order.access_key}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    # 3 x 19.99 = 59.97 at 19 % (VAT 9.58), 10.70 at 7 % (VAT 0.70), shipping 4.90 at 19 % (0.78)
    assert order.total == D("75.57") and order.vat_total == D("11.06")
    for expected in (
        f"Invoice {order.invoice.number}",
        order.number,
        "Threadline Test GmbH",
        "DE999999999",
        "Grace Guest",
        "Harbour Tee",
        "€59.97",
        "€9.58",
        "€0.70",
        "€75.57",
        "€11.06",
        "€64.51",  # net total
    ):
        assert expected in text, expected
    assert client.get(f"/orders/{order.number}/invoice/?key=wrong").status_code == 404
    assert client.get(f"/orders/{order.number}/invoice/").status_code == 404


def test_seller_details_are_frozen_on_the_invoice(django_capture_on_commit_callbacks):
    order = two_rate_order()
    pay(order, django_capture_on_commit_callbacks)
    row = SellerDetails.load()
    row.name = "Renamed Ltd"
    row.save()
    order.invoice.refresh_from_db()
    assert order.invoice.seller["name"] == "Threadline GmbH"


def test_each_refund_gets_a_credit_note(client, staff_user, django_capture_on_commit_callbacks):
    year = timezone.localdate().year
    order = two_rate_order()
    payment = pay(order, django_capture_on_commit_callbacks)
    refund(payment, "10.70", django_capture_on_commit_callbacks, staff_user)
    refund(payment, "20.00", django_capture_on_commit_callbacks, staff_user)
    notes = list(CreditNote.objects.order_by("sequence"))
    assert [n.number for n in notes] == [f"CN-{year}-000001", f"CN-{year}-000002"]
    assert [n.amount for n in notes] == [D("10.70"), D("20.00")]
    assert all(n.invoice == order.invoice for n in notes)
    page = client.get(order.get_absolute_url()).content.decode()
    assert f"Credit note CN-{year}-000001" in page
    response = client.get(f"/orders/{order.number}/credit-notes/{notes[1].number}/?key={order.access_key}")
    text = pdf_text(response.content)
    assert f"Credit note {notes[1].number}" in text and order.invoice.number in text
    assert "\u2212€20.00" in text  # a minus sign
    other = two_rate_order()
    assert (
        client.get(
            f"/orders/{other.number}/credit-notes/{notes[1].number}/?key={other.access_key}"
        ).status_code
        == 404
    )


def test_a_refund_is_split_over_the_orders_rates_to_the_cent():
    summary = [
        VatSummary(rate=D("19.00"), net=D("54.09"), vat=D("10.36"), gross=D("64.87")),
        VatSummary(rate=D("7.00"), net=D("10.00"), vat=D("0.70"), gross=D("10.70")),
    ]
    for amount in ("0.01", "0.03", "20.00", "33.33", "75.57"):
        rows = split_by_rate(D(amount), summary)
        assert sum(r.gross for r in rows) == D(amount)
        assert all(r.net + r.vat == r.gross for r in rows)
    full = split_by_rate(D("75.57"), summary)
    assert [r.gross for r in full] == [D("64.87"), D("10.70")]


def test_staff_download_documents_from_the_order_screen(
    client, staff_user, marketer, django_capture_on_commit_callbacks
):
    order = two_rate_order()
    payment = pay(order, django_capture_on_commit_callbacks)
    refund(payment, "5.00", django_capture_on_commit_callbacks, staff_user)
    client.force_login(staff_user)
    screen = client.get(f"/admin/shop/orders/{order.pk}/").content.decode()
    assert f"Invoice {order.invoice.number}" in screen
    note = CreditNote.objects.get()
    assert f"Credit note {note.number}" in screen
    pdf = client.get(f"/admin/invoices/order/{order.pk}/")
    assert pdf.status_code == 200 and order.invoice.number in pdf_text(pdf.content)
    assert client.get(f"/admin/invoices/credit-notes/{note.pk}/").status_code == 200
    client.force_login(marketer)
    assert client.get(f"/admin/invoices/order/{order.pk}/").status_code in (302, 403)


@pytest.mark.parametrize("refunds", [1, 4])
def test_the_order_screen_panels_take_a_fixed_number_of_queries(
    refunds, staff_user, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from django.test import RequestFactory

    from shop.invoices.wagtail_hooks import order_documents_panel
    from shop.returns.wagtail_hooks import order_returns_panel

    order = two_rate_order()
    payment = pay(order, django_capture_on_commit_callbacks)
    for _ in range(refunds):
        refund(payment, "1.00", django_capture_on_commit_callbacks, staff_user)
    request = RequestFactory().get("/admin/")
    request.user = type(staff_user).objects.get(pk=staff_user.pk)
    request.user.has_perm("invoices.view_invoice")  # permission cache warmed, as on the order screen
    with django_assert_max_num_queries(2):
        html = order_documents_panel(request, order)
    assert html.count("Credit note CN-") == refunds
    with django_assert_max_num_queries(1):
        order_returns_panel(request, order)
