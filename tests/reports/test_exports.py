"""Exports and the sales report: streamed CSV with the list's filters, and numbers that match the orders."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.orders.models import Order
from shop.tax.models import TaxClass
from tests.factories import make_order, make_product, make_variant, pay, refund

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def sales(django_capture_on_commit_callbacks, staff_user):
    tee = make_variant(make_product("Harbour Tee", price="19.99"))
    vest = make_variant(make_product("Baby Vest", price="10.70", tax_class=TaxClass.REDUCED))
    paid = make_order([(tee, 3), (vest, 1)], email="ada@example.com")
    payment = pay(paid, django_capture_on_commit_callbacks)
    refund(payment, "10.70", django_capture_on_commit_callbacks, staff_user)
    other = make_order([(tee, 1)], email="bob@example.com")
    pay(other, django_capture_on_commit_callbacks)
    pending = make_order([(vest, 2)], email="cy@example.com")
    return paid, other, pending


def read(response) -> list[dict]:
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


def test_orders_export_follows_the_list_filters(staff, sales):
    paid, other, pending = sales
    everything = read(staff.get("/admin/shop/exports/orders.csv"))
    assert [r["order"] for r in everything] == [paid.number, other.number, pending.number]
    only_paid = read(staff.get("/admin/shop/exports/orders.csv?status=paid"))
    assert {r["order"] for r in only_paid} == {paid.number, other.number}
    searched = read(staff.get("/admin/shop/exports/orders.csv?q=bob@"))
    assert [r["order"] for r in searched] == [other.number]
    row = everything[0]
    assert (row["total"], row["vat"], row["net"]) == (
        str(paid.total),
        str(paid.vat_total),
        str(paid.net_total),
    )
    assert row["invoice"] == paid.invoice.number
    html = staff.get("/admin/shop/orders/?status=paid").content.decode()
    assert "/admin/shop/exports/orders.csv?status=paid" in html


def test_lines_and_refunds_exports(staff, sales):
    paid, _, _ = sales
    lines = read(staff.get(f"/admin/shop/exports/lines.csv?q={paid.number}"))
    assert [(r["product"], r["quantity"], r["vat rate"], r["vat"]) for r in lines] == [
        ("Harbour Tee", "3", "19.00", "9.58"),
        ("Baby Vest", "1", "7.00", "0.70"),
    ]
    refunds = read(staff.get("/admin/shop/exports/refunds.csv"))
    assert [(r["order"], r["amount"], r["status"]) for r in refunds] == [(paid.number, "10.70", "Succeeded")]
    assert refunds[0]["credit note"].startswith("CN-")


def test_vat_per_month_and_rate_adds_up(staff, sales):
    paid, other, _ = sales
    rows = read(staff.get("/admin/shop/exports/vat.csv"))
    month = timezone.localdate().strftime("%Y-%m")
    by_rate = {r["vat rate"]: r for r in rows if r["month"] == month}
    assert set(by_rate) == {"19.00", "7.00"}
    assert sum(D(r["gross sales"]) for r in by_rate.values()) == paid.total + other.total
    assert sum(D(r["vat sales"]) for r in by_rate.values()) == paid.vat_total + other.vat_total
    assert sum(D(r["gross refunded"]) for r in by_rate.values()) == D("10.70")
    for r in by_rate.values():
        assert D(r["net"]) + D(r["vat"]) == D(r["gross"])
        assert D(r["gross"]) == D(r["gross sales"]) - D(r["gross refunded"])


def test_exports_are_for_staff_only(client, marketer, sales):
    client.force_login(marketer)
    assert client.get("/admin/shop/exports/orders.csv").status_code in (302, 403)
    assert client.get("/admin/reports/sales-by-day/").status_code in (302, 403)


def test_unknown_export_is_404(staff):
    assert staff.get("/admin/shop/exports/secrets.csv").status_code == 404


def test_sales_by_day_report(staff, sales):
    paid, other, _ = sales
    page = staff.get("/admin/reports/sales-by-day/")
    html = page.content.decode()
    assert page.status_code == 200
    gross = paid.total + other.total
    assert f"€{gross}" in html and "€10.70" in html
    assert "/admin/reports/sales-by-day/" in staff.get("/admin/").content.decode()  # the Reports menu
    today = timezone.localdate().isoformat()
    rows = read(staff.get(f"/admin/reports/sales-by-day/?from={today}&to={today}&export=csv"))
    assert rows == [
        {
            "day": today,
            "orders": "2",
            "units": "5",
            "net": str(gross - paid.vat_total - other.vat_total),
            "vat": str(paid.vat_total + other.vat_total),
            "gross": str(gross),
            "refunded": "10.70",
        }
    ]
    assert staff.get("/admin/reports/sales-by-day/?from=yesterday").status_code == 400
    assert staff.get("/admin/reports/sales-by-day/?from=2026-01-02&to=2026-01-01").status_code == 400
    assert Order.objects.filter(total=0).count() == 0
