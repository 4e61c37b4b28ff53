"""The development logins of the demo shop. Never called in production (see seed_demo)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .roles import MARKETERS, SHOP_STAFF, sync_roles

# email, password, group (None: none), superuser, first name
DEMO_USERS = [
    ("admin@example.com", "admin", None, True, "Ada"),
    ("marketer@example.com", "marketer", MARKETERS, False, "Mia"),
    ("staff@example.com", "staff", SHOP_STAFF, False, "Stan"),
    ("shopper@example.com", "shopper", None, False, "Sam"),
]


@transaction.atomic
def seed_users() -> list:
    """Create the four demo logins when missing; an existing user is left as it is (password included)."""
    sync_roles()
    User = get_user_model()
    users = []
    for email, password, group_name, superuser, first_name in DEMO_USERS:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            create = User.objects.create_superuser if superuser else User.objects.create_user
            user = create(email=email, password=password, first_name=first_name, last_name="Demo")
        if group_name:
            user.groups.add(Group.objects.get(name=group_name))
        users.append(user)
    return users
