"""Payment providers behind one small interface, chosen by settings.PAYMENT_PROVIDER."""

from django.conf import settings

from .base import CheckoutStart, PaymentProvider, ProviderError, ProviderUnavailable, RefundResult


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider `name`, or the configured one."""
    from .stripe_checkout import StripeProvider
    from .testing import TestProvider

    name = name or settings.PAYMENT_PROVIDER
    providers: dict[str, type[PaymentProvider]] = {"test": TestProvider, "stripe": StripeProvider}
    if name not in providers:
        raise ProviderUnavailable(
            f"Unknown payment provider {name!r}; set PAYMENT_PROVIDER to test or stripe."
        )
    return providers[name]()


__all__ = [
    "CheckoutStart",
    "PaymentProvider",
    "ProviderError",
    "ProviderUnavailable",
    "RefundResult",
    "get_provider",
]
