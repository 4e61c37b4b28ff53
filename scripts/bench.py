"""Benchmark the storefront the way the image serves it; the ceiling is /healthz on bare gunicorn.

    make bench                     # demo data (make seed), then 5,000 products in a second database
    BENCH_SECONDS=20 make bench    # longer runs; BENCH_SCALE=0 skips the 5,000-product part
    BENCH_GUNICORN_ENV="GUNICORN_MAX_REQUESTS=1000" make bench   # try another image setting
    BENCH_INPROCESS=0 BENCH_SCALE=0 make bench   # throughput only (comparing gunicorn settings)
    BENCH_NO_REDIS=1 make bench    # the servers without REDIS_URL (page cache in local memory)
    BENCH_PAGES="guest cart,add to cart" BENCH_INPROCESS=0 BENCH_SCALE=0 make bench  # some rows only

Order: /healthz on a bare gunicorn (2 sync workers, no config file); the pages on gunicorn with
the image's config/gunicorn.py and production settings, Redis (Debian's redis-server, started
here unless REDIS_URL answers) as the cache; /healthz on the bare gunicorn again. Then the
in-process part (scripts/bench_inprocess.py): SQL on a cache miss and hit, uncached CPU time.
Prints a table and writes .bench/bench-<time>.json and .bench/latest.json. Only 127.0.0.1.
Each row also says where the machine's CPU went while it ran (gunicorn, PostgreSQL, Redis, wrk,
per request) and how busy the machine was (scripts/bench_cpu.py): a slow row with an idle
machine is waiting, not working.

The guest-cart row loads the cart of GUESTS guests (one line each, several per connection, see
guest_carts_script), not of one guest shared by every connection. The servers never outlive the
bench: Ctrl-C or SIGTERM stops them on the way out, and a SIGKILLed bench takes each gunicorn
master with it (PR_SET_PDEATHSIG, scripts/redis_server.die_with), whose workers follow it.
"""

import functools
import json
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts import bench_cpu  # noqa: E402
from scripts.redis_server import die_with, free_port, ping, running_redis  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SCALE = int(os.environ.get("BENCH_SCALE", "5000"))
INPROCESS = os.environ.get("BENCH_INPROCESS", "1") != "0"
NO_REDIS = os.environ.get("BENCH_NO_REDIS", "") == "1"
SECRET_KEY = secrets.token_urlsafe(50)
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
WRK_THREADS = 2
GUESTS_PER_CONNECTION = 4
GUESTS = WRK_THREADS * GUESTS_PER_CONNECTION * -(-CONNECTIONS // WRK_THREADS)
# Labels (or parts of them) of the rows to load, comma-separated; empty: every row.
PAGES = [part.strip() for part in os.environ.get("BENCH_PAGES", "").split(",") if part.strip()]
SERVERS: list[subprocess.Popen] = []  # the gunicorns started and not stopped yet


def wanted(label: str) -> bool:
    return not PAGES or any(part in label for part in PAGES)


def server_env(redis_url: str, database_url: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "REDIS_URL": "" if NO_REDIS else redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SHOP_TRUSTED_PROXY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
    }
    env.update(dict(item.split("=", 1) for item in shlex.split(os.environ.get("BENCH_GUNICORN_ENV", ""))))
    return env


def wait_for(url: str, process: subprocess.Popen, limit: float = 60) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            if urllib.request.urlopen(url, timeout=2).status == 200:
                return time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{url} did not answer 200 within {limit} s")


def start(args: list[str], env: dict, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [GUNICORN, *args] + ([] if "--config" in args else ["--bind", f"127.0.0.1:{port}"]),
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=functools.partial(die_with, os.getpid()),
        )
    SERVERS.append(process)
    return process, f"http://127.0.0.1:{port}"


def stop(process: subprocess.Popen) -> None:
    """The whole process group (master and workers); SIGKILL when it is not gone within a minute."""
    for sig, limit in ((signal.SIGTERM, 60), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=limit)
            break
        except ProcessLookupError:
            break
        except subprocess.TimeoutExpired:
            continue
    SERVERS.remove(process)


def stop_servers() -> None:
    for process in list(SERVERS):
        stop(process)


def exit_on_signal(signum: int, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds main's ExitStack: servers and Redis stopped


def workers_rss_mb(master: int) -> list[float]:
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == master:
                status = (stat.parent / "status").read_text()
                sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024)
        except (OSError, TypeError):
            continue
    return sorted(round(s, 1) for s in sizes)


def wrk(url: str, headers: dict, script: str = "") -> dict:
    args = ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        if script:
            lua.write(script)
            lua.flush()
            args += ["-s", lua.name]
        die = functools.partial(die_with, os.getpid())
        groups = {server.pid for server in SERVERS}
        cpu_before = bench_cpu.snapshot(groups)
        out = subprocess.run([*args, url], capture_output=True, text=True, check=True, preexec_fn=die).stdout
        cpu_after = bench_cpu.snapshot(groups)

    def ms(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 1)

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out)[1])
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "errors": int(non2xx[1]) if non2xx else 0,
        **bench_cpu.split(cpu_before, cpu_after, requests),
    }


