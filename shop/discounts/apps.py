from django.apps import AppConfig


class DiscountsConfig(AppConfig):
    name = "shop.discounts"
    label = "discounts"
    verbose_name = "Discounts"

    def ready(self) -> None:
        """A saved or deleted code may change a promotion block on a stored page."""
        from django.db.models.signals import post_delete, post_save

        from shop.catalog.page_cache import catalog_changed

        from .models import DiscountCode

        for signal in (post_save, post_delete):
            signal.connect(catalog_changed, sender=DiscountCode, dispatch_uid="page-cache-DiscountCode")
