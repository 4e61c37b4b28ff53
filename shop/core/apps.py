from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shop.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from .editors import ADMIN_ACCESS_LOADED_WITH_USER, admin_access
        from .session_user import load_with_user

        load_with_user(ADMIN_ACCESS_LOADED_WITH_USER, admin_access)
