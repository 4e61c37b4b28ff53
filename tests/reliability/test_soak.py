"""The soak's short form (make test): gunicorn with production settings on this test database,
16 shoppers for 10 seconds browsing, searching, filling carts, checking out and paying; then
no 5xx, no socket error, no order lost, and stock equal to the start minus what paid and
pending orders hold. Also the production headers, read from gunicorn's real responses.
`make soak` runs the long form with faults (scripts/soak.py)."""

import sys
from pathlib import Path

import pytest
from django.utils import timezone

from shop.catalog.models import ProductVariant
from tests.db import database_url
from tests.factories import make_category, make_product

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import soak_load as soak

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gunicorn(site_root):
    env = soak.production_env(database_url())
    soak.collectstatic(env)
    server, base = soak.start_gunicorn(env, workers=2)
    yield base
    soak.stop(server)


@pytest.fixture
def catalogue(site_root):
    category = make_category("T-shirts")
    products = [
        make_product(f"Soak tee {n}", category=category, sizes=("S", "M"), stock=40) for n in range(3)
    ]
    return [p.get_absolute_url() for p in products], list(ProductVariant.objects.values_list("pk", flat=True))


def test_ten_seconds_of_shoppers_leave_the_books_balanced(gunicorn, catalogue):
    products, variants = catalogue
    stock_before = dict(ProductVariant.objects.values_list("pk", "stock"))
    since = timezone.now()
    tally = soak.run_load(gunicorn, 10, 16, products, variants, checkout_share=0.5)
    after = soak.books(since)
    assert tally.server_errors == []
    assert tally.socket_errors == 0
    assert tally.requests > 50
    assert len(after["orders"]) > 0, "some shoppers must have checked out"
    assert tally.orders_seen <= after["orders"]
    assert soak.check_books(stock_before, after, tally) == []


def test_production_headers_on_real_responses(gunicorn, catalogue):
    products, _ = catalogue
    for path in ("/", products[0], "/cart/", "/accounts/login/"):
        status, headers, _ = soak.request(gunicorn, "GET", path, headers={"X-Forwarded-Proto": "https"})
        headers = {k.lower(): v for k, v in headers.items()}
        assert status == 200, path
        assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["referrer-policy"] == "same-origin", path
        assert headers["cross-origin-opener-policy"] == "same-origin", path
        assert "default-src 'self'" in headers["content-security-policy"], path
        assert "unsafe-inline" not in headers["content-security-policy"], path
    status, headers, _ = soak.request(
        gunicorn, "GET", "/cart/visitor/", headers={"X-Forwarded-Proto": "https"}
    )
    csrf_cookie = next(
        v for k, v in headers.items() if k.lower() == "set-cookie" and v.startswith("csrftoken=")
    )
    assert "Secure" in csrf_cookie and "SameSite=Lax" in csrf_cookie
