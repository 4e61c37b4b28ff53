from django.conf import settings


def shop(request):
    """Values every storefront template may use."""
    return {
        "SHOP_CURRENCY": settings.SHOP_CURRENCY,
        "SHOP_NAME": settings.WAGTAIL_SITE_NAME,
    }
