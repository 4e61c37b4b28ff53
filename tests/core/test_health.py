import json

import pytest
from django.db import connection, connections

from shop.core import health


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query here would raise "Database access not allowed".
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.fixture
def fresh_readiness(monkeypatch):
    monkeypatch.setattr(health, "_migrations_known_applied", False)


@pytest.mark.django_db
def test_readyz_ok_when_database_answers_and_migrations_applied(client, fresh_readiness):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


@pytest.mark.django_db
def test_readyz_503_names_unapplied_migrations(client, fresh_readiness):
    with connection.cursor() as cursor:
        # The app's newest migration: an older one unapplied under an applied leaf is not "pending".
        cursor.execute(
            "DELETE FROM django_migrations"
            " WHERE id = (SELECT max(id) FROM django_migrations WHERE app = 'accounts')"
        )
    response = client.get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"] == "1 unapplied migration(s)"


@pytest.mark.django_db
def test_readyz_503_when_database_unreachable(client, fresh_readiness, unused_tcp_port):
    conn = connections["default"]
    original_port = conn.settings_dict["PORT"]
    conn.close()
    conn.settings_dict["PORT"] = unused_tcp_port
    try:
        response = client.get("/readyz")
    finally:
        conn.close()
        conn.settings_dict["PORT"] = original_port
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"].startswith("database unreachable")
    assert body["checks"]["migrations"] == "skipped"


@pytest.fixture
def unused_tcp_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_metrics_exposes_request_counters(client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b'threadline_http_requests_total{method="GET",status="200",view="healthz"}' in response.content


def test_metrics_fold_unknown_methods_into_one_label(client):
    client.generic("BREW", "/healthz")
    body = client.get("/metrics").content
    assert b'method="other"' in body
    assert b'method="BREW"' not in body


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        {"HTTP_X_REAL_IP": "203.0.113.9"},
        {"HTTP_FORWARDED": "for=203.0.113.9"},
    ],
)
@pytest.mark.django_db  # the 404 page is the site's own
def test_metrics_are_not_served_through_a_proxy(client, header):
    response = client.get("/metrics", **header)
    assert response.status_code == 404
    assert b"threadline_http_requests_total" not in response.content
