"""Periodic work on one machine (compose, `make run`): the same commands on the same
schedule as the Helm chart's CronJobs (deploy/helm/shop/values.yaml, `expireOrders` and
`housekeeping`; a test keeps the two equal).

In a cluster, Kubernetes runs them as CronJobs; `manage.py run_schedule` is for where
there is no such thing. Run exactly one scheduler per database; every command is safe
to run twice anyway (locked, idempotent).
"""

import os
from dataclasses import dataclass
from datetime import datetime

# Cron fields: minute, hour, day of month, month, day of week (0 = Sunday), in UTC.
FIELD_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))


@dataclass(frozen=True)
class Job:
    name: str
    schedule: str
    commands: tuple[tuple[str, ...], ...]

    @property
    def effective_schedule(self) -> str:
        """The schedule, or SHOP_SCHEDULE_<NAME> from the environment when set."""
        variable = "SHOP_SCHEDULE_" + self.name.upper().replace("-", "_")
        return os.environ.get(variable, "").strip() or self.schedule


JOBS = (
    # Unpaid orders past their payment deadline: cancelled, stock put back.
    Job("expire-orders", "*/5 * * * *", (("expire_orders",),)),
    # Pages scheduled by marketers go live or expire (Wagtail's command).
    Job("publish-scheduled", "* * * * *", (("publish_scheduled",),)),
    # Expired sessions, then the carts they leave behind.
    Job("housekeeping", "17 3 * * *", (("clearsessions",), ("clear_abandoned_carts",))),
)


def _field_values(text: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if body == "*":
            start, end = low, high
        elif "-" in body:
            start, end = (int(x) for x in body.split("-", 1))
        else:
            start = int(body)
            end = high if step_text else start
        if not (low <= start <= end <= high) or step < 1:
            raise ValueError(f"cron field {text!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def parse(expression: str) -> tuple[set[int], ...]:
    """A five-field cron expression as the sets of values each field allows."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"{expression!r}: a cron expression has five fields")
    return tuple(_field_values(f, low, high) for f, (low, high) in zip(fields, FIELD_RANGES, strict=True))


def is_due(expression: str, moment: datetime) -> bool:
    """Whether the minute of `moment` matches, with cron's rule for the two day fields:
    when both are restricted, either one matching is enough."""
    minutes, hours, days, months, weekdays = parse(expression)
    day_fields = expression.split()[2:5:2]
    weekday = (moment.weekday() + 1) % 7
    day_match = moment.day in days
    weekday_match = weekday in weekdays
    if "*" not in day_fields[0] and "*" not in day_fields[1]:
        day_ok = day_match or weekday_match
    else:
        day_ok = day_match and weekday_match
    return moment.minute in minutes and moment.hour in hours and moment.month in months and day_ok
