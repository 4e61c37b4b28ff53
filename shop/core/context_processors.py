from django.conf import settings
from django.contrib.auth.context_processors import PermWrapper
from django.contrib.auth.models import AnonymousUser

from .pagecache import CSRF_PLACEHOLDER


def shop(request):
    """Values every storefront template may use."""
    return {
        "SHOP_CURRENCY": settings.SHOP_CURRENCY,
        "SHOP_NAME": settings.WAGTAIL_SITE_NAME,
    }


def page_cache(request):
    """In shared mode (a page rendered for the page cache) every per-visitor value is blanked.

    Listed last, so these win over auth, messages, csrf and the cart count: a template
    that forgets to put a personal value in a hole still renders the anonymous one.
    """
    if not getattr(request, "shared_page", False):
        return {}
    return {
        "shared_page": True,
        "user": AnonymousUser(),
        "perms": PermWrapper(AnonymousUser()),
        "messages": (),
        "cart_count": 0,
        "csrf_token": CSRF_PLACEHOLDER,
    }
