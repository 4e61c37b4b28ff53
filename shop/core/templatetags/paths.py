"""{% path "cart:update" %}: `{% url %}` for a URL without arguments, reversed once per process.

The header's links and the cart's forms ask for the same few paths on every personal page, and
Django's reverse() costs tens of microseconds each time (thread-local lookups of the URLconf,
script prefix and language, then the resolver). The path is kept per URLconf, script prefix and
language, so it is exactly what reverse() would answer."""

from functools import cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def path(name: str) -> str:
    return _reversed(name, get_urlconf(), get_script_prefix(), get_language())


@cache
def _reversed(name: str, urlconf: str | None, script_prefix: str, language: str | None) -> str:
    return reverse(name, urlconf=urlconf)
