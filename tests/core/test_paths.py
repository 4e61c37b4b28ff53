"""{% path %}: what {% url %} renders for a URL without arguments, under any script prefix."""

from django.template import Context, Template
from django.urls import clear_script_prefix, reverse, set_script_prefix

TEMPLATE = Template('{% load paths %}{% path "cart:update" %} {% path "accounts:login" %}')


def test_a_path_is_what_reverse_answers():
    assert TEMPLATE.render(Context()) == f"{reverse('cart:update')} {reverse('accounts:login')}"


def test_a_path_follows_the_script_prefix():
    set_script_prefix("/mounted/")
    try:
        assert TEMPLATE.render(Context()) == "/mounted/cart/update/ /mounted/accounts/login/"
    finally:
        clear_script_prefix()
    assert TEMPLATE.render(Context()) == "/cart/update/ /accounts/login/"
