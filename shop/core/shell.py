"""Personal pages (the cart) inside a kept copy of the site's chrome.

A page that shows one visitor's data cannot be stored whole, but everything around that data
(head, header, menus, footer) is the same for every visitor. So the page's template is rendered
once in shared mode with its personal part left as a hole (`{% personal_part %}`), kept per
process for as long as the page cache's generations stay the same (pagecache.memo), and on each
request only the personal part and the visitor's holes (header links and count, messages, CSRF
token) are rendered into it. The personal part is computed from the database on every request,
as before; only the chrome is reused.

Used only while the page cache knows the request's generations (any storefront GET with the cache
on, never for an editor, who gets Wagtail's user bar); otherwise the page renders whole.
"""

import time
from dataclasses import dataclass
from functools import partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control

from . import pagecache
from .pagecache_middleware import personalize

PART = "main"  # the personal part's hole name in a kept shell
_PART_TEMPLATE = "_shell_part_template"


@dataclass(frozen=True)
class Shell:
    content: bytes  # the page with a `main` hole and the visitor's holes, nothing personal
    part_template: str  # what fills the `main` hole, with the view's context
    expires_at: float | None  # a clock-bound part changes then (pagecache.changes_at)


def render_personal(request: HttpRequest, template_name: str, context: dict) -> HttpResponse:
    """`render(request, template_name, context)`, with the chrome taken from a kept shell."""
    shell = _shell(request, template_name) if getattr(request, "page_cache_scopes", None) else None
    if shell is None:
        response = render(request, template_name, context)
    else:
        part = render_to_string(shell.part_template, context, request).encode()
        response = HttpResponse(personalize(request, shell.content, {PART: part}))
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _shell(request: HttpRequest, template_name: str) -> Shell | None:
    key = ("shell", template_name, request.scheme, request.get_host(), timezone.localdate().year)
    shell = pagecache.memo(request, key, partial(_render_shell, request, template_name))
    if shell is not None and shell.expires_at is not None and shell.expires_at <= time.time():
        pagecache.forget(key)
        shell = pagecache.memo(request, key, partial(_render_shell, request, template_name))
    return shell


def _render_shell(request: HttpRequest, template_name: str) -> Shell | None:
    """The template in shared mode with its personal part cut out; None (render whole each time)
    when the render reached for anything personal, as a page the cache would refuse."""
    session = getattr(request, "session", None)
    accessed_before = session.accessed if session is not None else False
    if session is not None:
        session.accessed = False
    changes_before = vars(request).pop("_page_cache_changes_at", None)
    token_asked_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
    request.shared_page = True  # type: ignore[attr-defined]
    try:
        content = render_to_string(template_name, {"shell": True}, request).encode()
        part_template = vars(request).pop(_PART_TEMPLATE, None)
        touched = session is not None and session.accessed
        expires_at = vars(request).get("_page_cache_changes_at")
        token_asked = request.META["CSRF_COOKIE_NEEDS_UPDATE"]
    finally:
        asked_now = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = asked_now or token_asked_before
        request.shared_page = False  # type: ignore[attr-defined]
        if session is not None:
            session.accessed = session.accessed or accessed_before
        if changes_before is not None:
            request._page_cache_changes_at = changes_before  # type: ignore[attr-defined]
        else:
            vars(request).pop("_page_cache_changes_at", None)
    if touched or token_asked or part_template is None:
        return None
    return Shell(content, part_template, expires_at)


def mark_part(context, template_name: str) -> str:
    """What `{% personal_part %}` leaves in a shell: an empty hole, its template noted."""
    request = context.get("request")
    if request is not None:
        vars(request)[_PART_TEMPLATE] = template_name
    return f"<!--hole:{PART}--><!--/hole:{PART}-->"
