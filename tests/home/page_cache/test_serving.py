"""What the page cache stores and who gets what: public bytes, personal holes, never anyone else's."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shop.accounts.backends import ShopModelBackend
from shop.accounts.roles import MARKETERS
from shop.cart.services import add_item, get_or_create_cart
from shop.core.editors import is_editor
from tests.factories import make_product

pytestmark = pytest.mark.django_db

PAGES = ["/", "/shop/", "/shop/t-shirts/", "/shop/t-shirts/?sort=price_asc", "/search/?q=tee"]


@pytest.fixture
def pages(home, tshirt_page, product):
    return [*PAGES, product.get_absolute_url()]


def test_storefront_pages_are_served_from_the_cache_with_cdn_headers(client, pages, cached, get):
    for url in pages:
        client.cookies.clear()
        first = get(client, url)
        assert first["X-Page-Cache"] == "miss", url
        second = cached(client, url)
        assert second.content == first.content
        assert second["Cache-Control"] == "public, max-age=0, s-maxage=60"
        assert "Cookie" in second["Vary"]
        assert not second.cookies, url


def test_a_hit_runs_no_sql(client, pages, django_assert_num_queries, cached):
    for url in pages:
        cached(client, url)
        client.cookies.clear()
        with django_assert_num_queries(0):
            assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_hit_is_one_round_trip_to_the_cache(client, pages, cached, page_cache, monkeypatch):
    """The generations and the page are read together (pagecache.generations_and_entry)."""
    from shop.core import pagecache

    calls = []

    class Counting:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(page_cache, name)

    for url in pages:
        cached(client, url)
        client.cookies.clear()
        calls.clear()
        with monkeypatch.context() as patched:
            patched.setattr(pagecache, "_cache", Counting)
            assert client.get(url)["X-Page-Cache"] == "hit"
        assert calls == ["get_many"], url


def test_tracking_parameters_share_the_page_and_other_parameters_do_not(client, tshirt_page, cached, get):
    cached(client, "/shop/t-shirts/")
    assert get(client, "/shop/t-shirts/?utm_source=mail&gclid=1")["X-Page-Cache"] == "hit"
    assert get(client, "/shop/t-shirts/?sort=price_desc")["X-Page-Cache"] == "miss"


def test_public_pages_carry_no_csrf_token_and_no_placeholder(client, product, cached):
    page = cached(client, product.get_absolute_url()).content.decode()
    assert 'name="csrfmiddlewaretoken" value=""' in page
    assert "placeholder" not in page.split('name="csrfmiddlewaretoken"')[1][:40]


def test_a_logged_in_shopper_gets_the_cached_page_with_their_own_header_and_token(
    client, product, shopper, cached, get
):
    url = product.get_absolute_url()
    cached(client, url)
    client.force_login(shopper)
    response = get(client, url)
    page = response.content.decode()
    assert response["X-Page-Cache"] == "hit"
    assert "private" in response["Cache-Control"]
    assert "Log out" in page and "Log in" not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    assert len(token) == 64


def test_nothing_of_a_logged_in_shopper_reaches_anyone_else(client, product, shopper, get):
    """The shopper's visit is the miss that fills the cache: what others then get is anonymous."""
    shopper.first_name = "Zebedee"
    shopper.save()
    add_item(get_or_create_cart(shopper), product.variants.first(), 3)
    member = Client()
    member.force_login(shopper)
    url = product.get_absolute_url()
    mine = get(member, url)
    assert mine["X-Page-Cache"] == "miss"
    assert "Log out" in mine.content.decode()
    assert re.search(r"data-cart-count>3<", mine.content.decode())
    member_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', mine.content.decode())[1]

    theirs = Client().get(url)
    page = theirs.content.decode()
    assert theirs["X-Page-Cache"] == "hit"
    assert "Log out" not in page and "Log in" in page
    assert "Zebedee" not in page and shopper.email not in page
    assert re.search(r"data-cart-count>0<", page)
    assert member_token not in page and 'name="csrfmiddlewaretoken" value=""' in page


