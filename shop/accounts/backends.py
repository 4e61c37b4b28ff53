"""The signed-in user, read from the database once per request with what every storefront
request asks of them next."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from shop.core import session_user, sql


class ShopModelBackend(ModelBackend):
    """Django's ModelBackend, whose session user is the one the session read with itself
    (shop.core.sessions, shop.core.session_user): no query of its own. Where the session brought
    none (its row written before it named its user), the user is read here with the same values
    (may they use Wagtail's admin, their cart's count) in one query."""

    def get_user(self, user_id):
        user = session_user.loaded_with_session(user_id)
        if user is None:
            user_model = get_user_model()
            own_id = sql.column(user_model, user_model._meta.pk.name)
            users = user_model._default_manager.annotate(**session_user.annotations(own_id))
            try:
                user = users.get(pk=user_id)
            except user_model.DoesNotExist:
                return None
        return user if self.user_can_authenticate(user) else None
