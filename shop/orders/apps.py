from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "shop.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from . import payment  # noqa: F401  (registers the SHOP_PAYMENT_HANDOFF check)
        from .emails import on_status_changed
        from .signals import order_status_changed

        order_status_changed.connect(on_status_changed, dispatch_uid="orders_emails")
