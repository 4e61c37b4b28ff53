"""What the payment services need from a provider, and nothing more."""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from shop.payments.models import Payment, Refund


class ProviderError(Exception):
    """The provider refused or failed; the message is safe to show to staff."""


class ProviderUnavailable(ProviderError):
    """The provider cannot be reached now (timeout, refused connection, 5xx) or is switched off."""


@dataclass(frozen=True)
class CheckoutStart:
    redirect_url: str
    reference: str = ""
    expires_at: datetime | None = None  # when the provider's checkout closes, if it says


@dataclass(frozen=True)
class RefundResult:
    reference: str
    succeeded: bool
    pending: bool = False


class PaymentProvider(Protocol):
    name: str

    def check_available(self) -> None:
        """Raise ProviderUnavailable when this provider must not take an order now."""

    def start_checkout(self, payment: "Payment", *, success_url: str, cancel_url: str) -> CheckoutStart:
        """Create the provider-side checkout and say where to send the shopper."""

    def cancel_checkout(self, payment: "Payment") -> None:
        """Make an unfinished checkout unusable, so nobody pays a cancelled order."""

    def refund(self, refund: "Refund") -> RefundResult:
        """Send `refund.amount` of `refund.payment` back."""
