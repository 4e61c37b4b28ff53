"""The hand-off from a placed order to the payment step.

Orders never import payments: which function takes the order is configuration
(settings.SHOP_PAYMENT_HANDOFF), so the dependency arrow keeps pointing one way.
"""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

UNAVAILABLE = "The payment service is not answering. Your order is saved; please try again."


class PaymentUnavailable(Exception):
    """The provider cannot take the payment now; the order stays pending and can be retried."""

    def __init__(self, message: str = UNAVAILABLE):
        super().__init__(message)
        self.message = message


def start_payment(request: HttpRequest, order) -> HttpResponse:
    try:
        handoff = import_string(settings.SHOP_PAYMENT_HANDOFF)
    except ImportError as error:
        logger.error("Payment hand-off %s cannot be imported", settings.SHOP_PAYMENT_HANDOFF)
        raise PaymentUnavailable() from error
    return handoff(request, order)
