"""The two staff roles and what each may do, as data.

Groups are created by a data migration; their permissions are (re)synced after
every migrate, because the shop's own model permissions only exist once all
apps have migrated. Syncing only adds what is missing, so permissions staff
grant by hand in the admin are kept.

The shop's apps are listed here. An app outside `shop/` (the content app, `home`) declares what
each role may do with its own models on its AppConfig, as `role_model_permissions`,
`role_page_permissions` and `role_collection_permissions` ({role name: [permission, ...]}), so
nothing here names it.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

MARKETERS = "Marketers"
SHOP_STAFF = "Shop staff"

ADMIN_ACCESS = ["wagtailadmin.access_admin"]

# Model permissions, "app_label.codename". A codename whose model does not
# exist (yet) is skipped.
MODEL_PERMISSIONS: dict[str, list[str]] = {
    MARKETERS: [
        *ADMIN_ACCESS,
        "catalog.view_category",
        "catalog.view_product",
        "catalog.view_productvariant",
        "catalog.add_sizeguide",
        "catalog.change_sizeguide",
        "catalog.view_sizeguide",
        "taggit.add_tag",
        "taggit.change_tag",
        "taggit.view_tag",
        "wagtailcore.view_site",
        "discounts.add_discountcode",
        "discounts.change_discountcode",
        "discounts.delete_discountcode",
        "discounts.view_discountcode",
    ],
    SHOP_STAFF: [
        *ADMIN_ACCESS,
        # Unlock shoppers locked out by django-axes (Settings > Login lockouts).
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        # Every model permission of the shop's domain apps is added below.
    ],
}

# Apps whose every model permission shop staff hold.
SHOP_STAFF_APPS = ["catalog", "cart", "discounts", "tax", "orders", "payments", "invoices", "returns"]

# Wagtail page permissions on the tree root, so they cover every page (pages are declared by
# the content app).
PAGE_PERMISSIONS: dict[str, list[str]] = {MARKETERS: [], SHOP_STAFF: []}

# Wagtail collection permissions on the root collection.
COLLECTION_PERMISSIONS = {
    MARKETERS: [
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
    ],
    SHOP_STAFF: [
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
    ],
}


def declared(attribute: str, role: str, own: dict[str, list[str]]) -> list[str]:
    """The role's permissions listed here plus those installed apps declare on their AppConfig."""
    names = list(own.get(role, []))
    for config in global_apps.get_app_configs():
        names += getattr(config, attribute, {}).get(role, [])
    return names


def _permission(apps, dotted: str):
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


def sync_roles(apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Make sure both groups exist and hold at least their role's permissions."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in MODEL_PERMISSIONS:
        group, _ = Group.objects.using(using).get_or_create(name=name)
        dotted_names = declared("role_model_permissions", name, MODEL_PERMISSIONS)
        wanted = [p for p in (_permission(apps, d) for d in dotted_names) if p is not None]
        if name == SHOP_STAFF:
            wanted += list(Permission.objects.filter(content_type__app_label__in=SHOP_STAFF_APPS))
        group.permissions.add(*wanted)
        _sync_page_permissions(apps, group, declared("role_page_permissions", name, PAGE_PERMISSIONS))
        _sync_collection_permissions(
            apps, group, declared("role_collection_permissions", name, COLLECTION_PERMISSIONS)
        )


def _sync_page_permissions(apps, group, codenames: list[str]) -> None:
    if not codenames:
        return
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    root = Page.objects.filter(depth=1).first()
    if root is None:
        return
    for codename in codenames:
        permission = _permission(apps, f"wagtailcore.{codename}")
        if permission is not None:
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)


def _sync_collection_permissions(apps, group, dotted_names: list[str]) -> None:
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root = Collection.objects.filter(depth=1).first()
    if root is None:
        return
    for dotted in dotted_names:
        permission = _permission(apps, dotted)
        if permission is not None:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root, permission=permission
            )


def sync_roles_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate runs once per app; sync once, after the last app."""
    with_models = [a for a in global_apps.get_app_configs() if a.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    Group = global_apps.get_model("auth", "Group")
    if not Group.objects.using(using).filter(name__in=[MARKETERS, SHOP_STAFF]).exists():
        return  # the data migration has not run (e.g. migrating to zero)
    sync_roles(using=using)
