"""Periodic work on one machine: manage.py run_schedule, the chart's CronJobs' twin."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from shop.core.management.commands.run_schedule import Command
from shop.core.schedule import JOBS, is_due, parse
from shop.orders.models import Order
from tests.factories import make_order, make_variant

ROOT = Path(__file__).resolve().parents[2]


def test_the_schedule_is_the_charts():
    values = yaml.safe_load((ROOT / "deploy/helm/shop/values.yaml").read_text())
    jobs = {job.name: job for job in JOBS}
    assert jobs["expire-orders"].schedule == values["expireOrders"]["schedule"]
    assert jobs["housekeeping"].schedule == values["housekeeping"]["schedule"]
    assert jobs["publish-scheduled"].schedule == values["publishScheduled"]["schedule"]
    chart_jobs = {
        p.stem.removeprefix("cronjob-") for p in (ROOT / "deploy/helm/shop/templates").glob("cronjob-*.yaml")
    }
    assert chart_jobs == set(jobs)
    chart = (ROOT / "deploy/helm/shop/templates/cronjob-housekeeping.yaml").read_text()
    assert jobs["housekeeping"].commands == (("clearsessions",), ("clear_abandoned_carts",))
    assert chart.index("clearsessions") < chart.index("clear_abandoned_carts")


@pytest.mark.parametrize(
    ("expression", "moment", "due"),
    [
        ("*/5 * * * *", datetime(2026, 12, 1, 10, 15, tzinfo=UTC), True),
        ("*/5 * * * *", datetime(2026, 12, 1, 10, 16, tzinfo=UTC), False),
        ("17 3 * * *", datetime(2026, 12, 1, 3, 17, tzinfo=UTC), True),
        ("17 3 * * *", datetime(2026, 12, 1, 4, 17, tzinfo=UTC), False),
        ("0 0 * * 0", datetime(2026, 11, 29, 0, 0, tzinfo=UTC), True),  # a Sunday
        ("0 0 * * 1-5", datetime(2026, 11, 29, 0, 0, tzinfo=UTC), False),
        ("0 0 1 * 1", datetime(2026, 11, 30, 0, 0, tzinfo=UTC), True),  # Monday: either day field
        ("0,30 8-9 * * *", datetime(2026, 12, 1, 9, 30, tzinfo=UTC), True),
    ],
)
def test_cron_expressions_match_minutes_like_cron(expression, moment, due):
    assert is_due(expression, moment) is due


@pytest.mark.parametrize("bad", ["* * * *", "60 * * * *", "*/0 * * * *", "a * * * *"])
def test_a_bad_expression_is_refused(bad):
    with pytest.raises(ValueError):
        parse(bad)


def test_an_override_from_the_environment_wins(monkeypatch):
    job = next(j for j in JOBS if j.name == "expire-orders")
    monkeypatch.setenv("SHOP_SCHEDULE_EXPIRE_ORDERS", "* * * * *")
    assert job.effective_schedule == "* * * * *"


@pytest.mark.django_db
def test_a_due_tick_expires_overdue_orders_and_puts_stock_back(capsys):
    variant = make_variant(stock=10)
    overdue = make_order([(variant, 3)], payment_due_at=timezone.now() - timedelta(minutes=1))
    command = Command()
    command.run_due(datetime(2026, 12, 1, 10, 16, tzinfo=UTC))  # not due: nothing happens
    overdue.refresh_from_db()
    assert overdue.status == Order.Status.PENDING_PAYMENT
    command.run_due(datetime(2026, 12, 1, 10, 15, tzinfo=UTC))
    overdue.refresh_from_db()
    variant.refresh_from_db()
    assert (overdue.status, variant.stock) == (Order.Status.CANCELLED, 10)
    assert "Expired 1 order(s)." in capsys.readouterr().out
