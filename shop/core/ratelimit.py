"""Rate limits on the endpoints a script would hammer (cart, checkout, sign-up, test payments).

Counted per client IP in Django's cache with django-ratelimit's fixed windows: Redis when
REDIS_URL is set (one count for every replica and worker), local memory otherwise (each
worker counts alone, so the effective limit is the rate times the workers). Limits are
settings (SHOP_RATE_LIMITS) sized so that a shopper never meets them."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django_ratelimit.core import is_ratelimited

from .clientip import client_ip


def _key(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def too_many_requests(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(render_to_string("429.html"), status=429)
    response["Retry-After"] = "60"
    return response


def rate_limited(group: str, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """Answer 429 once this client used up SHOP_RATE_LIMITS[group] for `methods`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods and is_ratelimited(
                request,
                group=f"shop.{group}",
                key=_key,
                rate=settings.SHOP_RATE_LIMITS[group],
                increment=True,
            ):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
