"""The shop's 500 handler: a lost database is a 503 "back in a moment" wherever it was lost.

DatabaseUnavailableMiddleware catches a view's database errors; this handler catches the rest:
a connection lost in a middleware (the session saved on the way out, the page cache reading
the site, the redirects middleware on a 404), which Django turns into a 500 before any outer
middleware could see it. Django calls the handler inside its `except` block, so the exception
is sys.exc_info()'s."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def database_unavailable() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "5"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable()
    return HttpResponseServerError(render_to_string("500.html"))
