from django.apps import AppConfig

from shop.accounts.roles import MARKETERS


class HomeConfig(AppConfig):
    name = "home"
    label = "home"
    verbose_name = "Content pages"

    # What marketers may do with content; shop.accounts.roles.sync_roles reads these.
    role_model_permissions = {
        MARKETERS: [
            "home.change_navigationsettings",
            "home.change_footersettings",
            "home.change_seosettings",
            "home.change_announcementsettings",
            "home.change_sitesettings",
            "wagtailredirects.add_redirect",
            "wagtailredirects.change_redirect",
            "wagtailredirects.delete_redirect",
        ]
    }
    role_page_permissions = {
        MARKETERS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
    }
    role_collection_permissions = {
        MARKETERS: ["wagtaildocs.add_document", "wagtaildocs.change_document", "wagtaildocs.choose_document"]
    }

    def ready(self) -> None:
        from . import signals

        signals.connect()
