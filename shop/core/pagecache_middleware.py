"""Serve storefront pages from the shared page cache; store the ones rendered in shared mode.

Placed after AuthenticationMiddleware and MessageMiddleware. For a GET it answers
from the cache when it can. On a miss, a view marked shareable (Wagtail's page
serving, or @shared_page) renders in shared mode (see context_processors.page_cache)
and the result is stored when pagecache.storable() allows.

Who gets what:
- a first-time visitor (no session, CSRF or messages cookie): the stored bytes, with
  `Cache-Control: public, s-maxage` for a CDN; the CSRF input is empty and shop.js
  fills it from /cart/visitor/ on submit (without JavaScript, see csrf.py);
- everyone else: the stored page with its holes (header links and cart count,
  messages, CSRF tokens) filled for them on the server, `Cache-Control: private`;
- people who may use Wagtail's admin: always a fresh page (the user bar, no cache).
"""

import copy
import logging
import re
from functools import partial

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from wagtail.views import serve as wagtail_serve

from . import pagecache, pagetree, sites
from .editors import is_editor
from .pagecache import PAGES, SETTINGS, SITE

logger = logging.getLogger(__name__)

HOLE = re.compile(rb"<!--hole:(\w+)-->.*?<!--/hole:\1-->", re.S)


def personalize(request: HttpRequest, content: bytes, parts: dict[str, bytes] | None = None) -> bytes:
    """Fill the page's holes and CSRF inputs for this visitor; `parts`: holes already rendered
    (a kept shell's personal part, shop/core/shell.py)."""

    def fill(match: re.Match) -> bytes:
        name = match[1].decode()
        if parts and name in parts:
            return parts[name]
        template = pagecache.HOLES.get(name)
        return render_to_string(template, request=request).encode() if template else b""

    content = HOLE.sub(fill, content)
    placeholder = pagecache.CSRF_PLACEHOLDER.encode()
    if placeholder in content:
        content = content.replace(placeholder, get_token(request).encode())
    return content


def answer(request: HttpRequest, entry: pagecache.Entry, state: str) -> HttpResponse:
    if pagecache.is_personal(request):
        response = HttpResponse(personalize(request, entry.content), content_type=entry.content_type)
        patch_cache_control(response, private=True, no_cache=True)
    else:
        content = entry.content.replace(pagecache.CSRF_PLACEHOLDER.encode(), b"")
        response = HttpResponse(content, content_type=entry.content_type)
        patch_cache_control(response, public=True, max_age=0, s_maxage=pagecache.cdn_seconds(entry))
    patch_vary_headers(response, ["Cookie"])
    response["X-Page-Cache"] = state
    return response


def finish_unstored(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A response rendered in shared mode but not stored: filled in for this visitor only."""
    if not response.streaming and response.get("Content-Type", "").startswith("text/html"):
        if pagecache.is_personal(request):
            response.content = personalize(request, response.content)
        else:
            response.content = response.content.replace(pagecache.CSRF_PLACEHOLDER.encode(), b"")
    patch_cache_control(response, private=True, no_cache=True)
    response["X-Page-Cache"] = "pass"
    return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "GET" or not pagecache.enabled() or getattr(request, "is_dummy", False):
            return self.get_response(request)  # is_dummy: a Wagtail preview, never from the cache
        if pagecache.is_personal(request) and is_editor(request):
            return self.get_response(request)
        key = pagecache.page_key(request)
        try:
            scopes, entry = pagecache.generations_and_entry(key)
        except Exception:  # a cache outage serves pages uncached, never an error
            logger.warning("page cache unavailable", exc_info=True)
            return self.get_response(request)
        generation = pagecache.generation_of(scopes)
        request.page_cache_scopes = scopes  # type: ignore[attr-defined]
        request.page_cache_generation = generation  # type: ignore[attr-defined]
        # Read with its settings, whose menu and footer links hold pages: kept until any of these change.
        find_site = partial(sites.find_for_request, request, remember_root_paths=True)
        site = pagecache.memo(request, ("site", request.get_host()), find_site, [SITE, SETTINGS, PAGES])
        # A copy per request: its root page (and what a render hangs on it) stays this request's.
        request._wagtail_site = copy.copy(site)  # type: ignore[attr-defined]
        if entry is not None:
            return answer(request, entry, "hit")
        request._page_cache_candidate = True  # type: ignore[attr-defined]
        session = request.session
        accessed_before, session.accessed = session.accessed, False  # see what the render reads
        response = self.get_response(request)
        touched = session.accessed
        session.accessed = accessed_before or touched
        if not getattr(request, "shared_page", False):
            return response
        request.shared_page = False  # type: ignore[attr-defined] # rendered; the holes are filled for this visitor from here on
        seconds = pagecache.lifetime(request)
        if touched or not seconds or not pagecache.storable(request, response):
            return finish_unstored(request, response)
        try:
            entry = pagecache.store(key, response, seconds, generation)
        except Exception:
            logger.warning("page cache unavailable", exc_info=True)
            entry = pagecache.Entry(response.content, response["Content-Type"], 0, generation=generation)
        return answer(request, entry, "miss")

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if getattr(request, "_page_cache_candidate", False) and (
            view_func is wagtail_serve or getattr(view_func, "shared_page", False)
        ):
            request.shared_page = True  # type: ignore[attr-defined]
            pagetree.preroute(request)
        return None
