from django.conf import settings
from django.core.management.base import BaseCommand

from shop.accounts.demo import seed_users
from shop.catalog.demo import seed_catalog


class Command(BaseCommand):
    help = "Load the demo catalog (idempotent); in development (DEBUG) or with --users, the demo logins too."

    def add_arguments(self, parser):
        parser.add_argument(
            "--users", action="store_true", help="Create the demo logins even with DEBUG off."
        )

    def handle(self, *args, **options):
        counts = seed_catalog()
        self.stdout.write(", ".join(f"{n} {name}" for name, n in counts.items()))
        if settings.DEBUG or options["users"]:
            users = seed_users()
            self.stdout.write("Demo logins: " + ", ".join(u.email for u in users))
