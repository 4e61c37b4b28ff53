"""core.0001: the sessions move from Django's table to shop_session without signing anybody out
or losing a guest's cart key, each member's row naming its user."""

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session as DjangoSession
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from shop.core.models import Session

pytestmark = pytest.mark.django_db


def old_row(key: str, data: dict, expires_in: timedelta) -> None:
    encoded = DjangoSessionStore().encode(data)
    DjangoSession.objects.create(
        session_key=key, session_data=encoded, expire_date=timezone.now() + expires_in
    )


def test_live_sessions_are_copied_and_name_their_users(shopper):
    executor = MigrationExecutor(connection)
    executor.migrate([("core", None)])
    signed_in = {SESSION_KEY: str(shopper.pk), BACKEND_SESSION_KEY: "x", HASH_SESSION_KEY: "h"}
    old_row("member", signed_in, timedelta(days=3))
    old_row("guest", {"cart_id": 7}, timedelta(days=3))
    old_row("gone", signed_in, -timedelta(seconds=1))  # by the clock, not the transaction's start
    old_row("forged", {SESSION_KEY: "not-a-number"}, timedelta(days=3))
    DjangoSession.objects.create(
        session_key="tampered", session_data="x:y", expire_date=timezone.now() + timedelta(1)
    )
    executor.loader.build_graph()
    executor.migrate([("core", "0001_initial")])
    copied = dict(Session.objects.values_list("session_key", "user_id"))
    assert copied == {"member": shopper.pk, "guest": None, "forged": None, "tampered": None}
    member = Session.objects.get(session_key="member")
    assert member.get_decoded()[SESSION_KEY] == str(shopper.pk)
