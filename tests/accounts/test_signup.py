"""Sign-up by emailed link: the account exists only once the link's owner confirms it."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from shop.accounts import signup as signups
from shop.accounts.models import SignupRequest

User = get_user_model()
pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://testserver(/accounts/signup/confirm/[^/\s]+/)")
FORM = {
    "email": "New@Example.com",
    "first_name": "New",
    "last_name": "Member",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}


@pytest.fixture(autouse=True)
def fresh_mail_allowance():
    cache.clear()
    yield
    cache.clear()


def sign_up(client, mailoutbox, **overrides) -> str:
    """Post the form; the path of the link in the email it sent."""
    response = client.post("/accounts/signup/", {**FORM, **overrides})
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/sent/"
    return LINK.search(mailoutbox[-1].body).group(1)


def test_signup_mails_a_link_and_creates_the_account_only_when_it_is_confirmed(client, mailoutbox):
    link = sign_up(client, mailoutbox, next="/cart/")
    assert mailoutbox[0].to == ["new@example.com"]
    assert mailoutbox[0].subject == "Confirm your Threadline account"
    assert not User.objects.exists()
    assert "Check your email" in client.get("/accounts/signup/sent/").content.decode()
    # Opening the link (a mail scanner does) changes nothing; the button does.
    page = client.get(link)
    assert page.status_code == 200 and "new@example.com" in page.content.decode()
    assert not User.objects.exists()
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == "/cart/"
    user = User.objects.get(email="new@example.com")
    assert (user.first_name, user.last_name, user.is_active) == ("New", "Member", True)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.check_password(FORM["password1"])
    assert not SignupRequest.objects.exists()


def test_a_link_works_once_and_not_after_two_days(client, mailoutbox):
    link = sign_up(client, mailoutbox)
    client.post(link)
    client.logout()
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 404
        assert "This link is no longer valid" in response.content.decode()
    assert User.objects.count() == 1
    stale = sign_up(client, mailoutbox, email="late@example.com")
    SignupRequest.objects.update(created_at=timezone.now() - signups.SIGNUP_LINK_VALID_FOR - timedelta(1))
    assert client.post(stale).status_code == 404
    assert not User.objects.filter(email="late@example.com").exists()
    assert client.get("/accounts/signup/confirm/unknown-token/").status_code == 404


def test_two_sign_ups_of_one_address_make_one_account_with_the_confirmed_password(client, mailoutbox):
    first = sign_up(client, mailoutbox, password1="first-long-passphrase", password2="first-long-passphrase")
    second = sign_up(client, mailoutbox)
    client.post(second)
    assert User.objects.get().check_password(FORM["password1"])
    assert client.post(first).status_code == 404  # the address has its account
    assert User.objects.count() == 1


def test_an_unconfirmed_sign_up_cannot_log_in_and_without_next_lands_on_the_profile(client, mailoutbox):
    link = sign_up(client, mailoutbox)
    response = client.post("/accounts/login/", {"username": FORM["email"], "password": FORM["password1"]})
    assert response.status_code == 200 and "Please enter a correct email" in response.content.decode()
    response = client.post(link)
    assert response["Location"] == "/accounts/"


def test_an_address_gets_at_most_three_sign_up_mails_an_hour(client, mailoutbox):
    for _ in range(5):
        assert client.post("/accounts/signup/", FORM).status_code == 302
    assert len(mailoutbox) == 3
