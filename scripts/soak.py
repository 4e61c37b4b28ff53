"""Soak: shoppers browse, search, fill carts, check out and pay against gunicorn with production
settings, while faults are injected; then the books must balance.

    make soak                          # 64 connections, 60 s, PostgreSQL restart, Redis stop, SIGTERM
    SOAK_SECONDS=10 SOAK_CONNECTIONS=16 SOAK_FAULTS= make soak    # load only

Everything runs on 127.0.0.1: this checkout's PostgreSQL (scripts/devdb.sh, database
`threadline_soak`, restarted by the PostgreSQL fault), a redis-server on a free port, gunicorn
on a free port. tests/reliability/test_soak.py runs `run_load` for 10 seconds in `make test`.
Every loop is bounded in count and in time.
"""

import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ORDER_URL = re.compile(r"/orders/([A-Z0-9-]+)/")
PAYMENT_URL = re.compile(r"/payments/test/([^/]+)/")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str, redis_url: str = "") -> dict[str, str]:
    """Production settings, cookies marked Secure included; no TLS on 127.0.0.1, so no HTTPS redirect.
    Behind one trusted proxy: each virtual shopper sends its own X-Forwarded-For."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOW_TEST_PAYMENTS": "true",
        "PAYMENT_PROVIDER": "test",
        "SHOP_TRUSTED_PROXY_COUNT": "1",
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "ERROR",
    }


def collectstatic(env: dict[str, str]) -> None:
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    sources = max(p.stat().st_mtime for p in (ROOT / "site").rglob("*") if p.is_file())
    if manifest.exists() and manifest.stat().st_mtime > sources:
        return
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


def start_gunicorn(env: dict[str, str], workers: int = 3) -> tuple[subprocess.Popen, str]:
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # The image's own gunicorn configuration (gthread workers, graceful drain on SIGTERM).
    proc = subprocess.Popen(
        [str(gunicorn), "--config", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers),
             "GUNICORN_LOG_LEVEL": "error"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _, _ = request(url, "GET", "/healthz")
            if status == 200:
                return proc, url
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit("gunicorn did not come up within 60 s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def request(base: str, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    """One request on its own connection: (status, headers, body text)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        data = urlencode(body).encode() if body is not None else None
        all_headers = {"Host": "127.0.0.1", **(headers or {})}
        if data is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    socket_errors: int = 0
    server_errors: list[str] = field(default_factory=list)
    orders_seen: set[str] = field(default_factory=set)
    payments: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


class Shopper:
    """One virtual shopper: its own address, cookies and CSRF token; one request at a time."""

    def __init__(self, base: str, number: int, tally: Tally, tolerate_5xx: threading.Event):
        self.base, self.tally, self.tolerate_5xx = base, tally, tolerate_5xx
        self.headers = {"X-Forwarded-For": f"10.{number // 250}.{number % 250}.{random.randint(1, 250)}"}
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, str]:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = {**body, "csrfmiddlewaretoken": self.csrf}
            headers["Referer"] = self.base + path
        try:
            status, response_headers, text = request(self.base, method, path, body, headers)
        except OSError as exc:
            with self.tally.lock:
                self.tally.socket_errors += 1
            raise ShopperGaveUp(f"{method} {path}: {exc}") from exc
        for name, value in response_headers.items():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        with self.tally.lock:
            self.tally.statuses[status] += 1
            if status >= 500 and not self.tolerate_5xx.is_set():
                self.tally.server_errors.append(f"{status} {method} {path}")
        if status >= 500:
            raise ShopperGaveUp(f"{status} {method} {path}")
        return status, response_headers, text

    def visit(self, products: list[str], variants: list[int], checkout_share: float) -> None:
        self.call("GET", random.choice(["/", "/shop/", "/search/?q=tee", "/search/?q=hoodie"]))
        self.call("GET", random.choice(products))
        if not self.csrf:
            self.csrf = json.loads(self.call("GET", "/cart/visitor/")[2])["csrf_token"]
        status, _, _ = self.call("POST", "/cart/add/", {"variant": random.choice(variants), "quantity": "1"})
        if random.random() > checkout_share:
            return
        self.call("GET", "/checkout/")
        status, headers, _ = self.call("POST", "/checkout/", {
            "email": "soak@example.com", "full_name": "Soak Shopper", "line1": "1 Load Street",
            "city": "Berlin", "postal_code": "10115", "country": "DE",
        })  # fmt: skip
        location = headers.get("Location", "")
        payment = PAYMENT_URL.search(location)
        if status not in (302, 303) or not payment:
            return  # e.g. sold out: the cart says so
        self.call("GET", location)
        action = random.choice(["pay", "pay", "pay", "fail", "leave"])
        if action != "leave":
            status, headers, _ = self.call("POST", f"/payments/test/{payment.group(1)}/", {"action": action})
        order = ORDER_URL.search(headers.get("Location", ""))
        with self.tally.lock:
            self.tally.payments[action] += 1
            if order:
                self.tally.orders_seen.add(order.group(1))


