"""Forms on cached pages: a first-time visitor's page carries no token; adding to the cart still works."""

import re

import pytest
from django.test import Client

from shop.cart.models import CartItem

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


def test_without_javascript_adding_to_the_cart_is_confirmed_once(product):
    browser = Client(enforce_csrf_checks=True)
    url = product.get_absolute_url()
    page = browser.get(url)
    assert page["X-Page-Cache"] == "miss" and "public" in page["Cache-Control"]
    assert TOKEN.search(page.content.decode())[1] == ""
    form = {"csrfmiddlewaretoken": "", "product": product.pk, "size": "M", "quantity": "2", "next": url}
    confirm = browser.post("/cart/add/", form)
    assert confirm.status_code == 403
    body = confirm.content.decode()
    assert ">Add to cart</button>" in body and 'name="size" value="M"' in body
    assert not CartItem.objects.exists()
    token = TOKEN.search(body)[1]
    assert len(token) == 64
    added = browser.post("/cart/add/", {**form, "csrfmiddlewaretoken": token})
    assert (added.status_code, added["Location"]) == (302, url)
    assert CartItem.objects.get().quantity == 2


def test_other_forms_without_a_token_are_refused_as_usual(product):
    browser = Client(enforce_csrf_checks=True)
    refused = browser.post("/cart/update/", {"item": "1", "quantity": "3"})
    assert refused.status_code == 403
    assert "Add to cart" not in refused.content.decode()


def test_a_forged_token_is_not_offered_a_confirmation(product):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/cart/visitor/")  # has the cookie
    forged = browser.post("/cart/add/", {"csrfmiddlewaretoken": "x" * 64, "product": product.pk})
    assert forged.status_code == 403
    assert "Add to cart" not in forged.content.decode()
