"""The checkout's own Prometheus counter: what the checkout-failure alert divides.

One sample per valid checkout form posted, by outcome. Every outcome exists from the
start (at 0), so a ratio over them is defined before the first failure.
"""

from prometheus_client import Counter

PLACED = "placed"  # the order was saved and handed to the payment step
REJECTED = "rejected"  # the cart could not be ordered as it was (stock, prices): the shopper is told
PAYMENT_UNAVAILABLE = "payment_unavailable"  # the order is saved, the provider did not answer
ERROR = "error"  # an unexpected exception: the shopper got a 500
OUTCOMES = (PLACED, REJECTED, PAYMENT_UNAVAILABLE, ERROR)

CHECKOUTS = Counter("threadline_checkouts_total", "Checkout attempts by outcome", ["outcome"])
for _outcome in OUTCOMES:
    CHECKOUTS.labels(_outcome)


def count_checkout(outcome: str) -> None:
    CHECKOUTS.labels(outcome).inc()
