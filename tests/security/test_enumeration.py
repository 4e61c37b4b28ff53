"""Nobody learns whether an address has an account: sign-up, login and password reset answer a
member's address and an unknown one alike (status, redirect, page), do the same work (one
password hash, one email), and only the address's owner reads the difference in the email."""

import re

import pytest
from django.contrib.auth import get_user_model, hashers
from django.core.cache import cache
from django.test import Client

User = get_user_model()
pytestmark = pytest.mark.django_db
MEMBER, STRANGER = "member@example.com", "stranger@example.com"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"CSRF_TOKEN": "[^"]+"')


@pytest.fixture
def member(make_user):
    return make_user(MEMBER, first_name="Mem")


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def answer(client: Client, url: str, data: dict) -> tuple:
    """What an outsider sees of a POST: status, redirect and the page it leads to (the address
    they typed, echoed back in the form, and the CSRF token aside)."""
    response = client.post(url, data, follow=True)
    typed = data.get("email") or data.get("username")
    return (
        [(hop, status) for hop, status in response.redirect_chain],
        response.status_code,
        CSRF.sub("", response.content.decode()).replace(typed, "ADDRESS"),
    )


@pytest.fixture
def hashes(monkeypatch):
    """Counts the password hashes computed (Django's make_password, as the sign-up calls it)."""
    calls = []
    real = hashers.make_password

    def counting(password, *args, **kwargs):
        calls.append(password)
        return real(password, *args, **kwargs)

    monkeypatch.setattr("shop.accounts.signup.make_password", counting)
    return calls


def test_sign_up_answers_a_member_and_a_stranger_alike(client, member, password, mailoutbox, hashes):
    def sign_up(email: str):
        data = {"email": email, "first_name": "Eve", "last_name": "", "password1": "Brand-new-pass-99",
                "password2": "Brand-new-pass-99"}  # fmt: skip
        return answer(Client(), "/accounts/signup/", data)

    assert sign_up(MEMBER) == sign_up(STRANGER)
    assert len(hashes) == 2  # the taken address's sign-up hashed its password too
    to_member, to_stranger = mailoutbox
    assert to_member.to == [MEMBER] and to_stranger.to == [STRANGER]
    assert "You already have an account" in to_member.body
    assert "http://testserver/accounts/password-reset/" in to_member.body
    assert "/accounts/signup/confirm/" not in to_member.body
    assert "/accounts/signup/confirm/" in to_stranger.body
    # Nothing about the member changed: no second account, the old password still works.
    assert User.objects.filter(email__iexact=MEMBER).count() == 1
    assert Client().login(username=MEMBER, password=password)


@pytest.mark.parametrize(
    "url, message",
    [
        ("/accounts/login/", "Please enter a correct email"),
        ("/admin/login/", "and password didn&#x27;t match"),
    ],
)
def test_login_answers_a_wrong_password_and_an_unknown_address_alike(url, message, member):
    """The whole page; lockouts look alike too (test_abuse.py, ..._accounts_that_do_not_exist)."""
    wrong = answer(Client(), url, {"username": MEMBER, "password": "wrong-password"})
    unknown = answer(Client(), url, {"username": STRANGER, "password": "wrong-password"})
    assert wrong == unknown
    assert wrong[1] == 200 and message in wrong[2]


def test_password_reset_answers_a_member_and_a_stranger_alike_and_the_member_resets(member, mailoutbox):
    member_answer = answer(Client(), "/accounts/password-reset/", {"email": MEMBER})
    stranger_answer = answer(Client(), "/accounts/password-reset/", {"email": STRANGER})
    assert member_answer == stranger_answer
    assert member_answer[0] == [("/accounts/password-reset/sent/", 302)]
    to_member, to_stranger = mailoutbox  # one email each: the same work either way
    assert to_stranger.to == [STRANGER] and "this address has no account" in to_stranger.body
    assert to_member.to == [MEMBER] and to_member.subject == "Reset your Threadline password"
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/\S+/)", to_member.body).group(1)
    client = Client()
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Fresh-pass-4321", "new_password2": "Fresh-pass-4321"}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/done/"
    assert Client().login(username=MEMBER, password="Fresh-pass-4321")
    assert "no longer valid" in Client().get(link, follow=True).content.decode()  # used once


def test_the_admin_password_reset_answers_a_member_and_a_stranger_alike(member):
    def ask(email):
        response = Client().post("/admin/password_reset/", {"email": email})
        return response.status_code, response.get("Location")

    assert ask(MEMBER) == ask(STRANGER) == (302, "/admin/password_reset/done/")


def test_password_reset_is_rate_limited_per_client(settings):
    settings.SHOP_RATE_LIMITS = {**settings.SHOP_RATE_LIMITS, "password_reset": "2/d"}
    flooder = Client(REMOTE_ADDR="10.9.1.1")
    statuses = [flooder.post("/accounts/password-reset/", {"email": STRANGER}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
