"""The admin's "Shop" menu and the names of the Wagtail hooks that several shop apps share.

Each app imports the name it needs from here, so a hook is never a string copied in two places:
catalog, orders and payments put their screens in the menu with `menu_hook = SHOP_MENU_HOOK` on
a viewset; payments adds a panel to the order screen through `ORDER_DETAIL_PANELS_HOOK`.
"""

from wagtail.admin.menu import Menu, SubmenuMenuItem

SHOP_MENU_HOOK = "register_shop_menu_item"
ORDER_DETAIL_PANELS_HOOK = "shop_order_detail_panels"
"""Functions (request, order) -> HTML or None, shown on the admin's order screen."""


def shop_menu_item() -> SubmenuMenuItem:
    """Shown only to users who can see at least one of its items (Wagtail hides an empty submenu)."""
    return SubmenuMenuItem(
        "Shop", Menu(register_hook_name=SHOP_MENU_HOOK), name="shop", icon_name="tag", order=150
    )
