"""Stand-ins for the payments app's hand-off, so orders tests do not depend on it."""

from django.http import HttpResponseRedirect

from shop.orders.payment import PaymentUnavailable

calls: list[str] = []


def redirect_to_provider(request, order):
    calls.append(order.number)
    return HttpResponseRedirect(f"/payments/test/fake-{order.number}/")


def unavailable(request, order):
    raise PaymentUnavailable()
