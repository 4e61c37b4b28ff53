from django.core.management.base import BaseCommand

from shop.orders.services import expire_orders


class Command(BaseCommand):
    help = (
        "Cancel unpaid orders past their payment deadline and put their stock back. Safe to run concurrently."
    )

    def handle(self, *args, **options):
        expired = expire_orders()
        self.stdout.write(f"Expired {len(expired)} order(s).")
