"""Sign-up by emailed link, answering the same whether or not the address has an account.

`request_signup` does the same work for both: hashes the password, stores or skips a
SignupRequest, and sends one email to the address: a confirmation link for a new address,
"someone tried to sign up with your address; here is how to log in or reset your password"
for a taken one. The account is created by `confirm_signup`, when the link is followed; so
nobody learns from the form whether an address is a member, and nobody can claim an address
they do not read."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import emails
from .models import SignupRequest, User

SIGNUP_LINK_VALID_FOR = timedelta(days=2)


class SignupLinkInvalid(Exception):
    """The link is unknown, expired, or its address got an account meanwhile."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_signup(*, email: str, password: str, first_name: str, last_name: str, next_url: str) -> None:
    """Store the sign-up and mail its link, or tell the address's owner; returns nothing either way."""
    email = User.objects.normalize_email(email).lower()
    password_hash = make_password(password)  # also for a taken address: the same work either way
    SignupRequest.objects.filter(created_at__lt=timezone.now() - SIGNUP_LINK_VALID_FOR).delete()
    taken = User.objects.filter(email__iexact=email).exists()
    token = secrets.token_urlsafe(32)
    if not taken:
        SignupRequest.objects.create(
            email=email, first_name=first_name, last_name=last_name, password=password_hash,
            token_hash=_token_hash(token), next_url=next_url,
        )  # fmt: skip
    if not emails.may_mail(email, "signup"):
        return
    if taken:
        emails.send_signup_attempt_notice(email)
    else:
        emails.send_signup_link(email, first_name=first_name, token=token)


def pending_signup(token: str) -> SignupRequest:
    found = SignupRequest.objects.filter(
        token_hash=_token_hash(token), created_at__gte=timezone.now() - SIGNUP_LINK_VALID_FOR
    ).first()
    if found is None or User.objects.filter(email__iexact=found.email).exists():
        raise SignupLinkInvalid
    return found


@transaction.atomic
def confirm_signup(token: str) -> tuple[User, str]:
    """Create the account the link stands for: (the new user, the `next` URL it was started from).

    Every pending sign-up of the address goes with it, so no second link creates anything."""
    pending = pending_signup(token)
    try:
        with transaction.atomic():
            user = User.objects.create(
                email=pending.email, first_name=pending.first_name, last_name=pending.last_name,
                password=pending.password,
            )  # fmt: skip
    except IntegrityError as exc:  # another link of the same address won a moment ago
        raise SignupLinkInvalid from exc
    SignupRequest.objects.filter(email__iexact=pending.email).delete()
    return user, pending.next_url
