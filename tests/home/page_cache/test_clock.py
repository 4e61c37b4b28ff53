"""What the clock alone changes (a discount code starting or ending) never outlives its moment
in the page cache or at a CDN, although no event invalidates the cache for it."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from shop.discounts.models import DiscountCode
from tests.factories import landing

pytestmark = pytest.mark.django_db

SOON = timedelta(seconds=4)


def promo(code: DiscountCode) -> tuple[str, dict]:
    return ("discount_promo", {"code": code.pk, "heading": "Spring sale", "text": "", "limit": 0})


def wait_past(moment) -> None:
    """Until the clock has passed `moment` (bounded): the state this test needs is a time."""
    deadline = time.monotonic() + 30
    while timezone.now() <= moment:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def visit(url: str):
    response = Client().get(url)
    assert response.status_code == 200
    return response, "data-promo-code>SPRING<" in response.content.decode()


@pytest.mark.parametrize("moment", ["ends_at", "starts_at"])
def test_a_code_starting_or_ending_shows_at_its_moment(home, moment):
    now = timezone.now()
    window = {"starts_at": now - timedelta(days=1), "ends_at": now + SOON}
    if moment == "starts_at":
        window = {"starts_at": now + SOON, "ends_at": now + timedelta(days=1)}
    code = DiscountCode.objects.create(code="SPRING", value=Decimal("10"), **window)
    page = landing(home, body=[promo(code)])
    shown_before = moment == "ends_at"
    # The moment counted from now, not from before the page was made: on a loaded machine that
    # took long enough to leave the first render less than a whole second to keep its page.
    setattr(code, moment, timezone.now() + SOON)
    DiscountCode.objects.filter(pk=code.pk).update(**{moment: getattr(code, moment)})

    first, shown = visit(page.url)
    assert (first["X-Page-Cache"], shown) == ("miss", shown_before)
    cdn = int(first["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert cdn <= SOON.total_seconds()  # a CDN may not keep it past the moment either
    second, shown = visit(page.url)
    assert (second["X-Page-Cache"], shown) == ("hit", shown_before)

    wait_past(getattr(code, moment))
    after, shown = visit(page.url)
    assert (after["X-Page-Cache"], shown) == ("miss", not shown_before)


def test_pages_without_such_a_part_keep_the_full_lifetime(home, settings):
    page = landing(home, body=[("rich_text", "<p>Wool for cold days.</p>")])
    response, _ = visit(page.url)
    assert response["X-Page-Cache"] == "miss"
    assert f"s-maxage={settings.PAGE_CACHE_CDN_SECONDS}" in response["Cache-Control"]
