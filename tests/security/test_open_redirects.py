"""No `next` ever sends anyone off this site: every endpoint that follows a `next` (the shop's
login, logout, sign-up and cart forms, the admin's login, refund form and bulk actions) is
fed URLs of other sites, written every way a browser would still follow, and bare words that
`redirect()` would take for view names. Each answer is a 400 (HostileInputMiddleware), or a
redirect that stays on this site; never a 5xx."""

from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from .conftest import count_request

HOST = "testserver"
EVIL_HOST = st.from_regex(r"[a-z]{1,8}\.(com|example|testserver\.evil)", fullmatch=True)
PREFIXES = [
    "https://",
    "http://",
    "//",
    "///",
    "/\\",
    "\\\\",
    "\\/",
    "http:\\\\",
    "https:/",
    "http:",
    " //",
    "\t//",
    "//\t",
    "%2F%2F",
    "/%2F",
    "http://testserver@",
    "https://testserver.",
    "javascript://",
]
off_site = st.one_of(
    st.builds(
        lambda prefix, host, path: prefix + host + path,
        st.sampled_from(PREFIXES),
        EVIL_HOST,
        st.sampled_from(["", "/", "/cart/", "?x=/", "#/", "\\@testserver/"]),
    ),
    st.sampled_from(
        [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "0",
            "home",
            "accounts:login",
            "evil.example",
            "https:evil.example",
            "\x01//evil.example",
        ]
    ),
)


def lands_on_this_site(response) -> bool:
    """Where a browser would go, read as a browser reads it (backslashes are slashes, leading
    control characters and spaces are dropped)."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return True
    location = response["Location"].replace("\\", "/").lstrip("".join(map(chr, range(33))))
    target = urlsplit(urljoin(f"http://{HOST}/some/page/", location))
    return target.scheme in ("http", "https") and target.hostname == HOST


def check(response, where: str) -> None:
    count_request()
    assert response.status_code < 500, where
    assert lands_on_this_site(response), (where, response["Location"])


@pytest.mark.django_db
@given(next_url=off_site)
def test_the_shops_forms_never_redirect_off_site(world, password, next_url):
    member = Client()
    login = {"username": world.shopper.email, "password": password, "next": next_url}
    check(member.post("/accounts/login/", login), "shop login")
    member.force_login(world.shopper)
    check(member.get("/accounts/login/", {"next": next_url}), "shop login, logged in already")
    check(member.post("/cart/add/", {"variant": world.variant.pk, "quantity": "1", "next": next_url}), "cart")
    check(member.post("/cart/remove/", {"item": "0", "next": next_url}), "cart remove")
    check(member.post("/accounts/logout/", {"next": next_url}), "logout")
    check(Client().get("/accounts/signup/", {"next": next_url}), "sign-up form")
    check(Client().post("/accounts/signup/", {"email": "n@example.com", "next": next_url}), "sign-up")


@pytest.mark.django_db
@given(next_url=off_site)
def test_the_admin_never_redirects_off_site(world, superuser, password, next_url):
    """Wagtail's login and bulk actions (its own `redirect(next_url)` included) and our refund form."""
    login = {"username": superuser.email, "password": password, "next": next_url}
    check(Client().post("/admin/login/", login), "admin login")
    admin = Client()
    admin.force_login(superuser)
    bulk = "/admin/bulk/catalog/product/restore/?" + urlencode({"id": world.product.pk, "next": next_url})
    check(admin.post(bulk), "Wagtail bulk action")
    refund = {"refund-amount": "1.00", "refund-reason": "x", "next": next_url}
    check(admin.post(f"/admin/payments/{world.payment.pk}/refund/", refund), "refund form")


@pytest.mark.django_db
def test_a_next_on_this_site_is_still_followed(world, password):
    for next_url in ("/cart/", f"http://{HOST}/cart/"):
        response = Client().post(
            "/accounts/login/", {"username": world.shopper.email, "password": password, "next": next_url}
        )
        assert response.status_code == 302 and response["Location"] == next_url
