"""The shared page cache: storefront pages every visitor sees alike, stored whole.

A page is rendered once in "shared mode" (an anonymous context: no user, no cart,
no messages, a placeholder for the CSRF token, the per-visitor parts wrapped in
hole markers) and stored under a key of its URL, marked with the cache *generation*
it was rendered in. Any change that may show on a page (see docs/performance.md) bumps
the generation after its transaction commits, so every stored page is out at once:
nothing is ever served from before a committed change. An old entry is replaced by the
next render of its URL, or expires.

The middleware (pagecache_middleware.py) serves the entries and fills the holes
per visitor; this module holds the rules that decide what may be stored.
"""

import hashlib
import logging
import math
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
GENERATION_KEY = "generation"
# What a change can touch, each with its own generation. A stored page depends on all of them;
# what is kept beside it only on what it shows (memo below): the page tree on the pages, the
# site object on the site (a Site edit bumps every scope), a product block's fragment on the
# catalog and the images (cards_generation).
CATALOG, PAGES, SETTINGS, SITE, IMAGES = "catalog", "pages", "settings", "site", "images"
SCOPES = (CATALOG, PAGES, SETTINGS, SITE, IMAGES)
# Within the catalog: a change to one product's own data (a price, a variant, a photo, a sell-out)
# bumps that product's version; any other catalog change (a category, a discount, a tag) bumps
# CATALOG_WIDE, which product block fragments and the category tree depend on.
CATALOG_WIDE = "catalog-wide"
PRODUCT_VERSION_KEY = "product-version:{}"
# Rendered into every form in shared mode instead of a real token; never a valid one.
CSRF_PLACEHOLDER = "page-cache-csrf-placeholder"
# The parts of a page that differ per visitor: hole name -> template rendered with the request
# only (no page context). Shared mode wraps them in markers; personal answers re-render them.
HOLES = {"visitor": "includes/visitor_nav.html", "messages": "includes/messages.html"}
# Query parameters that never change a page: left out of the key.
IGNORED_PARAMS = ("utm_", "fbclid", "gclid", "msclkid", "_ga")
# Cookies that make a request personal (its holes are filled for it, never public).
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages")


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def shared_page(view):
    """Mark a view whose GET response is the same for every visitor once the holes are cut out."""
    view.shared_page = True
    return view


def _cache():
    return caches[CACHE_ALIAS]


def _counters(keys: dict, along: Collection[str] = ()) -> tuple[dict, dict]:
    """The counters stored under these cache keys, by name, and whatever is stored under the
    `along` keys, read in one round trip. A lost counter is replaced by a value never used before
    (nanoseconds), never by a small number that could bring old entries back."""
    cache = _cache()
    found = cache.get_many([*keys.values(), *along])
    missing = [key for key in keys.values() if key not in found]
    if missing:
        for key in missing:
            cache.add(key, time.time_ns(), timeout=None)
        found |= cache.get_many(missing)
    counters = {name: found.get(key, 0) for name, key in keys.items()}
    return counters, {key: found[key] for key in along if key in found}


def _generation_keys() -> dict[str, str]:
    return {scope: f"{GENERATION_KEY}:{scope}" for scope in (*SCOPES, CATALOG_WIDE)}


def generations() -> dict[str, int]:
    """Each scope's current generation."""
    return _counters(_generation_keys())[0]


def generations_and_entry(key: str) -> tuple[dict[str, int], "Entry | None"]:
    """Each scope's generation and the page stored under `key`, in one round trip to the cache
    (every storefront GET asks both); the page only if it was stored in the current generation."""
    scopes, found = _counters(_generation_keys(), [key])
    entry = found.get(key)
    if entry is not None and entry.generation != generation_of(scopes):
        entry = None  # stored before a change: re-rendered and stored again under the same key
    return scopes, entry


def cards_generation(scopes: dict[str, int]) -> str:
    """What every kept product card, block and photo depends on beyond its products' versions:
    the rest of the catalog and the images (an edited photo's focal point or file gives new
    rendition URLs)."""
    return f"{scopes[CATALOG_WIDE]}.{scopes[IMAGES]}"


def generation_of(scopes: dict[str, int]) -> str:
    """The whole cache's generation: it changes whenever any scope's does (a product's version
    never changes without the catalog's)."""
    return ".".join(str(scopes[scope]) for scope in SCOPES)


