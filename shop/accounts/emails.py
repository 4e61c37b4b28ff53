"""Account emails (sign-up link, sign-up attempt on a taken address, password-reset notice for
an unknown address), rendered from templates/accounts/email/ and sent through Django's backend.
Links start with WAGTAILADMIN_BASE_URL, the site's public address, as the order emails' do:
never with the Host a request claimed."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

MAILS_PER_ADDRESS_PER_HOUR = 3  # a stranger cannot flood someone's inbox through a form


def may_mail(email: str, purpose: str) -> bool:
    """Count one more `purpose` email to this address; False once the hour's allowance is used."""
    key = f"account-mail:{purpose}:" + hashlib.sha256(email.lower().encode()).hexdigest()
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) <= MAILS_PER_ADDRESS_PER_HOUR
    except ValueError:  # the cache lost the key (restarted or evicted): count afresh
        cache.set(key, 1, timeout=3600)
        return True


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _send(email: str, template: str, subject: str, **context) -> None:
    context |= {
        "shop_name": settings.WAGTAIL_SITE_NAME,
        "login_url": _absolute(reverse("accounts:login")),
        "reset_url": _absolute(reverse("accounts:password_reset")),
        "signup_url": _absolute(reverse("accounts:signup")),
    }
    send_mail(subject, render_to_string(f"accounts/email/{template}.txt", context), None, [email])


def send_signup_link(email: str, *, first_name: str, token: str) -> None:
    link = _absolute(reverse("accounts:signup_confirm", args=[token]))
    _send(email, "signup_link", f"Confirm your {settings.WAGTAIL_SITE_NAME} account", first_name=first_name,
          link=link)  # fmt: skip


def send_signup_attempt_notice(email: str) -> None:
    _send(
        email, "signup_attempt", f"Someone tried to sign up at {settings.WAGTAIL_SITE_NAME} with your address"
    )


def send_unknown_address_reset_notice(email: str) -> None:
    _send(email, "reset_unknown_address", f"Password reset at {settings.WAGTAIL_SITE_NAME}")
