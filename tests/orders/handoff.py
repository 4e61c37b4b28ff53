"""Stand-ins for the payments app's hand-off, so orders tests do not depend on it."""

from shop.orders.payment import PaymentUnavailable

calls: list[str] = []


def redirect_to_provider(order, *, site_url: str) -> str:
    calls.append(order.number)
    return f"/payments/test/fake-{order.number}/"


def unavailable(order, *, site_url: str) -> str:
    raise PaymentUnavailable()


def broken(order, *, site_url: str) -> str:
    raise RuntimeError("the provider's client library failed in a way nobody planned for")
