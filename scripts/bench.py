"""Benchmark the main pages under gunicorn, beside a bare Django view served the same way.

Prints a table: requests/s, p50 and p99 latency (wrk, or a Python load loop when wrk is
missing) and SQL queries per page (Django test client). Only 127.0.0.1 is loaded.

    make bench                     # uses the demo data that `make seed` loads
    BENCH_SECONDS=20 make bench    # longer runs
"""

import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def discover_pages() -> list[tuple[str, str]]:
    """The pages to measure, found in the database; the bare view first."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from shop.catalog.models import Category, Product

    pages = [("bare Django view (/healthz)", "/healthz"), ("home page", "/")]
    pages.append(("shop index", "/shop/"))
    category = Category.objects.filter(is_active=True).first()
    if category:
        pages.append((f"category page ({category.slug})", f"/shop/{category.slug}/"))
    product = Product.objects.buyable().first()
    if product:
        pages.append(("product page", product.get_absolute_url()))
    pages.append(("search (q=hoodie)", "/search/?q=hoodie"))
    pages.append(("cart (empty)", "/cart/"))
    return pages


def count_queries(path: str) -> tuple[int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path)  # warm caches the way a running server has them
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response.status_code, len(ctx.captured_queries)


def start_gunicorn(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", WORKERS,
         "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not come up within 30 s")


def load_with_wrk(url: str) -> tuple[float, float, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def percentile(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return rps, percentile("50"), percentile("99")


def load_with_python(url: str) -> tuple[float, float, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def worker():
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            urllib.request.urlopen(url, timeout=10).read()
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(min(CONNECTIONS, 8))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0
    return len(latencies) / SECONDS, statistics.median(latencies) if latencies else 0.0, p99


def main() -> None:
    pages = discover_pages()
    queries = {path: count_queries(path) for _, path in pages}
    load = load_with_wrk if shutil.which("wrk") else load_with_python
    port = free_port()
    server = start_gunicorn(port)
    rows = []
    try:
        for label, path in pages:
            url = f"http://127.0.0.1:{port}{path}"
            status, n_queries = queries[path]
            if status != 200:
                print(f"skipping {path}: answers {status} (is the demo data loaded? make seed)")
                continue
            urllib.request.urlopen(url, timeout=10).read()
            rps, p50, p99 = load(url)
            rows.append((label, path, status, rps, p50, p99, n_queries))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    tool = "wrk" if load is load_with_wrk else "python threads"
    print(
        f"\n{SECONDS}s per page, {CONNECTIONS} connections ({tool}), "
        f"gunicorn {WORKERS} workers, prod settings"
    )
    print(f"| page | path | status | req/s | p50 ms | p99 ms | SQL queries |\n|{'---|' * 7}")
    for label, path, status, rps, p50, p99, n_queries in rows:
        print(f"| {label} | `{path}` | {status} | {rps:.0f} | {p50:.1f} | {p99:.1f} | {n_queries} |")


if __name__ == "__main__":
    main()
