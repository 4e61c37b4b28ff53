import logging
import signal
import threading
from datetime import UTC, datetime, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from shop.core.schedule import JOBS, is_due, parse

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run the periodic commands (expire_orders, nightly housekeeping) on their schedule, "
        "in the foreground, for compose and `make run`. Clusters use the chart's CronJobs."
    )

    def handle(self, *args, **options):
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        for job in JOBS:
            parse(job.effective_schedule)  # a bad override stops the start, not a tick
            self.stdout.write(f"{job.name}: {job.effective_schedule} (UTC)")
        self.stdout.flush()
        while not stopping.is_set():
            now = datetime.now(UTC)
            next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
            if stopping.wait((next_minute - now).total_seconds()):
                break
            # A long-lived process: a fresh connection per tick, like a request's.
            close_old_connections()
            try:
                self.run_due(next_minute)
            finally:
                close_old_connections()

    def run_due(self, moment: datetime) -> None:
        for job in JOBS:
            if not is_due(job.effective_schedule, moment):
                continue
            for command in job.commands:
                try:
                    call_command(*command, stdout=self.stdout, stderr=self.stderr)
                except Exception:
                    logger.exception("scheduled command %s failed", " ".join(command))
            self.stdout.flush()
