"""Prod settings, checked in a real subprocess as a container would start them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL_SECRET = "k3Jx9-vQ2_pL8mZr4tYw7nB1cF6hD0sGaEuIoP5qRlXjW3eT8yU2iO4pA6sD"


def run_manage(*args, **env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.prod", "ALLOWED_HOSTS": "shop.example.com"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_nothing_with_a_real_secret():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=REAL_SECRET)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("secret", ["", "short", "dev-only-insecure-key-do-not-use-in-production-xx"])
def test_prod_refuses_to_start_without_a_real_secret(secret):
    result = run_manage("check", SECRET_KEY=secret)
    assert result.returncode != 0
    assert "SECRET_KEY is missing or not a real secret" in result.stderr


def test_prod_refuses_to_start_with_debug_on():
    result = run_manage("check", SECRET_KEY=REAL_SECRET, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


def test_prod_logs_are_json_lines():
    code = "import logging, json; logging.getLogger('threadline').warning('hello %s', 'world')"
    result = run_manage("shell", "-c", code, SECRET_KEY=REAL_SECRET)
    assert result.returncode == 0, result.stderr
    line = [ln for ln in result.stderr.splitlines() if "hello" in ln][-1]
    import json

    record = json.loads(line)
    assert record["message"] == "hello world"
    assert record["level"] == "WARNING"
    assert record["logger"] == "threadline"


def test_only_postgresql_can_be_configured():
    result = run_manage("check", SECRET_KEY=REAL_SECRET, DATABASE_URL="mysql://u:p@127.0.0.1/shop")
    assert result.returncode != 0
    assert "DATABASE_URL must point to PostgreSQL" in result.stderr


def test_database_connections_are_persistent_with_health_checks(settings):
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "shop.core.postgresql"  # Django's, with a cheaper health check
    assert db["CONN_MAX_AGE"] > 0
    assert db["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
def test_the_shops_connections_run_without_jit():
    """JIT compiled a query of the one-row settings tables for 0.9 s (config/settings/base.py)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.parametrize("currency", ["JPY", "EURO", "€"])
def test_a_currency_without_two_decimals_is_refused(currency):
    result = run_manage("check", SECRET_KEY=REAL_SECRET, SHOP_CURRENCY=currency)
    assert result.returncode != 0
    assert "is not a two-decimal ISO 4217 code" in result.stderr
