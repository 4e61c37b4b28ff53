"""The signed-in user, read from the database once per request with what every storefront
request asks of them next."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from shop.cart.services import member_count
from shop.cart.session import COUNT_LOADED_WITH_USER
from shop.core.editors import ADMIN_ACCESS_LOADED_WITH_USER, admin_access


class ShopModelBackend(ModelBackend):
    """Django's ModelBackend, whose session user comes with the answer to "may they use Wagtail's
    admin?" (shop.core.editors.is_editor) and their cart's count (the header's, shop.cart.session
    .cart_count) in the same query: one query a request instead of three."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(
            **{ADMIN_ACCESS_LOADED_WITH_USER: admin_access(), COUNT_LOADED_WITH_USER: member_count()}
        )
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
