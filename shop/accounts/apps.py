from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "shop.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from . import roles

        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
