"""The checkout counter, read back from /metrics the way Prometheus scrapes it."""

import threading

import psycopg
import pytest
from django.db import connection
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from shop.orders.metrics import OUTCOMES
from tests.db import database_url
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


@pytest.mark.django_db(transaction=True)
def test_a_cart_sold_out_under_the_shopper_counts_as_rejected(settings):
    """The last unit goes while this shopper's checkout waits for the variant's row lock:
    the cart check passed, the locked re-check refuses. Waits on PostgreSQL's own view of
    the blocked query, never on time."""
    settings.SHOP_PAYMENT_HANDOFF = "tests.orders.handoff.redirect_to_provider"
    variant = make_variant(make_product(price="20.00", sizes=()), stock=1)
    shopper = Client()
    fill_cart(shopper, (variant, 1))
    before = scrape_checkouts(Client())
    responses = []

    def check_out():
        try:
            responses.append(shopper.post("/checkout/", ADDRESS))
        finally:
            connection.close()

    # Another session holds the row (the competing checkout); a third watches: within one
    # transaction pg_stat_activity would stay a snapshot.
    with psycopg.connect(database_url()) as other, psycopg.connect(database_url(), autocommit=True) as watch:
        other.execute("SELECT stock FROM catalog_productvariant WHERE id = %s FOR UPDATE", [variant.pk])
        thread = threading.Thread(target=check_out)
        thread.start()
        while not watch.execute(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone():
            assert thread.is_alive(), "the checkout finished without waiting for the lock"
        other.execute("UPDATE catalog_productvariant SET stock = 0 WHERE id = %s", [variant.pk])
        other.commit()
    thread.join(timeout=60)

    [response] = responses
    assert response.status_code == 302 and response["Location"] == "/cart/"
    after = scrape_checkouts(Client())
    assert {name: after[name] - before[name] for name in OUTCOMES} == {
        name: 1.0 if name == "rejected" else 0.0 for name in OUTCOMES
    }
