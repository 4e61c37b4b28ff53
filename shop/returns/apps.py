from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "shop.returns"
    label = "returns"
    verbose_name = "Returns"
