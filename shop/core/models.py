"""Shared models: the sessions (shop/core/sessions.py)."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class Session(AbstractBaseSession):
    """Django's session row plus the id of the user signed in with it, written from the session's
    own data on every save. A member's request reads the session and its user in one query (the
    user LEFT JOINed), where Django's engine reads the session, then the user."""

    # No database constraint: a session that outlives its user (deleted meanwhile) is still saved
    # and then finds no user, as Django's engine does; deleting a user deletes their sessions.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "shop_session"

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
