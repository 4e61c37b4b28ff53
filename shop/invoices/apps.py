from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "shop.invoices"
    label = "invoices"
    verbose_name = "Invoices"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
