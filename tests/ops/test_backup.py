"""`make backup` / `make restore` against the real PostgreSQL: a shop with orders is dumped
(pg_dump, custom format), restored into a new database, and the orders, stock and
payments read back the same. Bad input changes nothing."""

import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import transaction

from shop.orders.models import Order
from shop.payments.models import Payment
from shop.payments.services import create_payment, settle_test_payment
from tests.db import database_url
from tests.factories import make_order, make_product, make_variant

ROOT = Path(__file__).resolve().parents[2]

ORDERS = "SELECT number, status, email, subtotal, shipping, total FROM orders_order ORDER BY number"
ITEMS = (
    "SELECT o.number, i.sku, i.product_name, i.variant_label, i.unit_price, i.quantity, i.line_total "
    "FROM orders_orderitem i JOIN orders_order o ON o.id = i.order_id ORDER BY o.number, i.sku"
)
STOCK = "SELECT sku, stock FROM catalog_productvariant ORDER BY sku"
PAYMENTS = (
    "SELECT o.number, p.attempt, p.provider, p.status, p.amount, p.currency, p.token "
    "FROM payments_payment p JOIN orders_order o ON o.id = p.order_id ORDER BY o.number, p.attempt"
)
EVENTS = "SELECT event_id, event_type FROM payments_paymentlog ORDER BY event_id"


def read(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as conn:
        return {q: conn.execute(q).fetchall() for q in (ORDERS, ITEMS, STOCK, PAYMENTS, EVENTS)}


def make(*args, check=True) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url()}
    result = subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def drop_database(name: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def shop_with_orders(transactional_db, settings):
    """Committed rows (pg_dump sees only committed data): two orders, one paid."""
    settings.ALLOW_TEST_PAYMENTS = True
    tee = make_variant(make_product("Oxford Tee", price="25.00", sizes=()), size="M", stock=8)
    jeans = make_variant(make_product("Slim Jeans", price="60.00", sizes=()), size="32", colour="", stock=3)
    paid = make_order([(tee, 2), (jeans, 1)], email="paid@example.com")
    make_order([(tee, 1)], email="pending@example.com")
    with transaction.atomic():
        payment = create_payment(paid, Payment.Provider.TEST)
    settle_test_payment(payment, succeed=True)
    paid.refresh_from_db()
    assert paid.status == Order.Status.PAID
    return read(database_url())


@pytest.fixture
def restored_name():
    name = f"threadline_restore_{uuid.uuid4().hex[:8]}"
    yield name
    drop_database(name)


def test_backup_then_restore_into_a_new_database_gives_the_same_shop(
    shop_with_orders, restored_name, tmp_path
):
    dump = tmp_path / "shop.dump"
    make("backup", f"BACKUP={dump}")
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    make("restore", f"BACKUP={dump}", f"RESTORE_DATABASE_URL={database_url(restored_name)}")

    restored = read(database_url(restored_name))
    assert restored == shop_with_orders
    assert len(restored[ORDERS]) == 2 and len(restored[PAYMENTS]) == 1
    assert sorted(stock for _, stock in restored[STOCK]) == [2, 5]  # 8 - 2 - 1 tees, 3 - 1 jeans
    assert [row[3] for row in restored[PAYMENTS]] == [Payment.Status.PAID]


def test_restore_refuses_a_database_that_has_tables(shop_with_orders, tmp_path):
    dump = tmp_path / "shop.dump"
    make("backup", f"BACKUP={dump}")
    with psycopg.connect(database_url(), autocommit=True) as conn:
        conn.execute("UPDATE catalog_productvariant SET stock = stock + 100")
    changed = read(database_url())

    result = make("restore", f"BACKUP={dump}", check=False)

    assert result.returncode != 0
    assert "already has" in result.stderr and "RESTORE_REPLACE=yes" in result.stderr
    assert read(database_url()) == changed


def test_a_truncated_backup_is_refused_before_touching_anything(shop_with_orders, restored_name, tmp_path):
    dump = tmp_path / "shop.dump"
    make("backup", f"BACKUP={dump}")
    broken = tmp_path / "broken.dump"
    broken.write_bytes(dump.read_bytes()[: len(dump.read_bytes()) // 3])

    result = make(
        "restore", f"BACKUP={broken}", f"RESTORE_DATABASE_URL={database_url(restored_name)}", check=False
    )

    assert result.returncode != 0
    assert "not a pg_dump custom-format archive" in result.stderr
    with psycopg.connect(database_url("postgres")) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [restored_name]).fetchone()
    assert exists is None


def test_restore_without_a_file_says_how():
    result = subprocess.run(
        ["make", "--no-print-directory", "restore"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "usage: make restore BACKUP=" in result.stderr
