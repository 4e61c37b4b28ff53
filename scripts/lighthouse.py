"""Lighthouse scores of the storefront under production settings, written to docs/quality.md.

Serves the shop with gunicorn (prod settings, hashed static files, DEBUG off) on a free
127.0.0.1 port, runs npm's Lighthouse against Debian's Chromium (CHROME_PATH) for each
page, and writes a table: accessibility, best practices, SEO. Targets: 100 for
accessibility and best practices everywhere, 100 for SEO on indexable pages.

    make lighthouse            # not part of `make test`; uses the demo data `make seed` loads
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.redis_server import free_port  # noqa: E402

LIGHTHOUSE = ROOT / ".lighthouse" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["accessibility", "best-practices", "seo"]
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"


def pages() -> list[tuple[str, str, bool]]:
    """(name, path, indexable) from the demo data."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from shop.catalog.models import Category, Product

    found = [("home", "/", True), ("shop index", "/shop/", True)]
    category = Category.objects.filter(is_active=True, parent=None).first()
    if category:
        found.append((f"category ({category.slug})", f"/shop/{category.slug}/", True))
        found.append(("category, filtered", f"/shop/{category.slug}/?size=M&in_stock=1", False))
    product = Product.objects.buyable().filter(compare_at_price__isnull=False).first()
    product = product or Product.objects.buyable().first()
    if product:
        found.append(("product page", product.get_absolute_url(), True))
    found += [("search (q=hoodie)", "/search/?q=hoodie", False), ("cart", "/cart/", False)]
    return found


def start_gunicorn(port: int) -> subprocess.Popen:
    """The shop under production settings (DEBUG off, hashed static files), on 127.0.0.1 only."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(
        [gunicorn, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process
        except OSError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not come up within 60 s")


def score(url: str) -> dict[str, int]:
    result = subprocess.run(
        [str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"],
        env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")},
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    report = json.loads(result.stdout)
    scores = {key: round((report["categories"][key]["score"] or 0) * 100) for key in CATEGORIES}
    failing = sorted(
        audit_id
        for key in CATEGORIES
        for ref in report["categories"][key]["auditRefs"]
        if ref["weight"] and (report["audits"][(audit_id := ref["id"])].get("score") or 0) < 1
    )
    return {**scores, "failing": failing}


def main() -> None:
    targets = pages()
    port = free_port()
    server = start_gunicorn(port)
    rows = []
    try:
        for name, path, indexable in targets:
            result = score(f"http://127.0.0.1:{port}{path}")
            rows.append((name, path, indexable, result))
            print(f"{name:24} {result['accessibility']:>4} {result['best-practices']:>4} {result['seo']:>4}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    write_report(rows)


def write_report(rows) -> None:
    lines = [
        "# Quality: Lighthouse scores",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make lighthouse` (`scripts/lighthouse.py`):",
        "gunicorn with production settings on 127.0.0.1, the demo data, npm's Lighthouse",
        "driving Debian's Chromium. Targets: 100 accessibility and best practices on every",
        "page, 100 SEO on indexable pages (filtered lists, search and the cart are `noindex`",
        "on purpose, which Lighthouse's SEO score counts against them).",
        "",
        "| page | path | accessibility | best practices | SEO | indexable | audits below 1 |",
        "| --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for name, path, indexable, r in rows:
        failing = ", ".join(r["failing"]) or "none"
        lines.append(
            f"| {name} | `{path}` | {r['accessibility']} | {r['best-practices']} | {r['seo']} | "
            f"{'yes' if indexable else 'no'} | {failing} |"
        )
    (ROOT / "docs" / "quality.md").write_text("\n".join(lines) + "\n")
    print("wrote docs/quality.md")


if __name__ == "__main__":
    main()
