from django.apps import AppConfig


class TaxConfig(AppConfig):
    name = "shop.tax"
    label = "tax"
    verbose_name = "VAT"
