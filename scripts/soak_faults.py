"""The faults `make soak` injects into a loaded shop, each with the figures that say how the shop
took it. Times are time.monotonic() seconds, as in Tally.timeline."""

import os
import secrets
import signal
import statistics
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

from soak_load import ROOT, Tally, request, run_load, start_gunicorn, stop

RECOVERY_LIMIT = 5.0  # seconds after PostgreSQL is back by which every request must succeed again


def watch_readiness(base: str, stop_event: threading.Event, log: list) -> None:
    """/readyz every 100 ms on its own connection: (start, seconds it took, status; 0 = no answer)."""
    for _ in range(100_000):
        if stop_event.is_set():
            return
        started = time.monotonic()
        try:
            status = request(base, "GET", "/readyz", timeout=10)[0]
        except OSError:
            status = 0
        log.append((started, time.monotonic() - started, status))
        time.sleep(0.1)


def postgres_outage(env_db: dict[str, str], seconds_down: float) -> dict[str, float]:
    """Stop this checkout's PostgreSQL (fast shutdown: open sessions are cut), keep it down, start it."""
    devdb = str(ROOT / "scripts/devdb.sh")
    marks = {"stop asked": time.monotonic()}
    subprocess.run([devdb, "stop"], env=env_db, check=True, capture_output=True, timeout=60)
    marks["stopped"] = time.monotonic()
    time.sleep(seconds_down)
    marks["start asked"] = time.monotonic()
    subprocess.run([devdb], env=env_db, check=True, capture_output=True, timeout=60)
    marks["up"] = time.monotonic()
    return marks


def postgres_figures(marks: dict[str, float], readiness: list, tally: Tally, worker_timeouts: int) -> dict:
    """What /readyz and the shoppers met while PostgreSQL was down and once it was back."""
    down_from, up_at = marks["stop asked"], marks["up"]
    probes_down = [(t, d, s) for t, d, s in readiness if marks["stopped"] <= t < marks["start asked"]]
    first_503 = next((t + d for t, d, s in readiness if t >= down_from and s == 503), None)
    first_ready = next((t for t, d, s in readiness if t >= up_at and s == 200), None)
    during = [(t, d, s) for t, d, s in tally.timeline if down_from <= t < up_at]
    failed_after = [t for t, d, s in tally.timeline if t >= up_at and (s >= 500 or s == 0)]
    durations = [d for _, d, _ in probes_down]
    return {
        "fault": f"PostgreSQL stopped (fast shutdown) for {marks['start asked'] - marks['stopped']:.1f} s",
        "seconds to stop / to start": [round(marks["stopped"] - down_from, 2),
                                       round(up_at - marks["start asked"], 2)],
        "readyz probes while down": dict(Counter(s for *_, s in probes_down)),
        "readyz answer time while down (median / max s)": [
            round(statistics.median(durations), 3) if durations else None,
            round(max(durations), 3) if durations else None],
        "seconds from stop to first readyz 503": first_503 and round(first_503 - down_from, 2),
        "shopper requests while down": dict(Counter(s for *_, s in during)),
        "slowest shopper request while down (s)": round(max((d for _, d, _ in during), default=0), 2),
        "gunicorn worker timeouts (hung workers)": worker_timeouts,
        "seconds from start to readyz 200": first_ready and round(first_ready - up_at, 2),
        "seconds from start to the last failed shopper request": round(max(failed_after) - up_at, 2)
        if failed_after else 0.0,
    }  # fmt: skip


def kill_redis(proc: subprocess.Popen) -> float:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return time.monotonic()


def redis_figures(killed_at: float, tally: Tally) -> dict:
    after = [s for t, _, s in tally.timeline if t >= killed_at]
    return {
        "fault": "Redis killed (SIGKILL; the cache and rate-limit counters gone for the rest of the run)",
        "shopper requests after the kill": len(after),
        "of which answered < 500": sum(1 for s in after if 0 < s < 500),
        "5xx or no answer after the kill": sum(1 for s in after if s >= 500 or s == 0),
    }


