"""The checkout counter, read back from /metrics the way Prometheus scrapes it."""

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from shop.orders.metrics import OUTCOMES
from tests.factories import make_product, make_variant

from .test_checkout import ADDRESS, fill_cart

pytestmark = pytest.mark.django_db


def scrape_checkouts(client) -> dict[str, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    families = text_string_to_metric_families(response.content.decode())
    [family] = [f for f in families if f.name == "threadline_checkouts"]
    return {s.labels["outcome"]: s.value for s in family.samples if s.name == "threadline_checkouts_total"}


def checkout_once(client, settings, handoff: str):
    settings.SHOP_PAYMENT_HANDOFF = f"tests.orders.handoff.{handoff}"
    fill_cart(client, (make_variant(make_product(price="20.00", sizes=()), stock=5), 1))
    return client.post("/checkout/", ADDRESS)


def test_every_outcome_is_exported_before_it_happens(client):
    assert set(scrape_checkouts(client)) == set(OUTCOMES)


@pytest.mark.parametrize(
    ("handoff", "outcome", "status"),
    [
        ("redirect_to_provider", "placed", 303),
        ("unavailable", "payment_unavailable", 302),
        ("broken", "error", 500),
    ],
)
def test_a_checkout_counts_once_under_its_outcome(client, settings, handoff, outcome, status):
    before = scrape_checkouts(client)
    shopper = Client(raise_request_exception=False)
    response = checkout_once(shopper, settings, handoff)
    assert response.status_code == status
    after = scrape_checkouts(client)
    assert {name: after[name] - before[name] for name in OUTCOMES} == {
        name: 1.0 if name == outcome else 0.0 for name in OUTCOMES
    }
