"""The landing-page block that promotes a discount code, and marketers managing codes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.discounts.models import DiscountCode
from tests.factories import landing, make_product

pytestmark = pytest.mark.django_db


def promo(code: DiscountCode, limit: int = 4) -> tuple[str, dict]:
    return (
        "discount_promo",
        {"code": code.pk, "heading": "Spring sale", "text": "Hoodies for less", "limit": limit},
    )


def test_the_block_shows_code_end_date_and_its_products_until_the_code_ends(client, home, hoodies, tshirts):
    ends = timezone.now() + timedelta(days=3)
    code = DiscountCode.objects.create(code="HOODIES20", value=Decimal("20"), ends_at=ends)
    code.categories.add(hoodies)
    make_product("Zip hoodie", category=hoodies)
    make_product("Plain tee", category=tshirts)
    page = landing(home, body=[promo(code)])
    html = client.get(page.url).content.decode()
    assert "data-promo-code>HOODIES20<" in html
    assert f'datetime="{ends.isoformat(timespec="microseconds")}"'[:30] in html
    assert "Zip hoodie" in html and "Plain tee" not in html
    code.ends_at = timezone.now() - timedelta(seconds=1)
    code.starts_at = timezone.now() - timedelta(days=1)
    code.save()
    html = client.get(page.url).content.decode()
    assert "HOODIES20" not in html and "Spring sale" not in html


def test_a_used_up_or_switched_off_code_is_not_promoted(client, home):
    code = DiscountCode.objects.create(code="OFF", value=Decimal("5"), is_active=False)
    page = landing(home, body=[promo(code)])
    assert "Spring sale" not in client.get(page.url).content.decode()
    code.is_active, code.usage_limit = True, 0
    code.save()
    assert "Spring sale" not in client.get(page.url).content.decode()


def test_a_marketer_creates_a_code_in_the_admin(client, marketer, hoodies):
    client.force_login(marketer)
    response = client.post(
        "/admin/shop/discount-codes/add/",
        {
            "code": " spring15 ",
            "is_active": "on",
            "description": "15% off hoodies",
            "kind": "percentage",
            "value": "15",
            "minimum_order": "0",
            "starts_at": "2026-01-01 00:00",
            "ends_at": "",
            "usage_limit": "100",
            "usage_limit_per_customer": "1",
            "categories": [hoodies.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    code = DiscountCode.objects.get()
    assert code.code == "SPRING15" and list(code.categories.all()) == [hoodies]


def test_a_percentage_above_100_is_a_form_error(client, marketer):
    client.force_login(marketer)
    response = client.post(
        "/admin/shop/discount-codes/add/",
        {
            "code": "BIG",
            "kind": "percentage",
            "value": "150",
            "minimum_order": "0",
            "starts_at": "2026-01-01 00:00",
        },
    )
    assert response.status_code == 200
    assert "A percentage is at most 100." in response.content.decode()
    assert not DiscountCode.objects.exists()
