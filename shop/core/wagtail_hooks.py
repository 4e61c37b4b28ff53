from wagtail import hooks

from .admin_menu import shop_menu_item

hooks.register("register_admin_menu_item", shop_menu_item)