def sigterm_during_load(
    server: subprocess.Popen, base: str, products: list, variants: list, connections: int
):
    """16 shoppers checking out; SIGTERM to gunicorn 1.5 s in: (figures, their tally)."""
    result: dict[str, Tally] = {}
    in_flight = threading.Thread(
        target=lambda: result.update(
            drain=run_load(base, 3, connections, products, variants, checkout_share=1.0)
        )
    )
    in_flight.start()
    time.sleep(1.5)
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)
    in_flight.join(timeout=60)
    drain = result["drain"]
    return {
        "fault": "SIGTERM to gunicorn during load",
        "requests answered": drain.requests,
        "5xx": sum(v for k, v in drain.statuses.items() if k >= 500),
        "refused after shutdown (connection errors)": drain.socket_errors,
        "exit code": server.returncode,
    }, drain


def payment_provider_faults(env: dict, products: list, variants: list, seconds: float, connections: int,
                            log_path: Path) -> tuple[dict, Tally, dict]:  # fmt: skip
    """Shoppers paying by card against a fake Stripe on 127.0.0.1 that first answers too late for the
    shop's client timeout, then answers 500, then recovers: (figures, tally, the fake's books)."""
    from tests.payments.fake_stripe import WEBHOOK_SECRET, FakeStripeServer

    with FakeStripeServer() as fake, open(log_path, "ab") as log:
        fake.id_tag = f"soak{secrets.token_hex(4)}"  # the soak database outlives one fake's ids
        stripe_env = {**env, "PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_test_soak",
                      "STRIPE_API_BASE": fake.url, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
                      "STRIPE_TIMEOUT_SECONDS": "1", "STRIPE_MAX_NETWORK_RETRIES": "1"}  # fmt: skip
        server, base = start_gunicorn(stripe_env, workers=2, log=log)
        fake.webhook_url, fake.webhook_secret = f"{base}/payments/stripe/webhook/", WEBHOOK_SECRET
        tally = Tally()
        loader = threading.Thread(
            target=run_load, args=(base, seconds, connections, products, variants),
            kwargs={"checkout_share": 1.0, "tally": tally},
        )  # fmt: skip
        loader.start()
        try:
            time.sleep(seconds * 0.3)
            windows = {}
            started = len(fake.requests)
            fake.delay = 3.0  # past the shop's 1 s timeout and its one retry
            time.sleep(seconds * 0.25)
            fake.delay, fake.fail_with = 0.0, 500
            windows["timing out"] = len(fake.requests) - started
            started = len(fake.requests)
            time.sleep(seconds * 0.25)
            fake.fail_with = None
            windows["answering 500"] = len(fake.requests) - started
            loader.join(timeout=seconds + 120)
        finally:
            fake.delay, fake.fail_with = 0.0, None
            stop(server)
        sessions = list(fake.sessions.values())
    paid_sessions = Counter(s["client_reference_id"] for s in sessions if s["status"] == "complete")
    fake_books = {"paid sessions by order": paid_sessions, "refunds": list(fake.refunds.values())}
    figures = {
        "fault": "payment provider (fake Stripe) timing out, then answering 500, during card checkouts",
        "provider API calls while timing out / answering 500": [
            windows["timing out"],
            windows["answering 500"],
        ],
        "checkout sessions created / paid": [len(sessions), sum(paid_sessions.values())],
        "shopper payment outcomes": dict(tally.payments),
        "shop requests": tally.requests,
        "5xx": sum(v for k, v in tally.statuses.items() if k >= 500),
    }
    return figures, tally, fake_books


def paid_twice_or_lost(fake_books: dict) -> list[str]:
    """Every order the provider took money for is paid in the shop, by exactly one kept payment.
    (A second paid session would have to be refunded in full by the shop.)"""
    from shop.orders.models import Order
    from shop.payments.models import Payment

    problems = []
    refunded = Counter(r["metadata"].get("order_number") for r in fake_books["refunds"])
    for number, paid in fake_books["paid sessions by order"].items():
        order = Order.objects.filter(number=number).first()
        if order is None:
            problems.append(f"order {number}: paid at the provider, missing in the shop")
            continue
        if order.status != Order.Status.PAID:
            problems.append(f"order {number}: paid at the provider, {order.status} in the shop")
        kept = order.payments.filter(status=Payment.Status.PAID).count() - refunded[number]
        if paid - refunded[number] != 1 or kept != 1:
            problems.append(f"order {number}: {paid} paid sessions, {refunded[number]} refunded, {kept} kept")
    return problems
