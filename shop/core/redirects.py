"""Where to send the shopper after a form: the `next` they came with, if it is on this site.

Every `next` of every request is also checked once by HostileInputMiddleware: one that is
not a URL of this site is a 400 before any view (ours, Django's login, Wagtail's admin and
bulk actions) could follow it or take it for a view name."""

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_next(request: HttpRequest, candidate: str) -> bool:
    """A path ("/cart/") or an absolute URL of this site. Not a bare word such as "0" or
    "home": Django's `redirect()` would take it for a view name (a 500, or somewhere odd)."""
    return (
        bool(candidate)
        and (candidate.startswith("/") or bool(urlsplit(candidate).netloc))
        and url_has_allowed_host_and_scheme(
            candidate, {request.get_host()}, require_https=request.is_secure()
        )
    )


def safe_next(request: HttpRequest, candidate: str) -> str:
    """`candidate` if it is a URL on this site, else "" (for storing a `next` to use later)."""
    return candidate if is_safe_next(request, candidate) else ""


def redirect_to_next(request: HttpRequest, candidates: Iterable[str], fallback: str) -> HttpResponseRedirect:
    """The first candidate URL on this site, else `fallback` (a URL name or path).

    A candidate is only ever treated as a URL: `redirect()` would try a value such as "0"
    or "home" as a view name and fail with NoReverseMatch, a 500."""
    for candidate in candidates:
        if is_safe_next(request, candidate):
            return HttpResponseRedirect(candidate)
    return redirect(fallback)
