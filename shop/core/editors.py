"""Who may use Wagtail's admin, asked on every request of a signed-in visitor: editors get fresh
pages with the user bar, never the page cache."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest

from . import sql

_EDITOR = "_shop_is_editor"
_ADMIN_ACCESS = ("wagtailadmin", "access_admin")
ADMIN_ACCESS_LOADED_WITH_USER = "may_use_admin"  # read with the signed-in user (shop.core.session_user)


def is_editor(request: HttpRequest) -> bool:
    """What `user.has_perm("wagtailadmin.access_admin")` answers, in one query instead of
    ModelBackend's two (every permission of the user, then of their groups), kept for the
    request (the page cache and the user bar both ask; a login within it asks again). A user
    the session brought (shop.core.session_user) carries the answer: no query at all.

    ModelBackend's rules: an inactive user may not, an active superuser may without a query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    kept = vars(request).get(_EDITOR)
    if kept is None or kept[0] != user.pk:
        loaded = getattr(user, ADMIN_ACCESS_LOADED_WITH_USER, None)
        if loaded is None:
            loaded = sql.scalar(_admin_access_sql("%s"), [*_ADMIN_ACCESS, user.pk, user.pk])
        kept = vars(request)[_EDITOR] = (user.pk, bool(loaded))
    return kept[1]


def admin_access(user_id_column: str) -> tuple[str, tuple]:
    """The same question about the user whose id is in this column, read with every signed-in
    user (shop.core.session_user; registered in CoreConfig.ready)."""
    return _admin_access_sql(user_id_column), _ADMIN_ACCESS


@cache
def _admin_access_sql(user: str) -> str:
    """`user`: a placeholder (given twice) or the user's id column."""
    user_model = get_user_model()
    direct, membership = user_model.user_permissions.through, user_model.groups.through
    by_group, col, table = Group.permissions.through, sql.column, sql.table
    permission = col(Permission, "id")
    return (
        f"SELECT EXISTS (SELECT 1 FROM {table(Permission)}"  # noqa: S608 (names from the models)
        f" JOIN {table(ContentType)} ON {col(ContentType, 'id')} = {col(Permission, 'content_type')}"
        f" WHERE {col(ContentType, 'app_label')} = %s AND {col(Permission, 'codename')} = %s AND ("
        f"{permission} IN (SELECT {col(direct, 'permission')} FROM {table(direct)}"
        f" WHERE {col(direct, 'user')} = {user})"
        f" OR {permission} IN (SELECT {col(by_group, 'permission')} FROM {table(by_group)}"
        f" JOIN {table(membership)} ON {col(membership, 'group')} = {col(by_group, 'group')}"
        f" WHERE {col(membership, 'user')} = {user})))"
    )
