"""The database backend's health check (shop/core/postgresql/base.py): no round trip for a
healthy idle connection, and a connection the server dropped is never used for a request."""

import time

import psycopg
import pytest
from django.db import close_old_connections, connection, transaction

pytestmark = pytest.mark.django_db(transaction=True)  # idle connections, as between requests


@pytest.fixture
def observer():
    """A second connection to the same database, to watch and end the shop's."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        yield other


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def statements_seen(observer, pid: int) -> tuple:
    return observer.execute(
        "SELECT query_start, query FROM pg_stat_activity WHERE pid = %s", [pid]
    ).fetchone()


def wait_until(condition, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the state never came"
        time.sleep(0.01)


def test_a_healthy_idle_connection_is_checked_without_a_statement(observer):
    pid = backend_pid()
    before = statements_seen(observer, pid)
    assert connection.is_usable()
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert connection.connection is not None  # kept
    assert statements_seen(observer, pid) == before  # nothing reached the server


def test_a_connection_the_server_ended_is_closed_and_the_next_query_reconnects(observer):
    pid = backend_pid()
    observer.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_until(lambda: not connection.is_usable())  # the server's goodbye reached the socket
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert connection.connection is None
    assert backend_pid() != pid


def test_a_request_after_the_server_ended_the_connection_is_answered(client, observer):
    from shop.catalog.models import Category

    Category.objects.count()  # the connection this request would reuse
    pid = backend_pid()
    observer.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_until(lambda: statements_seen(observer, pid) is None)  # gone on the server
    close_old_connections()  # what the handler's request_started does (the test client skips it)
    response = client.get("/cart/")
    assert response.status_code == 200
    assert backend_pid() != pid


def test_inside_a_transaction_the_check_asks_the_server():
    with transaction.atomic():
        backend_pid()
        assert connection.is_usable()
