"""The test provider: a page of this site with Pay and Fail buttons, for development and staging."""

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from .base import CheckoutStart, ProviderUnavailable, RefundResult

if TYPE_CHECKING:
    from shop.payments.models import Payment, Refund

DISABLED_MESSAGE = (
    "Test payments are switched off on this site, so no order can be paid here. "
    "Your order is saved; please try again later or contact us."
)


def test_payments_allowed() -> bool:
    """Never take pretend money in production by accident: DEBUG or an explicit switch."""
    return bool(settings.DEBUG or settings.ALLOW_TEST_PAYMENTS)


class TestProvider:
    name = "test"

    def check_available(self) -> None:
        if not test_payments_allowed():
            raise ProviderUnavailable(DISABLED_MESSAGE)

    def start_checkout(self, payment: "Payment", *, success_url: str, cancel_url: str) -> CheckoutStart:
        self.check_available()
        return CheckoutStart(redirect_url=reverse("payments:test_page", kwargs={"token": payment.token}))

    def cancel_checkout(self, payment: "Payment") -> None:
        """Nothing lives outside this site: the page refuses a payment that is no longer pending."""

    def refund(self, refund: "Refund") -> RefundResult:
        return RefundResult(reference=f"test_re_{secrets.token_hex(8)}", succeeded=True)
