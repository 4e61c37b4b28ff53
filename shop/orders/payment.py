"""The hand-off from a placed order to the payment step.

Orders never import payments: which function takes the order is configuration
(settings.SHOP_PAYMENT_HANDOFF, checked at start-up by `payment_handoff_is_importable`), so
the dependency arrow keeps pointing one way. The hand-off returns a URL; the view redirects.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .models import Order

UNAVAILABLE = "The payment service is not answering. Your order is saved; please try again."

# handoff(order, *, site_url) -> the URL the shopper is sent to
PaymentHandoff = Callable[..., str]


class PaymentUnavailable(Exception):
    """The provider cannot take the payment now; the order stays pending and can be retried."""

    def __init__(self, message: str = UNAVAILABLE):
        super().__init__(message)
        self.message = message


def payment_handoff() -> PaymentHandoff:
    return import_string(settings.SHOP_PAYMENT_HANDOFF)


def start_payment(order: "Order", *, site_url: str) -> str:
    """Where to send the shopper to pay `order`; raises PaymentUnavailable when nobody can take it."""
    return payment_handoff()(order, site_url=site_url)


@register()
def payment_handoff_is_importable(app_configs=None, **kwargs) -> list[Error]:
    """A typo in SHOP_PAYMENT_HANDOFF stops the shop at start-up, not at the first checkout."""
    try:
        handoff = payment_handoff()
    except ImportError as error:
        return [Error(f"SHOP_PAYMENT_HANDOFF cannot be imported: {error}", id="orders.E001")]
    if not callable(handoff):
        return [
            Error(
                f"SHOP_PAYMENT_HANDOFF {settings.SHOP_PAYMENT_HANDOFF!r} is not callable.", id="orders.E002"
            )
        ]
    return []