def test_a_guest_cart_count_is_filled_for_that_guest_only(client, product, get):
    url = product.get_absolute_url()
    variant = product.variants.first()
    response = client.post("/cart/add/", {"variant": variant.pk, "quantity": 2, "next": url})
    assert response.status_code == 302
    mine = get(client, url)  # carries the guest's session and the message
    assert re.search(r"data-cart-count>2<", mine.content.decode())
    assert "Added 2 x" in mine.content.decode()
    again = get(client, url)
    assert "Added 2 x" not in again.content.decode()  # a message shows once
    assert re.search(r"data-cart-count>2<", again.content.decode())
    other = Client().get(url)
    assert other["X-Page-Cache"] == "hit"
    assert re.search(r"data-cart-count>0<", other.content.decode())
    assert "Added 2 x" not in other.content.decode()


def test_messages_are_shown_to_their_visitor_and_never_stored(client, tshirt_page, rf, cached, get):
    cached(client, "/shop/t-shirts/")
    request = rf.get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Only for you")
    from django.http import HttpResponse

    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value
    mine = get(client, "/shop/t-shirts/")
    assert "Only for you" in mine.content.decode()
    assert "private" in mine["Cache-Control"]
    assert "Only for you" not in Client().get("/shop/t-shirts/").content.decode()


def test_editors_always_get_a_fresh_page_and_never_fill_the_cache(client, home, marketer, get):
    client.force_login(marketer)
    response = get(client, "/")
    assert "X-Page-Cache" not in response
    assert Client().get("/")["X-Page-Cache"] == "miss"


def test_an_editor_is_whoever_may_use_the_admin_asked_in_one_query_at_most(
    make_user, marketer, staff_user, shopper, superuser, rf, django_assert_max_num_queries
):
    """is_editor answers what has_perm("wagtailadmin.access_admin") answers: through a group, a
    permission of the user's own, as an active superuser (no query), never while inactive; and
    for a user the session brought (ShopModelBackend.get_user), with no query of its own."""
    granting = [path for path in settings.AUTHENTICATION_BACKENDS if "axes" not in path]
    assert granting == ["shop.accounts.backends.ShopModelBackend"], "is_editor mirrors ModelBackend only"
    backend = ShopModelBackend()
    granted = make_user("own@example.com")
    granted.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    other_permission = make_user("other@example.com")
    other_permission.user_permissions.add(Permission.objects.get(codename="view_product"))
    retired = make_user("retired@example.com", groups=(MARKETERS,), is_active=False)
    retired_admin = make_user("old-admin@example.com", is_superuser=True, is_active=False)
    expected = {
        marketer: True, staff_user: True, superuser: True, granted: True,
        shopper: False, other_permission: False, retired: False, retired_admin: False,
    }  # fmt: skip
    for user, may in expected.items():
        fresh = type(user).objects.get(pk=user.pk)
        assert fresh.has_perm("wagtailadmin.access_admin") is may, user.email
        request = rf.get("/")
        request.user = type(user).objects.get(pk=user.pk)
        with django_assert_max_num_queries(0 if user.is_superuser or not user.is_active else 1):
            assert is_editor(request) is may, user.email
        if user.is_active:
            request = rf.get("/")
            with django_assert_max_num_queries(1):
                request.user = backend.get_user(user.pk)
                assert is_editor(request) is may, user.email
        else:
            assert backend.get_user(user.pk) is None, user.email
    request.user = AnonymousUser()
    assert is_editor(request) is False


def test_the_user_bar_is_for_editors_and_a_shopper_pays_no_permission_query_for_it(
    client, home, marketer, shopper, django_assert_num_queries
):
    client.force_login(marketer)
    for url in ("/", "/cart/"):
        assert "<wagtail-userbar" in client.get(url).content.decode(), url
    shopper_client = Client()
    shopper_client.force_login(shopper)
    shopper_client.get("/cart/")
    with CaptureQueriesContext(connection) as queries:
        page = shopper_client.get("/cart/").content.decode()
    assert "<wagtail-userbar" not in page
    asked = [q["sql"] for q in queries.captured_queries if "auth_permission" in q["sql"]]
    assert len(asked) == 1, asked  # is_editor's one query, not the user bar's two more
    assert "<wagtail-userbar" not in Client().get("/").content.decode()


