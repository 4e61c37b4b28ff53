"""The in-process half of `make bench`: SQL queries per page on a page-cache miss and hit, and
each page's own CPU time when nothing is cached. Prints JSON; scripts/bench.py runs it with the
same DATABASE_URL, REDIS_URL and SECRET_KEY as the servers it measures.

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


def measure(path: str, client) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from shop.core import pagecache

    with override_settings(PAGE_CACHE_SECONDS=0):
        for _ in range(2):
            client.get(path)  # renditions made, connections open: the steady state
        started = time.process_time()
        for _ in range(REPEATS):
            response = client.get(path)
        cpu_ms = (time.process_time() - started) / REPEATS * 1000
    pagecache._bump()
    client.get("/cart/")  # another page first: the site and its settings kept, as on most misses
    with CaptureQueriesContext(connection) as miss:
        client.get(path)
    with CaptureQueriesContext(connection) as hit:
        state = client.get(path).get("X-Page-Cache", "")
    return {
        "status": response.status_code,
        "cpu_ms_uncached": round(cpu_ms, 2),
        "sql_miss": len(miss.captured_queries),
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
