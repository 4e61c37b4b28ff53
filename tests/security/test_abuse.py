"""Brute force and floods: login lockouts (django-axes) on the shop's and the admin's login,
unlock by staff, no account enumeration through login, and 429s on cart, checkout, sign-up
and the test payment page, keyed on the client's address."""

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client

WRONG = "not-the-password"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def fail_logins(client, url, username, times) -> list[int]:
    """The statuses: the form again (200) with its one generic message, until the lockout (429)."""
    return [client.post(url, {"username": username, "password": WRONG}).status_code for _ in range(times)]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_an_account_locks_after_repeated_failures_even_with_the_right_password(
    axes_on, url, shopper, superuser, password
):
    user = superuser if url.startswith("/admin") else shopper
    assert fail_logins(Client(REMOTE_ADDR="10.0.0.1"), url, user.email, 3) == [200, 200, 429]
    # Another address, the right password: the account itself is locked.
    response = Client(REMOTE_ADDR="10.0.0.2").post(url, {"username": user.email, "password": password})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


@pytest.mark.django_db
def test_an_address_locks_after_failures_across_accounts(axes_on, shopper, password):
    attacker = Client(REMOTE_ADDR="10.0.0.3")
    for n in range(3):
        attacker.post("/accounts/login/", {"username": f"guess{n}@example.com", "password": WRONG})
    response = attacker.post("/accounts/login/", {"username": shopper.email, "password": password})
    assert response.status_code == 429
    # The shopper, from their own address, is not locked out by someone else's guessing.
    assert (
        Client(REMOTE_ADDR="10.0.0.4")
        .post("/accounts/login/", {"username": shopper.email, "password": password})
        .status_code
        == 302
    )


@pytest.mark.django_db
def test_login_and_lockout_say_the_same_for_accounts_that_do_not_exist(axes_on, shopper):
    known, unknown = Client(REMOTE_ADDR="10.0.1.1"), Client(REMOTE_ADDR="10.0.1.2")
    answers = []
    for client, email in ((known, shopper.email), (unknown, "nobody@example.com")):
        response = client.post("/accounts/login/", {"username": email, "password": WRONG})
        answers.append((response.status_code, "correct email" in response.content.decode()))
        fail_logins(client, "/accounts/login/", email, 2)
        locked = client.post("/accounts/login/", {"username": email, "password": WRONG})
        answers.append((locked.status_code, locked.content.decode()))
    assert answers[0] == answers[2] == (200, True)
    assert answers[1] == answers[3]
    assert answers[1][0] == 429


@pytest.mark.django_db
def test_staff_unlock_an_account_in_the_admin(axes_on, shopper, staff_user, password):
    fail_logins(Client(REMOTE_ADDR="10.0.2.1"), "/accounts/login/", shopper.email, 3)
    attempt = AccessAttempt.objects.get(username=shopper.email)
    admin = Client()
    admin.force_login(staff_user)
    listing = admin.get("/admin/login-lockouts/")
    assert listing.status_code == 200
    assert shopper.email in listing.content.decode()
    assert admin.post(f"/admin/login-lockouts/unlock/{attempt.pk}/").status_code == 302
    response = Client(REMOTE_ADDR="10.0.2.2").post(
        "/accounts/login/", {"username": shopper.email, "password": password}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_shoppers_and_marketers_cannot_unlock(axes_on, shopper, marketer):
    for user in (shopper, marketer):
        client = Client()
        client.force_login(user)
        assert client.get("/admin/login-lockouts/").status_code == 302  # away, with "no permission"


@pytest.fixture
def tight_limits(settings):
    """The real decorators and cache, with 3 requests a day so the test never crosses a window."""
    settings.SHOP_RATE_LIMITS = dict.fromkeys(settings.SHOP_RATE_LIMITS, "3/d")
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("post", "/cart/add/", {"variant": "0", "quantity": "1"}),
        ("post", "/cart/update/", {"item": "0", "quantity": "1"}),
        ("post", "/cart/remove/", {"item": "0"}),
        ("post", "/checkout/", {}),
        ("post", "/accounts/signup/", {"email": "x"}),
        ("get", "/payments/test/PAYMENT/", {}),
    ],
)
def test_floods_get_429_with_a_message(tight_limits, world, method, url, data):
    url = url.replace("PAYMENT", str(world.payment.token))
    flooder = Client(REMOTE_ADDR="10.0.3.1")
    for _ in range(3):
        assert getattr(flooder, method)(url, data).status_code != 429
    response = getattr(flooder, method)(url, data)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "too many requests" in response.content.decode()
    # Someone else, at another address, is served.
    assert getattr(Client(REMOTE_ADDR="10.0.3.2"), method)(url, data).status_code != 429


@pytest.mark.django_db
def test_the_client_address_comes_from_trusted_proxies_only(tight_limits, settings, world):
    def flood(client, **headers):
        return [client.post("/cart/remove/", {"item": "0"}, **headers).status_code for _ in range(4)]

    # Untrusted: a forged X-Forwarded-For does not buy a fresh counter.
    forged = Client(REMOTE_ADDR="10.0.4.1")
    statuses = [
        forged.post("/cart/remove/", {"item": "0"}, HTTP_X_FORWARDED_FOR=f"1.2.3.{n}").status_code
        for n in range(4)
    ]
    assert statuses[-1] == 429
    # Behind one trusted proxy: each shopper's address (the proxy's last entry) counts alone.
    settings.SHOP_TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.4.2")
    assert flood(proxy, HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.7")[-1] == 429
    assert flood(proxy, HTTP_X_FORWARDED_FOR="198.51.100.8")[0] != 429
