import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from wagtail.models import GroupPagePermission

from shop.accounts.roles import MARKETERS, SHOP_STAFF

User = get_user_model()
pytestmark = pytest.mark.django_db


def test_email_is_the_login_name_and_case_insensitive_unique():
    user = User.objects.create_user(email="Ada@Example.COM", password="x")
    assert user.email == "ada@example.com"
    assert User.USERNAME_FIELD == "email"
    with pytest.raises(IntegrityError):
        User.objects.create(email="ADA@example.com")


def test_superuser_is_staff():
    admin = User.objects.create_superuser(email="root@example.com", password="x")
    assert admin.is_staff and admin.is_superuser


def test_groups_exist_with_wagtail_permissions_and_no_superuser_powers(marketer, staff_user):
    assert marketer.has_perm("wagtailadmin.access_admin")
    assert staff_user.has_perm("wagtailadmin.access_admin")
    assert not marketer.is_superuser and not staff_user.is_superuser
    page_perms = set(
        GroupPagePermission.objects.filter(group__name=MARKETERS).values_list(
            "permission__codename", flat=True
        )
    )
    assert {"add_page", "change_page", "publish_page"} <= page_perms
    assert not GroupPagePermission.objects.filter(group__name=SHOP_STAFF).exists()


def test_wagtail_admin_login_works_with_email(client, staff_user, password):
    response = client.post("/admin/login/", {"username": "staff@example.com", "password": password})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wagtail_admin_refuses_a_shopper(client, shopper, password):
    client.post("/admin/login/", {"username": shopper.email, "password": password})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_signup_with_bad_input_explains_and_creates_nothing(client, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {"email": "not-an-address", "password1": "abc", "password2": "abd"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address" in body
    assert "The two passwords differ" in body
    assert User.objects.count() == 0
    assert mailoutbox == []


def test_login_page_logs_in_with_email(client, shopper, password):
    response = client.post("/accounts/login/", {"username": shopper.email, "password": password})
    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 200


def test_login_with_wrong_password_shows_a_message(client, shopper):
    response = client.post("/accounts/login/", {"username": shopper.email, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct email" in response.content.decode()


def test_profile_saves_a_default_address(client, shopper):
    client.force_login(shopper)
    data = {"full_name": "Sam Shopper", "line1": "Main St 1", "city": "Berlin", "postal_code": "10115"}
    response = client.post("/accounts/", {**data, "country": "DE"})
    assert response.status_code == 302
    address = shopper.addresses.get()
    assert address.is_default and address.country == "DE"
    response = client.post("/accounts/", {**data, "country": "XX"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert shopper.addresses.get().country == "DE"


def test_profile_needs_login(client):
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
