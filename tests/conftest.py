"""Fixtures shared by the whole suite. Everything runs on a real PostgreSQL."""

import os
import threading

import pytest
from django.contrib.auth.models import Group
from django.core.signals import request_finished, request_started

from shop.accounts.roles import MARKETERS, SHOP_STAFF

# Playwright runs an event loop in the test thread; the ORM calls in the same
# tests are synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def password():
    return "correct-horse-battery-staple"


@pytest.fixture
def make_user(db, django_user_model, password, request):
    def make(email: str, *, groups: tuple[str, ...] = (), **extra):
        if groups:
            request.getfixturevalue("roles")
        user = django_user_model.objects.create_user(email=email, password=password, **extra)
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        return user

    return make


@pytest.fixture
def shopper(make_user):
    return make_user("shopper@example.com", first_name="Sam", last_name="Shopper")


@pytest.fixture
def marketer(make_user):
    return make_user("marketer@example.com", groups=(MARKETERS,), first_name="Mia")


@pytest.fixture
def staff_user(make_user):
    return make_user("staff@example.com", groups=(SHOP_STAFF,), first_name="Stan")


@pytest.fixture
def superuser(db, django_user_model, password):
    return django_user_model.objects.create_superuser(email="admin@example.com", password=password)


def restore_data_migration_rows():
    """The rows Wagtail's and our data migrations make (root collection, locale, root page, home
    page, default site), made again when a transactional test flushed them.

    Returns the home page."""
    from wagtail.models import Collection, Locale, Page, Site

    from home.models import HomePage

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    locale, _ = Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", locale=locale)
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(instance=HomePage(title="Home", slug="home", locale=locale))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Threadline"},
    )
    return home


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database (`--reuse-db`, `make test-fast`) starts like a fresh one.

    Transactional tests (browser, concurrency) run last and flush every table, so the previous
    run may have left the database without the data migrations' rows; put them back once."""
    from shop.accounts.roles import sync_roles

    with django_db_blocker.unblock():
        restore_data_migration_rows()
        sync_roles()


@pytest.fixture
def roles(db, site_root):
    """The groups with their permissions, also after a transactional test flushed them.

    Needs the page tree and root collection first: page and image permissions hang on them."""
    from shop.accounts.roles import sync_roles

    sync_roles()


@pytest.fixture
def site_root(db):
    """The default Site and its HomePage (and Wagtail's root collection), recreated when a
    transactional test flushed the rows the data migrations made."""
    return restore_data_migration_rows()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, offline: never Playwright's downloaded browser."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis (Debian's redis-server) for the whole run, started by the project's helper."""
    from scripts.redis_server import running_redis

    with running_redis() as url:
        yield url


@pytest.fixture
def page_cache(redis_url, settings):
    """The page cache on, in Redis, under a key prefix of this test's own."""
    import uuid

    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        },
    }
    settings.PAGE_CACHE_SECONDS = 600
    return caches["pages"]


class _RequestsInFlight:
    """Requests the live server is answering, counted through Django's request signals."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()

    def started(self, **kwargs) -> None:
        with self.changed:
            self.count += 1

    def finished(self, **kwargs) -> None:
        with self.changed:
            self.count -= 1
            self.changed.notify_all()


@pytest.fixture(autouse=True)
def _live_requests_end_before_the_flush(request):
    """With a live server: after the browser is closed, wait until the server has answered every
    request it was still handling (a page's background ping or preview refresh) before the test's
    database is flushed. A request still writing when the flush's TRUNCATE starts can deadlock
    with it (seen: Wagtail's editor under test_csp.py), and the flush then fails.

    Set up after the live server and its database (so torn down before the flush) and before
    the browser's page (so torn down after the page is closed)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so flushed after this ends
    request.getfixturevalue("live_server")
    in_flight = _RequestsInFlight()
    request_started.connect(in_flight.started)
    request_finished.connect(in_flight.finished)
    yield
    try:
        with in_flight.changed:
            assert in_flight.changed.wait_for(lambda: in_flight.count <= 0, timeout=30), in_flight.count
    finally:
        request_started.disconnect(in_flight.started)
        request_finished.disconnect(in_flight.finished)
