"""Guards that apply to every request, so no single view has to remember them.

`HostileInputMiddleware` refuses what PostgreSQL cannot store or compare before any view
runs: a NUL character anywhere in the request (path, query, form fields, cookies), other
control characters in the path, integer URL arguments beyond PostgreSQL's bigint, and a
`next` parameter that is not a URL of this site (an open redirect, or a bare word that
`redirect()` takes for a view name). The first three used to reach the database as a
DataError, the last was a 500 in Wagtail's bulk actions; now each is a 400 or a 404 for
every view at once, Wagtail's admin included.

`DatabaseUnavailableMiddleware` turns a lost database connection into a 503 page that
says so (with Retry-After) instead of a generic 500, and logs it once per request; a
connection lost outside the view is the 500 handler's (`shop/core/errors.py`).
"""

import logging
import re

from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse

from .errors import database_unavailable
from .redirects import is_safe_next

logger = logging.getLogger(__name__)

BIGINT_MAX = 2**63 - 1
_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DIGITS = re.compile(r"[0-9]{1,19}")
_PRIMARY_KEY_ARGUMENTS = ("pk", "object_id")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class HostileInput(SuspiciousOperation):
    """A 400 through Django's own handler: logged on django.security.HostileInput, 400.html shown."""


def _has_nul(pairs) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in pairs)


def refuse_hostile_input(request: HttpRequest) -> None:
    if _PATH_CONTROL.search(request.path_info):
        raise HostileInput("Control character in the URL path.")
    if _has_nul(request.GET.lists()):
        raise HostileInput("NUL character in the query string.")
    if any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items()):
        raise HostileInput("NUL character in a cookie.")
    form = request.method == "POST" and request.content_type in _FORM_TYPES
    if form and _has_nul(request.POST.lists()):
        raise HostileInput("NUL character in a form field.")
    for value in (*request.GET.getlist("next"), *(request.POST.getlist("next") if form else ())):
        if value and not is_safe_next(request, value):
            raise HostileInput("A `next` that is not a URL of this site.")


class HostileInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refuse_hostile_input(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """An id that no row can have names nothing: 404, as any unknown id.

        Wagtail's generic admin views take primary keys as `<str:pk>` (a model may have a
        text key); every model in this project has an integer key, so a `pk` or `object_id`
        that is not a number is unknown, not an error."""
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not -BIGINT_MAX <= value <= BIGINT_MAX:
                raise Http404("No such object.")
        for name in _PRIMARY_KEY_ARGUMENTS:
            value = view_kwargs.get(name)
            if isinstance(value, str) and not (_DIGITS.fullmatch(value) and int(value) <= BIGINT_MAX):
                raise Http404("No such object.")
        return None


class DatabaseUnavailableMiddleware:
    """Last in the stack's exception handling: a view that lost PostgreSQL answers 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s %s", request.method, request.path, exc_info=exception)
        return database_unavailable()
