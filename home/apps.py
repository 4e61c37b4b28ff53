from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    label = "home"
    verbose_name = "Content pages"

    def ready(self) -> None:
        from . import signals

        signals.connect()