class ShopperGaveUp(Exception):
    pass


def run_load(base: str, seconds: float, connections: int, products: list[str], variants: list[int],
             checkout_share: float = 0.3, tolerate_5xx: threading.Event | None = None) -> Tally:  # fmt: skip
    tally = Tally()
    tolerate = tolerate_5xx or threading.Event()
    stop_at = time.monotonic() + seconds

    def shopper_loop(number: int) -> None:
        for _ in range(100_000):  # bounded in count as well as in time
            if time.monotonic() >= stop_at:
                return
            try:
                Shopper(base, number, tally, tolerate).visit(products, variants, checkout_share)
            except ShopperGaveUp:
                time.sleep(0.1)

    threads = [threading.Thread(target=shopper_loop, args=(n,), daemon=True) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return tally


def books(since) -> dict:
    """Orders and stock as the database has them (Django set up by the caller)."""
    from django.db.models import Sum

    from shop.catalog.models import ProductVariant
    from shop.orders.models import Order, OrderItem

    orders = Order.objects.filter(created_at__gte=since)
    held = (
        OrderItem.objects.filter(order__in=orders, order__status__in=["paid", "pending_payment"])
        .values("variant_id")
        .annotate(quantity=Sum("quantity"))
    )
    return {
        "orders": set(orders.values_list("number", flat=True)),
        "by_status": Counter(orders.values_list("status", flat=True)),
        "held": {row["variant_id"]: row["quantity"] for row in held},
        "stock": dict(ProductVariant.objects.values_list("pk", "stock")),
    }


def check_books(stock_before: dict[int, int], after: dict, tally: Tally) -> list[str]:
    problems = []
    lost = tally.orders_seen - after["orders"]
    if lost:
        problems.append(f"orders a shopper saw but the database lacks: {sorted(lost)[:5]}")
    for pk, before in stock_before.items():
        expected = before - after["held"].get(pk, 0)
        if after["stock"][pk] != expected:
            problems.append(f"variant {pk}: stock {after['stock'][pk]}, expected {expected}")
        if after["stock"][pk] < 0:
            problems.append(f"variant {pk}: stock below zero")
    return problems


# ---------------------------------------------------------------------------------------------
# make soak: the full run with faults.


def watch_readiness(base: str, stop_event: threading.Event, log: list) -> None:
    """/readyz every 100 ms: (time, status, seconds it took), for the fault figures."""
    for _ in range(100_000):
        if stop_event.is_set():
            return
        started = time.monotonic()
        try:
            status = request(base, "GET", "/readyz")[0]
        except OSError:
            status = 0
        log.append((started, status, time.monotonic() - started))
        time.sleep(0.1)


def start_redis() -> tuple[subprocess.Popen, str] | tuple[None, str]:
    if not any((Path(p) / "redis-server").exists() for p in os.environ["PATH"].split(":")):
        return None, ""
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--daemonize", "no"],
        stdout=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    return proc, f"redis://127.0.0.1:{port}/0"


def main() -> None:
    seconds = float(os.environ.get("SOAK_SECONDS", "60"))
    connections = int(os.environ.get("SOAK_CONNECTIONS", "64"))
    faults = [f for f in os.environ.get("SOAK_FAULTS", "postgres,redis,sigterm").split(",") if f]
    env_db = dict(os.environ, DEVDB_NAME="threadline_soak")
    database_url = subprocess.run(
        [str(ROOT / "scripts/devdb.sh")], env=env_db, capture_output=True, text=True, check=True
    ).stdout.strip()
    redis_proc, redis_url = start_redis() if "redis" in faults else (None, "")
    env = production_env(database_url, redis_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env={**env, "DEBUG": "false"},
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    collectstatic(env)

    os.environ.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings.prod",
                      SECRET_KEY=env["SECRET_KEY"], ALLOWED_HOSTS="127.0.0.1", REDIS_URL="")  # fmt: skip
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from shop.catalog.models import Product, ProductVariant

    # Plenty of stock so the run measures the shop, not sold-out messages; the books hold either way.
    ProductVariant.objects.update(stock=10_000)
    products = [p.get_absolute_url() for p in Product.objects.buyable()[:24]]
    variants = list(
        ProductVariant.objects.filter(product__in=Product.objects.buyable()).values_list("pk", flat=True)
    )
    stock_before = dict(ProductVariant.objects.values_list("pk", "stock"))
    since = timezone.now()
    connection.close()

    server, base = start_gunicorn(env)
    tolerate = threading.Event()
    readiness: list = []
    stop_watch = threading.Event()
    watcher = threading.Thread(target=watch_readiness, args=(base, stop_watch, readiness), daemon=True)
    watcher.start()
    figures: dict[str, object] = {"faults": []}
    result: dict[str, Tally] = {}
    loader = threading.Thread(
        target=lambda: result.update(
            tally=run_load(base, seconds, connections, products, variants, tolerate_5xx=tolerate)
        )
    )
    loader.start()
    try:
        if "postgres" in faults:
            time.sleep(seconds * 0.3)
            tolerate.set()  # while the database is down, 503 pages are the expected answer
            down_at = time.monotonic()
            devdb = str(ROOT / "scripts/devdb.sh")
            subprocess.run([devdb, "stop"], env=env_db, check=True, capture_output=True)
            time.sleep(3)
            subprocess.run([devdb], env=env_db, check=True, capture_output=True)
            up_at = time.monotonic()
            time.sleep(5)
            tolerate.clear()
            down = [(t, s, d) for t, s, d in readiness if down_at + 0.5 < t < up_at]
            after = [(t, s) for t, s, _ in readiness if t > up_at]
            recovered = next((t - up_at for t, s in after if s == 200), None)
            figures["faults"].append({
                "fault": "PostgreSQL stopped for 3 s, then started",
                "readyz while down": dict(Counter(s for _, s, _ in down)),
                "slowest readyz while down (s)": round(max((d for *_, d in down), default=0), 3),
                "seconds until readyz 200 after start": None if recovered is None else round(recovered, 2),
            })  # fmt: skip
        if "redis" in faults and redis_proc is not None:
            time.sleep(seconds * 0.2)
            os.killpg(redis_proc.pid, signal.SIGKILL)
            redis_proc.wait()
            figures["faults"].append({"fault": "Redis killed (cache gone for the rest of the run)"})
        loader.join(timeout=seconds + 120)
        if "sigterm" in faults:
            in_flight = threading.Thread(
                target=lambda: result.update(
                    drain=run_load(base, 3, min(connections, 16), products, variants, checkout_share=1.0)
                )
            )
            in_flight.start()
            time.sleep(1.5)
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
            in_flight.join(timeout=60)
            drain = result["drain"]
            figures["faults"].append({
                "fault": "SIGTERM to gunicorn during load",
                "requests answered": drain.requests,
                "5xx": sum(v for k, v in drain.statuses.items() if k >= 500),
                "refused after shutdown (connection errors)": drain.socket_errors,
                "exit code": server.returncode,
            })  # fmt: skip
            result["tally"].orders_seen |= drain.orders_seen
    finally:
        stop_watch.set()
        stop(server)
        if redis_proc is not None and redis_proc.poll() is None:
            os.killpg(redis_proc.pid, signal.SIGTERM)
    tally = result["tally"]
    after = books(since)
    problems = check_books(stock_before, after, tally)
    print(json.dumps({
        "seconds": seconds, "connections": connections,
        "requests served": tally.requests, "statuses": dict(tally.statuses),
        "5xx outside fault windows": len(tally.server_errors), "socket errors": tally.socket_errors,
        "orders placed": len(after["orders"]), "orders by status": dict(after["by_status"]),
        "payment actions": dict(tally.payments), "orders lost": len(tally.orders_seen - after["orders"]),
        "books": problems or "balanced", **figures,
    }, indent=2, default=str))  # fmt: skip
    if problems or tally.server_errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
