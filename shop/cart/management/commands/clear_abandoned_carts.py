from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from shop.cart.services import ABANDONED_CART_BATCH, delete_abandoned_carts


class Command(BaseCommand):
    help = (
        "Delete guest carts whose session is gone or that nobody touched for SHOP_CART_RETENTION_DAYS, "
        "and empty member carts as old. Run it after clearsessions. Safe to run concurrently."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=ABANDONED_CART_BATCH,
            help=f"Carts deleted per transaction (default {ABANDONED_CART_BATCH}).",
        )

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            deleted = delete_abandoned_carts(batch_size=batch_size)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Deleted {deleted} abandoned cart(s).")
