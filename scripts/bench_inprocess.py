"""The in-process half of `make bench`: SQL queries per page on a page-cache miss and hit, and
each page's own CPU time uncached, on the first miss after each kind of change and on a miss.
Prints JSON; scripts/bench.py runs it with the same DATABASE_URL, REDIS_URL and SECRET_KEY as
the servers it measures.

    python scripts/bench_inprocess.py PAGES_JSON     # [[label, path, visitor], ...]
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DEBUG", "false")
REPEATS = int(os.environ.get("BENCH_CPU_REPEATS", "20"))


def clients():
    from django.contrib.auth import get_user_model
    from django.test import Client

    anonymous = Client(HTTP_HOST="127.0.0.1")
    member = Client(HTTP_HOST="127.0.0.1")
    shopper = get_user_model().objects.filter(email="shopper@example.com").first()
    if shopper is not None:
        member.force_login(shopper)
    return {"anonymous": anonymous, "member": member}


def _cpu_ms(requests) -> float:
    started = time.process_time()
    for make_request in requests:
        make_request()
    return (time.process_time() - started) / len(requests) * 1000


def _with(path: str, **params) -> str:
    return path + ("&" if "?" in path else "?") + "&".join(f"{k}={v}" for k, v in params.items())


def changed_product(path: str) -> int:
    """The product whose own change the page shows: the product of a product page, else the
    newest buyable one (in every "newest" grid and on page 1 of its category)."""
    from shop.catalog.models import Product

    products = Product.objects.buyable()
    if path.startswith("/products/"):
        slug = path.split("?")[0].rstrip("/").rsplit("/", 1)[1]
        return products.get(slug=slug).pk
    return products.order_by("-created_at", "-pk").values_list("pk", flat=True)[0]


def measure(path: str, client) -> dict:
    """CPU per request (process time, this process only) and SQL per request: uncached (page
    cache off: an editor's view); the first miss after each kind of change (one product's own
    data, e.g. a sell-out; any other catalog change; a page published; a setting saved; the site
    or an image edited, which invalidates everything); and a miss within a generation (a URL
    not seen yet: what is kept is reused, product blocks from the fragment cache). SQL on a
    miss is also counted with the fragment cache left empty."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from home import fragments
    from shop.core import pagecache

    with override_settings(PAGE_CACHE_SECONDS=0):
        for _ in range(2):
            client.get(path)  # renditions made, connections open: the steady state
        cpu_uncached = _cpu_ms([lambda: client.get(path)] * REPEATS)

    product = frozenset([changed_product(path)])
    changes = {
        "product": lambda: pagecache._bump([pagecache.CATALOG], product),
        "catalog": lambda: pagecache._bump([pagecache.CATALOG]),
        "pages": lambda: pagecache._bump([pagecache.PAGES]),
        "settings": lambda: pagecache._bump([pagecache.SETTINGS]),
        "all": pagecache._bump,
    }
    result = {"status": client.get(path).status_code, "cpu_ms_uncached": round(cpu_uncached, 2)}
    for kind, change in changes.items():

        def first_miss(change=change):
            change()
            return client.get(path)

        result[f"cpu_ms_first_miss_{kind}"] = round(_cpu_ms([first_miss] * REPEATS), 2)
        change()
        with CaptureQueriesContext(connection) as first:
            client.get(path)
        result[f"sql_first_miss_{kind}"] = len(first.captured_queries)
    unique = iter(range(10**6))
    cpu_miss = _cpu_ms([lambda: client.get(_with(path, bench=next(unique)))] * REPEATS)

    real_lookup = fragments.lookup
    fragments.lookup = lambda keys: {}
    try:
        with CaptureQueriesContext(connection) as miss:
            client.get(_with(path, bench="no-fragments"))
    finally:
        fragments.lookup = real_lookup
    with CaptureQueriesContext(connection) as miss_fragments:
        client.get(_with(path, bench="fragments"))
    with CaptureQueriesContext(connection) as hit:
        state = client.get(path).get("X-Page-Cache", "")
    return result | {
        "cpu_ms_miss": round(cpu_miss, 2),
        "sql_miss": len(miss.captured_queries),
        "sql_miss_fragments": len(miss_fragments.captured_queries),
        "sql_hit": len(hit.captured_queries),
        "cache_state_second_visit": state,
    }


def main() -> None:
    import django

    django.setup()
    pages = json.loads(sys.argv[1])
    by_visitor = clients()
    results = {path + "|" + visitor: measure(path, by_visitor[visitor]) for _, path, visitor in pages}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
