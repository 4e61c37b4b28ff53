"""Redis stopped: the shop keeps serving, uncached (the soak kills a real Redis mid-load)."""

import socket

import pytest
from django.core.cache import caches

from tests.factories import make_product


@pytest.fixture
def redis_gone(settings):
    """Both caches on Redis at an address where nothing listens: a stopped Redis."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = {"BACKEND": "shop.core.cache.ForgivingRedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    settings.CACHES = {"default": backend, "pages": {**backend, "KEY_PREFIX": "pages"}}
    settings.PAGE_CACHE_SECONDS = 600
    settings.SHOP_RATE_LIMITS = dict.fromkeys(settings.SHOP_RATE_LIMITS, "3/d")
    for alias in ("default", "pages"):
        caches[alias].close()
        del caches[alias]
    yield
    for alias in ("default", "pages"):
        del caches[alias]


@pytest.mark.django_db
def test_the_shop_serves_and_sells_with_redis_down(redis_gone, client, site_root):
    product = make_product("Harbour Tee", sizes=("M",))
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200  # would be a hit; now simply served again
    assert client.get(product.get_absolute_url()).status_code == 200
    variant = product.variants.get()
    for _ in range(4):  # rate limits fail open: more than the limit, none refused
        response = client.post("/cart/add/", {"variant": variant.pk, "quantity": "1"})
        assert response.status_code == 302
    assert client.get("/cart/").status_code == 200
    assert caches["default"].get("anything", "fallback") == "fallback"
