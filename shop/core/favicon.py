"""/favicon.ico: browsers ask for it on every site whatever the page links, so it must not be a 404."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """To the static file (its hashed name in production), resolved per request, not at import."""
    return redirect(static("favicon.ico"))
