"""shop.core.sessions: Django's database sessions, minus the writes that change nothing."""

import pytest
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop.core.models import Session
from shop.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def statements(run) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        run()
    return [
        q["sql"].split()[0]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]


def test_a_new_session_is_inserted_without_looking_its_key_up_first():
    session = SessionStore()
    session["colour"] = "Black"
    assert statements(session.save) == ["INSERT"]
    assert SessionStore(session.session_key).load() == {"colour": "Black"}


def test_a_taken_key_is_a_create_error_and_the_transaction_goes_on():
    """Written without the ORM's savepoint: the clash must not abort the request's transaction."""
    first = SessionStore()
    first["owner"] = "first"
    first.save()
    clash = SessionStore()
    clash._session_key = first.session_key
    clash["owner"] = "second"
    with pytest.raises(CreateError):
        clash.save(must_create=True)
    assert Session.objects.count() == 1  # the transaction still answers
    assert SessionStore(first.session_key).load() == {"owner": "first"}
    clash.create()  # draws a free key, as Django's create() does after a clash
    assert clash.session_key != first.session_key
    assert SessionStore(clash.session_key).load() == {"owner": "second"}


def test_saving_a_session_whose_row_is_gone_is_an_update_error():
    session = SessionStore()
    session["colour"] = "Black"
    session.save()
    Session.objects.filter(session_key=session.session_key).delete()
    session["colour"] = "Sand"
    with pytest.raises(UpdateError):
        session.save()
    assert not Session.objects.exists()


def test_saving_what_was_just_saved_writes_nothing_but_a_change_in_place_is_written():
    session = SessionStore()
    session["basket"] = {"n": 1}
    session.save()
    assert statements(session.save) == []
    session["basket"]["n"] = 2  # changed in place: only `modified` tells the middleware
    session.modified = True
    assert statements(session.save) == ["UPDATE"]
    assert SessionStore(session.session_key).load() == {"basket": {"n": 2}}


def test_a_cycled_key_keeps_the_data_under_the_new_key_only():
    """Login rotates the key (cycle_key): the data moves, the old row goes, later saves still write."""
    session = SessionStore()
    session["cart_id"] = 7
    session.save()
    old = session.session_key
    session.cycle_key()
    session["user"] = "x"
    session.save()
    assert not session.exists(old)
    assert SessionStore(session.session_key).load() == {"cart_id": 7, "user": "x"}


def test_a_session_is_read_by_its_key_in_one_select_and_only_while_it_lasts():
    session = SessionStore()
    session["cart_id"] = 7
    session.save()
    reader = SessionStore(session.session_key)
    assert statements(reader.load) == ["SELECT"]
    assert SessionStore(session.session_key).load() == {"cart_id": 7}

    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now())
    expired = SessionStore(session.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # saved later, it gets a new key, never the expired one


def test_an_unknown_key_or_tampered_data_reads_as_an_empty_session():
    assert SessionStore("no-such-session-key-0123456789ab").load() == {}
    session = SessionStore()
    session["user"] = "x"
    session.save()
    Session.objects.filter(session_key=session.session_key).update(session_data="forged:data")
    assert SessionStore(session.session_key).load() == {}
