"""Account rules: sign-up and the member's saved address."""

from django.db import transaction

from .models import Address, User


@transaction.atomic
def register_user(*, email: str, password: str, first_name: str = "", last_name: str = "") -> User:
    """Raises IntegrityError when the email is taken (also by a sign-up racing this one)."""
    return User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name
    )


def default_address(user: User) -> Address | None:
    if not user.is_authenticated:
        return None
    return user.addresses.first()  # Address.Meta.ordering puts the default first


@transaction.atomic
def save_default_address(user: User, **fields: str) -> Address:
    """Store the address as the member's default, replacing the previous default's content."""
    address = user.addresses.select_for_update().filter(is_default=True).first()
    if address is None:
        address = Address(user=user, is_default=True)
    for name, value in fields.items():
        setattr(address, name, value)
    address.save()
    return address
