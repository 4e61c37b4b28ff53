"""The soak's load: virtual shoppers over real HTTP against gunicorn, and the books they must
leave balanced. Used by scripts/soak.py (make soak) and tests/reliability (make test)."""

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
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ORDER_URL = re.compile(r"/orders/([A-Z0-9-]+)/")
PAYMENT_URL = re.compile(r"/payments/test/([^/]+)/")
FAKE_STRIPE_PAGE = re.compile(r"http://127\.0\.0\.1:\d+/pay/\w+$")
FRIENDLY_ERROR = "back in a moment"  # templates/503.html, the page of a lost database


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


def start_gunicorn(env: dict[str, str], workers: int = 3, log=None) -> tuple[subprocess.Popen, str]:
    """gunicorn on a free port of 127.0.0.1; its error log (worker timeouts) to `log`, a file."""
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # The image's own gunicorn configuration (gthread workers, graceful drain on SIGTERM).
    proc = subprocess.Popen(
        [str(gunicorn), "--config", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=log,
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


def request(
    base: str,
    method: str,
    path: str,
    body: dict | None = None,
    headers: dict | None = None,
    timeout: float = 30,
):
    """One request on its own connection: (status, headers, body text). 127.0.0.1 only."""
    parts = urlsplit(base)
    if parts.hostname != "127.0.0.1":
        raise ValueError(f"the soak sends nothing beyond 127.0.0.1, not to {base}")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
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
    # (monotonic start, seconds taken, status; 0 for a socket error) of every shop request
    timeline: list[tuple[float, float, int]] = field(default_factory=list)
    unfriendly_5xx: list[str] = field(default_factory=list)  # 5xx without the shop's 503 page
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
        started = time.monotonic()
        try:
            status, response_headers, text = request(self.base, method, path, body, headers)
        except OSError as exc:
            with self.tally.lock:
                self.tally.socket_errors += 1
                self.tally.timeline.append((started, time.monotonic() - started, 0))
            raise ShopperGaveUp(f"{method} {path}: {exc}") from exc
        for name, value in response_headers.items():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        with self.tally.lock:
            self.tally.statuses[status] += 1
            self.tally.timeline.append((started, time.monotonic() - started, status))
            if status >= 500 and not self.tolerate_5xx.is_set():
                self.tally.server_errors.append(f"{status} {method} {path}")
            if status >= 500 and FRIENDLY_ERROR not in text.lower():
                self.tally.unfriendly_5xx.append(f"{status} {method} {path}")
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
        self.after_checkout(status, headers.get("Location", ""))

    def after_checkout(self, status: int, location: str) -> None:
        """Pay where the shop sent us: the test provider's page, the (fake) Stripe page, or the
        order page when the provider could not start (then Pay now, a few times)."""
        for _ in range(4):  # the first hand-off and up to three Pay now retries
            if status not in (302, 303):
                return  # e.g. sold out: the cart says so
            if PAYMENT_URL.search(location):
                return self.pay_test_provider(location)
            if FAKE_STRIPE_PAGE.match(location):
                return self.pay_at_stripe(location)
            order = ORDER_URL.search(location)
            if not order:
                return
            self.remember_order(order.group(1))
            key = parse_qs(urlsplit(location).query).get("key", [""])[0]
            self.call("GET", location)  # the order page says the payment could not start
            time.sleep(0.5)
            status, headers, _ = self.call("POST", f"/orders/{order.group(1)}/pay/", {"key": key})
            location = headers.get("Location", "")
        with self.tally.lock:
            self.tally.payments["gave up after retries"] += 1

    def remember_order(self, number: str) -> None:
        with self.tally.lock:
            self.tally.orders_seen.add(number)

    def pay_test_provider(self, location: str) -> None:
        payment = PAYMENT_URL.search(location)
        assert payment is not None
        self.call("GET", location)
        action = random.choice(["pay", "pay", "pay", "fail", "leave"])
        headers: dict = {}
        if action != "leave":
            _, headers, _ = self.call("POST", f"/payments/test/{payment.group(1)}/", {"action": action})
        order = ORDER_URL.search(headers.get("Location", ""))
        with self.tally.lock:
            self.tally.payments[action] += 1
        if order:
            self.remember_order(order.group(1))

    def pay_at_stripe(self, location: str) -> None:
        """Stripe's hosted page (the fake): Pay, then back to the shop's return link."""
        parts = urlsplit(location)
        try:
            status, headers, _ = request(f"http://{parts.netloc}", "POST", parts.path, {})
        except OSError:
            status, headers = 0, {}
        with self.tally.lock:
            self.tally.payments["stripe pay" if status == 303 else f"stripe page {status}"] += 1
        if status != 303:
            return
        status, headers, _ = self.call("GET", urlsplit(headers["Location"]).path)
        order = ORDER_URL.search(headers.get("Location", ""))
        if order:
            self.remember_order(order.group(1))


class ShopperGaveUp(Exception):
    pass


def run_load(base: str, seconds: float, connections: int, products: list[str], variants: list[int],
             checkout_share: float = 0.3, tolerate_5xx: threading.Event | None = None,
             tally: Tally | None = None) -> Tally:  # fmt: skip
    """`connections` shoppers, each visiting again and again for `seconds`; what they met."""
    tally = tally or Tally()
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
