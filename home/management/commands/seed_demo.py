"""The demo shop: logins (development only), the catalog, then the content pages. Safe to run again.

The one seed command: it lives in `home` because only the content layer may know both the shop
and the pages (nothing in `shop/` imports `home`)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from home.demo import seed_content
from shop.accounts.demo import seed_users
from shop.catalog.demo import seed_catalog


class Command(BaseCommand):
    help = "Load the demo shop: logins (with DEBUG or --users), catalog, home, landing and category pages."

    def add_arguments(self, parser):
        parser.add_argument(
            "--users",
            action="store_true",
            help="Create the demo logins even with DEBUG off (never in production).",
        )

    def handle(self, *args, **options):
        if settings.DEBUG or options["users"]:
            users = seed_users()
            self.stdout.write("Demo logins: " + ", ".join(user.email for user in users))
        else:
            self.stdout.write("DEBUG is off: no demo logins (pass --users to create them).")
        counts = seed_catalog()
        self.stdout.write("Demo catalog: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        result = seed_content()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo pages ready ({result['pages_created']} created, "
                f"{result['products_indexed']} products indexed)."
            )
        )
