"""The signed-in user read with the session, in the session's own query (shop/core/sessions.py).

What every request of a member asks next (may they use Wagtail's admin, how many items are in
their cart) comes along as columns of that query: an app adds one with `load_with_user` in its
AppConfig.ready, and the user carries the answer as an attribute. Core never imports the apps
that add them.
"""

from collections.abc import Callable
from contextvars import ContextVar
from functools import partial

from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.sessions.backends.base import SessionBase
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

# name -> a function of the user's id column giving (SQL of one value, its parameters)
_LOADED_WITH_USER: dict[str, Callable[[str], tuple[str, tuple]]] = {}
_session_of_request: ContextVar[SessionBase | None] = ContextVar("session_of_request", default=None)


def load_with_user(name: str, sql_of: Callable[[str], tuple[str, tuple]]) -> None:
    """Read `sql_of(<the user's id column>)` with every signed-in user, as attribute `name`."""
    _LOADED_WITH_USER[name] = sql_of


def columns(user_id_column: str) -> list[tuple[str, str, tuple]]:
    """(name, SQL, parameters) of each value read with the user."""
    return [(name, *sql_of(user_id_column)) for name, sql_of in _LOADED_WITH_USER.items()]


def annotations(user_id_column: str) -> dict[str, RawSQL]:
    """The same values as annotations of a user query (a session that brought no user)."""
    return {name: RawSQL(f"({text})", params) for name, text, params in columns(user_id_column)}  # noqa: S611


def loaded_with_session(user_id: object):
    """The user the current request's session read with itself, if it is this one."""
    user = getattr(_session_of_request.get(), "loaded_user", None)
    return user if user is not None and user.pk == user_id else None


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, whose lazy `request.user` lets the authentication backend
    (shop.accounts.backends) take the user the session read (loaded_with_session)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(partial(_user, request))  # type: ignore[assignment]  # as Django's


def _user(request: HttpRequest):
    """django.contrib.auth.middleware.get_user, with this request's session made known to the
    backend for the call alone."""
    if not hasattr(request, "_cached_user"):
        token = _session_of_request.set(request.session)
        try:
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
        finally:
            _session_of_request.reset(token)
    return request._cached_user  # type: ignore[attr-defined]
