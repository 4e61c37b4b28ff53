"""Soak: shoppers browse, search, fill carts, check out and pay against gunicorn with production
settings, while faults are injected; then the books must balance.

    make soak                          # 64 connections, 60 s, every fault
    SOAK_SECONDS=20 SOAK_CONNECTIONS=16 SOAK_FAULTS=postgres make soak
    SOAK_SECONDS=10 SOAK_CONNECTIONS=16 SOAK_FAULTS= make soak    # load only

Faults (SOAK_FAULTS, comma-separated; scripts/soak_faults.py measures each):
  postgres  PostgreSQL stopped for 5 s at 30 % of the run, then started
  redis     Redis killed at 60 % of the run
  sigterm   gunicorn sent SIGTERM under a burst of checkouts after the run
  payment   a second phase of card checkouts against a fake Stripe that times out, then answers 500

Everything runs on 127.0.0.1: this checkout's PostgreSQL (scripts/devdb.sh, database
`threadline_soak`), a redis-server, gunicorn and the fake Stripe on free ports.
tests/reliability/test_soak.py runs the load for 10 seconds in `make test`.
Every loop is bounded in count and in time. Exit status 1 when a check fails.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import soak_faults as faults
from soak_load import (
    ROOT,
    Tally,
    books,
    check_books,
    collectstatic,
    free_port,
    production_env,
    run_load,
    start_gunicorn,
    stop,
)

POSTGRES_DOWN_SECONDS = 5.0


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
            break
        except OSError:
            time.sleep(0.1)
    return proc, f"redis://127.0.0.1:{port}/0"


def prepare(env: dict[str, str], database_url: str):
    """Migrate and seed the soak database; Django set up in this process: (products, variants, stock)."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    collectstatic(env)
    os.environ.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings.prod",
                      SECRET_KEY=env["SECRET_KEY"], ALLOWED_HOSTS="127.0.0.1", REDIS_URL="")  # fmt: skip
    import django

    django.setup()
    from django.db import connection

    from shop.catalog.models import Product, ProductVariant

    # Plenty of stock so the run measures the shop, not sold-out messages; the books hold either way.
    ProductVariant.objects.update(stock=10_000)
    products = [p.get_absolute_url() for p in Product.objects.buyable()[:24]]
    variants = list(
        ProductVariant.objects.filter(product__in=Product.objects.buyable()).values_list("pk", flat=True)
    )
    stock = dict(ProductVariant.objects.values_list("pk", "stock"))
    connection.close()
    return products, variants, stock


def main() -> None:
    seconds = float(os.environ.get("SOAK_SECONDS", "60"))
    connections = int(os.environ.get("SOAK_CONNECTIONS", "64"))
    chosen = [f for f in os.environ.get("SOAK_FAULTS", "postgres,redis,sigterm,payment").split(",") if f]
    env_db = dict(os.environ, DEVDB_NAME="threadline_soak")
    database_url = subprocess.run(
        [str(ROOT / "scripts/devdb.sh")], env=env_db, capture_output=True, text=True, check=True
    ).stdout.strip()
    redis_proc, redis_url = start_redis() if "redis" in chosen else (None, "")
    env = production_env(database_url, redis_url)
    products, variants, stock_before = prepare(env, database_url)
    from django.utils import timezone

    since = timezone.now()
    log_path = Path(tempfile.mkstemp(prefix="soak-gunicorn-", suffix=".log")[1])
    tally, tolerate, figures = Tally(), threading.Event(), []
    readiness: list = []
    stop_watch = threading.Event()
    with open(log_path, "ab") as log:
        server, base = start_gunicorn(env, log=log)
    watcher = threading.Thread(target=faults.watch_readiness, args=(base, stop_watch, readiness), daemon=True)
    watcher.start()
    loader = threading.Thread(
        target=run_load, args=(base, seconds, connections, products, variants),
        kwargs={"tolerate_5xx": tolerate, "tally": tally},
    )  # fmt: skip
    started = time.monotonic()
    loader.start()
    marks, redis_killed_at, problems = None, None, []
    try:
        if "postgres" in chosen:
            time.sleep(seconds * 0.3)
            tolerate.set()  # while the database is down, the 503 page is the expected answer
            marks = faults.postgres_outage(env_db, POSTGRES_DOWN_SECONDS)
            time.sleep(faults.RECOVERY_LIMIT)
            tolerate.clear()
        if "redis" in chosen and redis_proc is not None:
            time.sleep(max(0.0, started + seconds * 0.6 - time.monotonic()))
            redis_killed_at = faults.kill_redis(redis_proc)
        loader.join(timeout=seconds + 120)
        stop_watch.set()
        if "sigterm" in chosen:
            sigterm, drain = faults.sigterm_during_load(
                server, base, products, variants, min(connections, 16)
            )
            tally.orders_seen |= drain.orders_seen
            figures.append(sigterm)
            if sigterm["5xx"]:
                problems.append(f"{sigterm['5xx']} x 5xx while gunicorn drained")
    finally:
        stop_watch.set()
        stop(server)
        if redis_proc is not None and redis_proc.poll() is None:
            os.killpg(redis_proc.pid, signal.SIGTERM)
    worker_timeouts = log_path.read_text(errors="replace").count("WORKER TIMEOUT")
    if marks is not None:
        outage = faults.postgres_figures(marks, readiness, tally, worker_timeouts)
        figures.insert(0, outage)
        if outage["seconds from start to the last failed shopper request"] > faults.RECOVERY_LIMIT:
            problems.append("requests still failing 5 s after PostgreSQL came back")
        if worker_timeouts or tally.unfriendly_5xx:
            problems.append(
                f"{worker_timeouts} hung workers, {tally.unfriendly_5xx} 5xx without the error page"
            )
    if redis_killed_at is not None:
        figures.insert(1, faults.redis_figures(redis_killed_at, tally))
    card: Tally | None = None
    if "payment" in chosen:
        card_figures, card, fake_books = faults.payment_provider_faults(
            env, products, variants, max(20.0, seconds / 3), min(connections, 16), log_path
        )
        figures.append(card_figures)
        problems += faults.paid_twice_or_lost(fake_books)
        tally.orders_seen |= card.orders_seen
        problems += [f"card phase: {e}" for e in card.server_errors]
    after = books(since)
    problems += check_books(stock_before, after, tally)
    print(json.dumps({
        "seconds": seconds, "connections": connections,
        "requests served": tally.requests + (card.requests if card else 0),
        "statuses": dict(tally.statuses),
        "5xx outside fault windows": len(tally.server_errors), "socket errors": tally.socket_errors,
        "readyz probes": len(readiness),
        "orders placed": len(after["orders"]), "orders by status": dict(after["by_status"]),
        "payment actions": dict(tally.payments), "orders lost": len(tally.orders_seen - after["orders"]),
        "books": problems or "balanced", "faults": figures,
    }, indent=2, default=str))  # fmt: skip
    if problems or tally.server_errors:
        raise SystemExit(f"gunicorn's error log: {log_path}")
    log_path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