def _incr(key: str) -> None:
    cache = _cache()
    try:
        cache.incr(key)
    except ValueError:  # never set, or evicted: start from a value never used before
        cache.set(key, time.time_ns(), timeout=None)


def _bump(scopes: Iterable[str] = SCOPES, products: frozenset[int] | None = None) -> None:
    try:
        for scope in scopes:
            _incr(f"{GENERATION_KEY}:{scope}")
        if CATALOG in scopes:
            if products is None:
                _incr(f"{GENERATION_KEY}:{CATALOG_WIDE}")
            for pk in sorted(products or ()):
                _incr(PRODUCT_VERSION_KEY.format(pk))
    except Exception:  # the change is committed; stale pages age out (PAGE_CACHE_SECONDS)
        logger.exception("page cache unavailable: could not invalidate")
    if getattr(settings, "WAGTAILFRONTENDCACHE", None):
        from wagtail.contrib.frontend_cache.utils import purge_url_from_cache

        purge_url_from_cache(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/*")


def invalidate_pages(*scopes: str, products: Iterable[int] | None = None) -> None:
    """Every stored page is out once the current transaction commits (at once outside one).

    `scopes` says what changed (CATALOG, PAGES, SETTINGS, SITE, IMAGES; all when none is named): what was kept
    per process or as a fragment and depends only on other scopes stays valid. `products`, with
    CATALOG only, says the change touched nothing but these products' own data: the product
    blocks that do not show them stay valid. Without it every product block is out.
    """
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValueError(f"Unknown page-cache scopes: {sorted(unknown)}")
    if products is not None and tuple(scopes) != (CATALOG,):
        raise ValueError("Only a catalog change can name its products.")
    if enabled():
        narrowed = frozenset(products) if products is not None else None
        transaction.on_commit(partial(_bump, scopes or SCOPES, narrowed))


def product_versions(ids: Iterable[int]) -> dict[int, int]:
    """Each product's version (see CATALOG_WIDE): a lost one is replaced by a value never used
    before, so a fragment rendered before a change is never found again under the same key.
    Empty during a cache outage: nothing is kept or reused then."""
    keys = {pk: PRODUCT_VERSION_KEY.format(pk) for pk in set(ids)}
    if not keys:
        return {}
    try:
        return _counters(keys)[0]
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)
        return {}


def kept(keys: list[str]) -> dict[str, Any]:
    """What is kept beside the pages under these keys (product blocks, cards, pictures); a cache
    outage is a miss (the caller renders or reads anew), never an error."""
    if not keys:
        return {}
    try:
        return _cache().get_many(keys)
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)
        return {}


def keep(values: dict[str, Any]) -> None:
    """Keep these beside the pages for as long as a page; lost during a cache outage."""
    if not values:
        return
    try:
        _cache().set_many(values, timeout=settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)


_memo: dict[tuple, tuple[tuple, Any]] = {}
MEMO_LIMIT = 10_000  # keys, not bytes: one per host and setting, per page's breadcrumbs...
_NOT_KEPT = object()


def memo(request: HttpRequest, key: tuple, compute: Callable[[], Any], depends_on: Iterable[str] = SCOPES):
    """A value that only changes when the scopes it depends on do (a site, its settings, the
    page tree), kept per process; it survives changes to any other scope.

    Only while the page cache knows the request's generations; otherwise (an editor, the page
    cache off) kept for this request alone. Whatever is kept here must be read-only for its
    users: threads of a worker share it.
    """
    scopes = getattr(request, "page_cache_scopes", None)
    if scopes is None:
        if request is None:
            return compute()
        this_request = vars(request).setdefault("_page_cache_memo", {})
        if key not in this_request:
            this_request[key] = compute()
        return this_request[key]
    stamp = _stamp(scopes, depends_on)
    value = _kept(key, stamp)
    if value is _NOT_KEPT:
        value = compute()
        _keep({key: value}, stamp)
    return value


def memo_many(
    request: HttpRequest,
    keys: Collection[tuple],
    compute: Callable[[list[tuple]], dict[tuple, Any]],
    depends_on: Iterable[str] = SCOPES,
) -> dict[tuple, Any]:
    """memo() for several keys, the missing ones computed together (one query for all of them).
    A value computed as None is answered but not kept: it is computed again next time."""
    scopes = getattr(request, "page_cache_scopes", None)
    if scopes is None:
        return compute(list(keys)) if keys else {}
    stamp = _stamp(scopes, depends_on)
    found, missing = {}, []
    for key in keys:
        value = _kept(key, stamp)
        if value is _NOT_KEPT:
            missing.append(key)
        else:
            found[key] = value
    if missing:
        computed = compute(missing)
        _keep({key: value for key, value in computed.items() if value is not None}, stamp)
        found |= computed
    return found


def _stamp(scopes: dict[str, Any], depends_on: Iterable[str]) -> tuple:
    return tuple(scopes[scope] for scope in depends_on)


def _kept(key: tuple, stamp: tuple) -> Any:
    """What memo() keeps under `key` for these generations, else _NOT_KEPT."""
    kept = _memo.get(key)
    return kept[1] if kept is not None and kept[0] == stamp else _NOT_KEPT


def _keep(values: dict[tuple, Any], stamp: tuple) -> None:
    if len(_memo) + len(values) > MEMO_LIMIT:
        _memo.clear()
    _memo.update((key, (stamp, value)) for key, value in values.items())


def forget(key: tuple) -> None:
    """Drop what memo() keeps under this key (it ran out before its scopes changed)."""
    _memo.pop(key, None)


def page_key(request: HttpRequest) -> str:
    """The URL (scheme, host, path, query without tracking parameters). The generation is kept
    in the entry, not the key, so the entry is read with the generations (generations_and_entry)."""
    pairs = [(k, v) for k, v in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)]
    pairs = sorted((p for p in pairs if not p[0].startswith(IGNORED_PARAMS)), key=lambda p: p[0])
    url = f"{request.scheme}://{request.get_host()}{request.path}?{urlencode(pairs)}"
    return f"page:{hashlib.sha256(url.encode()).hexdigest()}"


def is_personal(request: HttpRequest) -> bool:
    """Whether the request carries anything of its own (a session, a CSRF cookie, messages)."""
    return any(name in request.COOKIES for name in PERSONAL_COOKIES)


@dataclass(frozen=True)
class Entry:
    """A stored page: what is needed to answer again, nothing of the first visitor's."""

    content: bytes
    content_type: str
    stored_at: float
    expires_at: float = 0.0  # epoch seconds when a clock-bound part changes; 0: none
    generation: str = ""  # generation_of() when it was rendered: served only within it


def storable(request: HttpRequest, response: HttpResponse) -> bool:
    """A page rendered in shared mode goes into the cache only if it touched nothing personal."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    cache_control = response.get("Cache-Control", "")
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if vary - {"accept-encoding", "cookie"}:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False  # (a render that read the session is refused by the middleware)
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # something asked for a real CSRF token
    messages = getattr(request, "_messages", None)
    return not getattr(messages, "_queued_messages", None)


def changes_at(request: HttpRequest, moment: datetime | None) -> None:
    """The render shows something the clock alone changes at `moment` (a discount code starting
    or ending): the stored page, and a CDN's copy of it, must not outlive that moment."""
    if moment is None or moment.timestamp() <= time.time():
        return
    earliest = getattr(request, "_page_cache_changes_at", None)
    if earliest is None or moment.timestamp() < earliest:
        request._page_cache_changes_at = moment.timestamp()  # type: ignore[attr-defined]


def lifetime(request: HttpRequest) -> int:
    """Whole seconds the page may be kept: PAGE_CACHE_SECONDS, cut to end before the next
    clock-bound change (rounded down, so it never outlives it); 0 means do not keep it."""
    changes = getattr(request, "_page_cache_changes_at", None)
    if changes is None:
        return settings.PAGE_CACHE_SECONDS
    return max(0, min(settings.PAGE_CACHE_SECONDS, math.floor(changes - time.time())))


def store(key: str, response: HttpResponse, seconds: int, generation: str) -> Entry:
    now = time.time()
    entry = Entry(response.content, response["Content-Type"], now, now + seconds, generation)
    _cache().set(key, entry, timeout=seconds)
    return entry


def cdn_seconds(entry: Entry) -> int:
    """How long a CDN may keep this answer: PAGE_CACHE_CDN_SECONDS, never past the entry's end."""
    if not entry.expires_at:
        return settings.PAGE_CACHE_CDN_SECONDS
    return max(0, min(settings.PAGE_CACHE_CDN_SECONDS, math.floor(entry.expires_at - time.time())))
