"""The demo shop: users (development only), the catalog, then the content pages. Safe to run again."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand


def _optional(dotted: str):
    """A seeding function of another app, or None while that app has none."""
    module_name, _, name = dotted.rpartition(".")
    try:
        return getattr(import_module(module_name), name)
    except (ImportError, AttributeError):
        return None


class Command(BaseCommand):
    help = "Load the demo shop: logins (with DEBUG or --users), catalog, home, landing and category pages."

    def add_arguments(self, parser):
        parser.add_argument(
            "--users",
            action="store_true",
            help="Create the demo logins even with DEBUG off (never in production).",
        )

    def handle(self, *args, **options):
        from home.demo import seed_content

        seed_users = _optional("shop.accounts.demo.seed_users")
        if settings.DEBUG or options["users"]:
            if seed_users is None:
                self.stdout.write("No demo users yet (shop.accounts.demo.seed_users is missing).")
            else:
                users = seed_users() or []
                self.stdout.write("Demo logins: " + ", ".join(getattr(u, "email", str(u)) for u in users))
        else:
            self.stdout.write("DEBUG is off: no demo logins (pass --users to create them).")
        seed_catalog = _optional("shop.catalog.demo.seed_catalog")
        if seed_catalog is None:
            self.stdout.write("No demo catalog yet (shop.catalog.demo.seed_catalog is missing).")
        else:
            counts = seed_catalog() or {}
            self.stdout.write("Demo catalog: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        result = seed_content()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo pages ready ({result['pages_created']} created, "
                f"{result['products_indexed']} products indexed)."
            )
        )
