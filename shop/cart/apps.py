from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "shop.cart"
    label = "cart"
    verbose_name = "Cart"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from shop.core.session_user import load_with_user

        from . import checks  # noqa: F401
        from .services import member_count
        from .session import COUNT_LOADED_WITH_USER, merge_on_login

        user_logged_in.connect(merge_on_login, dispatch_uid="cart_merge_on_login")
        load_with_user(COUNT_LOADED_WITH_USER, member_count)