def visitors() -> dict:
    """Cookies for a logged-in shopper, GUESTS guests with one cart line each, and a CSRF pair
    for the add-to-cart POST. Each guest is made through the real add-to-cart view, from its own
    address (the cart's rate limit counts per address)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from shop.catalog.models import ProductVariant

    variant = ProductVariant.objects.filter(stock__gt=5, is_active=True, product__is_active=True).first()
    first = Client(HTTP_HOST="127.0.0.1")
    token = first.get("/cart/visitor/").json()["csrf_token"]
    csrf_cookie = first.cookies["csrftoken"].value
    guests = []
    for n in range(GUESTS):
        guest = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR=f"10.99.{n // 250}.{n % 250 + 1}")
        guest.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
        guests.append(f"sessionid={guest.cookies['sessionid'].value}; csrftoken={csrf_cookie}")
    member = Client(HTTP_HOST="127.0.0.1")
    member.force_login(get_user_model().objects.get(email="shopper@example.com"))
    return {
        "guest_carts": guests,
        "member": f"sessionid={member.cookies['sessionid'].value}",
        "post_body": f"csrfmiddlewaretoken={token}&variant={variant.pk}&quantity=1",
        "csrf_cookie": f"csrftoken={csrf_cookie}",
    }


def discover() -> list[tuple[str, str, str]]:
    """(label, path, visitor) of the pages to load, found in the database."""
    from home.models import CategoryPage, LandingPage
    from shop.catalog.models import Product

    category = CategoryPage.objects.live().filter(category__is_active=True).first()
    landing = LandingPage.objects.live().first()
    product = Product.objects.buyable().order_by("pk").first()
    pages = [("home", "/", "anonymous")]
    if landing:
        pages.append(("landing", landing.url, "anonymous"))
    pages.append(("shop index", "/shop/", "anonymous"))
    if category:
        pages.append(("category", category.url, "anonymous"))
        pages.append(("category sorted", f"{category.url}?sort=price_asc", "anonymous"))
    pages += [
        ("product", product.get_absolute_url(), "anonymous"),
        ("search", "/search/?q=hoodie", "anonymous"),
        ("cart (empty)", "/cart/", "anonymous"),
        ("member: home", "/", "member"),
        ("member: product", product.get_absolute_url(), "member"),
        ("member: cart", "/cart/", "member"),
    ]  # fmt: skip
    return [page for page in pages if wanted(page[0])]


def inprocess(pages, database_url: str, redis_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "SECRET_KEY": SECRET_KEY}
    out = subprocess.run(
        [sys.executable, "scripts/bench_inprocess.py", json.dumps(pages)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def guest_carts_script(cookies: list[str]) -> str:
    """wrk's Lua: each thread takes its own slice of the guests and cycles through it, one guest a
    request. wrk gives a script no connection id, so a guest is not tied to one connection; with
    GUESTS_PER_CONNECTION guests a connection, a guest comes round again only after that many
    requests of each of its thread's connections, so no two requests of one guest overlap (they
    would queue on one session and one cart, which no real shopper does)."""
    per_thread = len(cookies) // WRK_THREADS
    listed = ",\n".join(f'  "{cookie}"' for cookie in cookies)
    return (
        f"guests = {{\n{listed}\n}}\n"
        f"per_thread, first, threads, n = {per_thread}, 0, 0, 0\n"
        "function setup(thread)\n"
        "  thread:set('first', threads * per_thread)\n"
        "  threads = threads + 1\n"
        "end\n"
        "function request()\n"
        "  n = n + 1\n"
        "  return wrk.format(nil, nil, {Cookie = guests[first + n % per_thread + 1]})\n"
        "end\n"
    )


def load_pages(base: str, pages, cookies: dict) -> list[dict]:
    rows = []
    for label, path, visitor in pages:
        headers = {"Cookie": cookies["member"]} if visitor == "member" else {}
        urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=30).read()
        rows.append({"page": label, "path": path, "visitor": visitor, **wrk(base + path, headers)})
    if wanted("guest cart (1 line)"):
        rows.append({"page": "guest cart (1 line)", "path": "/cart/", "visitor": "guest",
                     **wrk(base + "/cart/", {}, guest_carts_script(cookies["guest_carts"]))})  # fmt: skip
    # The same guests on the home page: the stored page with their holes (cart count, links,
    # messages, CSRF) filled on the server, what every page costs a shopper once they have a cart.
    if wanted("guest with a cart: home"):
        rows.append({"page": "guest with a cart: home", "path": "/", "visitor": "guest",
                     **wrk(base + "/", {}, guest_carts_script(cookies["guest_carts"]))})  # fmt: skip
    # Each POST from its own client address (as behind the ingress, SHOP_TRUSTED_PROXY_COUNT=1):
    # the cart's per-address rate limit would otherwise answer most of them 429.
    post = (
        "n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  local headers = {}\n"
        '  headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'  headers["Cookie"] = "{cookies["csrf_cookie"]}"\n'
        "  local a, b = n % 200, math.floor(n / 200) % 250\n"
        '  headers["X-Forwarded-For"] = "10." .. a .. "." .. b .. "." .. math.random(1, 250)\n'
        f'  return wrk.format("POST", nil, headers, "{cookies["post_body"]}")\n'
        "end\n"
    )
    if wanted("add to cart (new guest)"):
        rows.append({"page": "add to cart (new guest)", "path": "POST /cart/add/", "visitor": "guest",
                     **wrk(base + "/cart/add/", {}, post)})  # fmt: skip
    return rows


def seed_scale_database() -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"DEVDB_NAME": "threadline_scale"}
    url = subprocess.run(["scripts/devdb.sh"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    database_url = url.stdout.strip()
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"], ["seed_scale", "--products", str(SCALE)]):
        manage = [sys.executable, "manage.py", *command]
        subprocess.run(manage, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return database_url


def main() -> None:
    signal.signal(signal.SIGTERM, exit_on_signal)  # Ctrl-C already raises KeyboardInterrupt
    os.environ.update(SECRET_KEY=SECRET_KEY, DEBUG="false", DJANGO_SETTINGS_MODULE="config.settings.dev")
    database_url = os.environ["DATABASE_URL"]
    logs = ROOT / ".bench" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        redis_url = os.environ.get("REDIS_URL", "")
        port = int(redis_url.rsplit(":", 1)[1].split("/")[0]) if redis_url.count(":") == 2 else 0
        if not (redis_url and ping(port)):
            redis_url = stack.enter_context(running_redis())
        os.environ["REDIS_URL"] = redis_url
        stack.callback(stop_servers)  # before Redis stops (last in, first out)
        import django

        django.setup()
        pages, cookies = discover(), visitors()
        env = server_env(redis_url, database_url)
        collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
        subprocess.run(collect, cwd=ROOT, env=env, check=True)

        def ceiling(name: str) -> dict:
            bare, base = start(["config.wsgi:application", "--workers", "2"], env, logs / f"{name}.log")
            wait_for(base + "/healthz", bare)
            result = wrk(base + "/healthz", {})
            stop(bare)
            return result

        before = ceiling("bare-before")
        image, base = start(["--config", "config/gunicorn.py", "config.wsgi"], env, logs / "image.log")
        cold_start = wait_for(base + "/readyz", image)
        image_healthz = wrk(base + "/healthz", {})
        rows = load_pages(base, pages, cookies)
        memory = workers_rss_mb(image.pid)
        stop(image)
        boots = (logs / "image.log").read_text().count("Booting worker")
        after = ceiling("bare-after")
        measured = inprocess(pages, database_url, redis_url) if INPROCESS else {}
        scale = inprocess(pages, seed_scale_database(), redis_url) if SCALE and INPROCESS else {}
    ceiling_rps = min(before["rps"], after["rps"])
    for row in rows:
        row["fraction_of_healthz"] = round(row["rps"] / ceiling_rps, 3)
        row.update(measured.get(f"{row['path']}|{row['visitor']}", {}))
        if scale:
            at_scale = scale.get(f"{row['path']}|{row['visitor']}", {})
            kept = ("cpu_ms_first_miss_catalog", "sql_first_miss_catalog", "sql_first_miss_all", "sql_miss")
            row["scale"] = {k: at_scale.get(k) for k in kept}
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg(), "uname": " ".join(os.uname())},
        "seconds": SECONDS,
        "connections": CONNECTIONS,
        "gunicorn_env": os.environ.get("BENCH_GUNICORN_ENV", ""),
        "servers_without_redis": NO_REDIS,
        "healthz_bare_before": before,
        "healthz_bare_after": after,
        "healthz_image_config": image_healthz,
        "cold_start_s": round(cold_start, 2),
        "worker_rss_mb": memory,
        "worker_boots": boots,
        "scale_products": SCALE,
        "pages": rows,
    }
    out = ROOT / ".bench" / f"bench-{report['when'].replace(':', '')}.json"
    out.write_text(json.dumps(report, indent=2))
    (ROOT / ".bench" / "latest.json").write_text(json.dumps(report, indent=2))
    print_table(report)
    print(f"\nJSON: {out.relative_to(ROOT)}")


def print_table(report: dict) -> None:
    b, a, i = report["healthz_bare_before"], report["healthz_bare_after"], report["healthz_image_config"]
    load = report["machine"]["load_average"]
    print(f"\n{report['seconds']} s per page, {report['connections']} connections (wrk), load {load}")
    env = report["gunicorn_env"] or "(image defaults)"
    print(f"gunicorn env: {env}; servers without Redis: {report['servers_without_redis']}")
    print(f"/healthz bare gunicorn: {b['rps']:.0f} before, {a['rps']:.0f} after; image config {i['rps']:.0f}")
    print(
        f"cold start to /readyz {report['cold_start_s']} s; worker RSS {report['worker_rss_mb']} MB; "
        f"worker boots {report['worker_boots']}"
    )
    scale = report["scale_products"]
    print(
        "First miss: the first request after a change, by kind: one product's own data (a price, a"
        " sell-out), the rest of the catalog, a page published, a setting saved, the site or an"
        " image edited (all)."
    )
    head = (
        "| page | path | req/s | of /healthz | p50 ms | p99 ms "
        "| SQL first miss: product / catalog / pages / settings / all | SQL miss / hit "
        "| CPU ms uncached | CPU ms first miss: product / catalog / pages / settings / all | CPU ms miss |"
    )
    if scale:
        head += f" at {scale} products: SQL first miss catalog / all / miss, CPU ms first miss catalog |"
    print(head + "\n|" + "---|" * head.count(" |"))
    kinds = ("product", "catalog", "pages", "settings", "all")
    for r in report["pages"]:
        cells = ["", "", "", "", ""]
        if "sql_miss" in r:
            cells = [
                " / ".join(str(r[f"sql_first_miss_{kind}"]) for kind in kinds),
                f"{r['sql_miss']} / {r['sql_hit']}",
                str(r["cpu_ms_uncached"]),
                " / ".join(str(r[f"cpu_ms_first_miss_{kind}"]) for kind in kinds),
                str(r["cpu_ms_miss"]),
            ]
        line = (
            f"| {r['page']} | `{r['path']}` | {r['rps']:.0f} | {r['fraction_of_healthz']:.0%} "
            f"| {r['p50_ms']} | {r['p99_ms']} | " + " | ".join(cells) + " |"
        )
        if scale:
            sc = r.get("scale", {})
            kinds_at_scale = ("first_miss_catalog", "first_miss_all", "miss")
            sql = " / ".join(str(sc.get(f"sql_{k}")) for k in kinds_at_scale)
            line += f" {sql}, {sc.get('cpu_ms_first_miss_catalog')} |"
        print(line)
    print("\nWhere the CPU went (ms a request) and the machine's busy and steal shares during each row:")
    print("| page | gunicorn | PostgreSQL | Redis | wrk | busy % | steal % |\n|---|---|---|---|---|---|---|")
    for r in report["pages"]:
        cpu = r["cpu_ms_per_request"]
        print(
            f"| {r['page']} | {cpu['gunicorn']} | {cpu['postgres']} | {cpu['redis']} | {cpu['wrk']} "
            f"| {r['machine_busy_pct']} | {r['steal_pct']} |"
        )


if __name__ == "__main__":
    main()