def test_a_staff_draft_is_never_cached_nor_shown(client, home, marketer, cached):
    """A preview runs the page URL through the middleware (Wagtail's dummy request): never a hit."""
    cached(client, "/", HTTP_HOST="localhost")  # the site's host, as the preview request has it
    home.title = "Secret draft title"
    revision = home.save_revision(user=marketer)  # a draft: not published
    preview = revision.as_object().make_preview_request()
    assert preview.status_code == 200
    assert "Secret draft title" in preview.content.decode()
    assert "X-Page-Cache" not in preview
    public = Client().get("/", HTTP_HOST="localhost")
    assert public["X-Page-Cache"] == "hit"
    assert "Secret draft title" not in public.content.decode()


def test_password_protected_pages_are_never_stored(client, home, shop_index, get):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=shop_index, restriction_type="password", password="letmein")
    form = client.get("/shop/")
    assert "password" in form.content.decode().lower()
    assert form.get("X-Page-Cache") != "hit"
    restriction = PageViewRestriction.objects.get()
    client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{shop_index.pk}/",
        {"password": "letmein", "return_url": "/shop/"},
    )
    inside = get(client, "/shop/")
    assert inside.get("X-Page-Cache") != "hit"
    outsider = Client().get("/shop/")
    assert outsider.get("X-Page-Cache") != "hit"
    assert outsider.content != inside.content


def test_members_only_pages_are_never_stored(client, home, shop_index, shopper, get):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=shop_index, restriction_type="login")
    client.force_login(shopper)
    inside = get(client, "/shop/")
    assert "Log out" in inside.content.decode()
    assert inside["X-Page-Cache"] == "pass"  # Wagtail marks restricted pages never-cache
    outsider = Client().get("/shop/")
    assert outsider.status_code == 302  # to the login page, not the member's page from the cache


def test_posts_and_other_methods_are_never_cached(client, product):
    assert client.head(product.get_absolute_url()).get("X-Page-Cache") is None
    assert client.get("/cart/").get("X-Page-Cache") is None


def test_a_cache_outage_serves_pages_uncached(client, settings, tshirt_page, get):
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        },
    }
    response = get(client, "/shop/t-shirts/")
    assert "X-Page-Cache" not in response


def test_visitor_endpoint_gives_a_token_and_the_count_and_is_never_cached(client, product):
    make_product("Other")
    response = client.get("/cart/visitor/")
    data = response.json()
    assert data["cart_count"] == 0 and data["authenticated"] is False
    assert len(data["csrf_token"]) == 64
    assert "no-store" in response["Cache-Control"]
    assert response.cookies["csrftoken"]


def test_the_kept_tree_reads_the_restrictions_with_the_pages(home, shop_index, shopper):
    """One query for the tree whatever its login and password restrictions (each restriction the
    one Wagtail reads, its page's path the restricted page's); a second for groups only."""
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction, Site

    from shop.core.pagetree import PageTree

    login = PageViewRestriction.objects.create(page=shop_index, restriction_type="login")
    password = PageViewRestriction.objects.create(page=home, restriction_type="password", password="letmein")
    site = Site.objects.select_related("root_page").get(is_default_site=True)
    with CaptureQueriesContext(connection) as queries:
        tree = PageTree.load(site)
    assert len(queries) == 1
    read = {(r.pk, r.restriction_type, r.password, r.page_id, r.page.path) for r in tree.restrictions}
    assert read == {
        (login.pk, "login", "", shop_index.pk, shop_index.path),
        (password.pk, "password", "letmein", home.pk, home.path),
    }
    staff = Group.objects.create(name="Insiders")
    by_groups = PageViewRestriction.objects.create(page=shop_index, restriction_type="groups")
    by_groups.groups.add(staff)
    with CaptureQueriesContext(connection) as queries:
        tree = PageTree.load(site)
        (kept,) = [r for r in tree.restrictions if r.pk == by_groups.pk]
        assert list(kept.groups.all()) == [staff]
    assert len(queries) == 2
