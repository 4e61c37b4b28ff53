"""The permission table of permissions.py, one test per cell, against the real views."""

from pathlib import Path

import pytest
from django.test import Client

from . import permissions
from .permissions import DENIED, LOGIN, NOT_FOUND, OK, ROLES, TABLE

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"


@pytest.fixture
def people(world, make_user, marketer, staff_user, superuser):
    return {
        "anonymous": None,
        "shopper": world.shopper,
        "other shopper": make_user("someone-else@example.com"),
        "marketer": marketer,
        "shop staff": staff_user,
        "superuser": superuser,
    }


def classify(response, logged_in: bool) -> str:
    if response.status_code == 404:
        return NOT_FOUND
    if response.status_code == 403:
        return DENIED
    if response.status_code in (301, 302):
        location = response["Location"]
        if "/login/" in location:
            return DENIED if logged_in else LOGIN  # Wagtail sends members without admin access to its login
        if location.rstrip("/").endswith("/admin") and "/admin/" not in response.request["PATH_INFO"][:7]:
            return OK  # an action outside the admin that lands on the dashboard
        messages = (
            [str(m) for m in response.wsgi_request._messages] if hasattr(response, "wsgi_request") else []
        )
        if location == "/admin/" and any("permission" in m.lower() for m in messages):
            return DENIED
        return OK
    return OK if response.status_code == 200 else f"HTTP {response.status_code}"


def fill(url: str, world) -> str:
    return url.format(
        order=world.foreign_order.number,
        key=world.foreign_order.access_key,
        payment=world.foreign_payment.pk,
        page=world.home.pk,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_permission_cells(people, world, role):
    """Every row of the table for one role; each cell is checked and every wrong one named."""
    client = Client()
    if people[role] is not None:
        client.force_login(people[role])
    wrong = []
    for area, method, url, expected in TABLE:
        target = fill(url, world)
        if method == "POST":
            response = client.post(target, {"next": "/admin/shop/orders/"})
        else:
            response = client.get(target)
        actual = classify(response, people[role] is not None)
        if actual != expected[role]:
            wrong.append(f"{area}: {method} {target} as {role} is {actual}, expected {expected[role]}")
    assert wrong == []


def test_docs_show_the_tested_table():
    assert permissions.markdown_table() in DOCS.read_text()


@pytest.mark.django_db
def test_own_cart_address_and_orders_are_shown_to_their_owner_only(people, world):
    """Cells the status alone cannot show: the same URL, each member's own rows."""
    owner, other = Client(), Client()
    owner.force_login(people["shopper"])
    other.force_login(people["other shopper"])
    for url, secret in (
        ("/cart/", world.product.name),
        ("/accounts/", "1 Main St"),
        ("/accounts/orders/", world.foreign_order.number),
    ):
        assert secret in owner.get(url).content.decode(), url
        assert secret not in other.get(url).content.decode(), url
