"""Sessions in PostgreSQL (Django's database engine) with two writes fewer (docs/performance.md).

- A new key is not looked up first: its INSERT (save with must_create) is the uniqueness
  check, and Django's create() draws another key on the CreateError of a clash. Django's
  engine runs a SELECT for every new session to find what the INSERT finds anyway.
- A new session that other rows are written under first (a new guest's cart) is given its key
  by draw_key(session) and then written once, by save(must_create=True): one INSERT with its data,
  where Django's create() and then save() are an INSERT and an UPDATE.
- Rows are written with fixed SQL too (sql.insert, sql.update): an INSERT that skips a taken
  key instead of the ORM's INSERT inside a savepoint, and no INSERT compiler per request.
- A second save() within a request of data already saved is skipped: a view that saves the
  session inside its own transaction (a new guest's cart, shop/cart/views.add) leaves the
  SessionMiddleware's save at the end of the request with nothing to write, so it writes
  nothing. What counts as "the same" is the serialized data and the key, so a change made
  to a nested value in place is still written when `modified` says so.
- A session is read with one fixed SELECT of its data, not through the ORM: every request that
  carries a session reads it, and the ORM's building and compiling of that query cost four
  times the round trip itself (docs/performance.md). Same rows, same rules: the key, unexpired.
- Its rows (shop.core.models.Session) hold the signed-in user's id beside the data, so that
  SELECT brings the user too, with what shop.core.session_user adds: a member's request reads
  the session and the user in one query, where Django's engine and backend read them in two.

Set as SESSION_ENGINE = "shop.core.sessions". Why not cached_db: see docs/performance.md.
"""

from functools import cache
from typing import cast

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, SessionBase, UpdateError
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.crypto import get_random_string

from . import session_user, sql
from .models import Session


class SessionStore(db.SessionStore):
    _saved: tuple[str, bytes] | None = None  # (key, serialized data) as last written
    loaded_user = None  # the user the session's row names, read with it (session_user)

    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data: dict) -> Session:
        row = cast(Session, super().create_model_instance(data))  # an instance of get_model_class()
        row.user_id = _user_id(data.get(SESSION_KEY))
        return row

    def _get_new_session_key(self) -> str:  # Django's hook for key generation (base.py)
        return get_random_string(32, VALID_KEY_CHARS)

    async def _aget_new_session_key(self) -> str:
        return self._get_new_session_key()

    def load(self) -> dict:
        data = self._read_data()
        if data is None:
            self._session_key = None  # unknown or expired: a new key when it is saved
            return {}
        return self.decode(data)

    def _read_data(self) -> str | None:
        self.loaded_user = None
        if not self.session_key:
            return None
        query, params, names = _read_sql(self.model)
        found = sql.rows(query, [*params, self.session_key, timezone.now()])
        if not found:
            return None
        self.loaded_user = _user_of(found[0][1:], names)
        return found[0][0]

    def _written_state(self) -> tuple[str, bytes] | None:
        if self.session_key is None:
            return None
        return (self.session_key, self.serializer().dumps(dict(self.items())))

    def save(self, must_create: bool = False) -> None:
        state = None if must_create else self._written_state()
        if state is not None and state == self._saved:
            return
        self._write(must_create)
        self._saved = state or self._written_state()  # serialized again only for a new key

    def _write(self, must_create: bool) -> None:
        """Django's db engine's save() in fixed SQL: a new row or CreateError, else the row
        updated or UpdateError. The INSERT skips a taken key (ON CONFLICT DO NOTHING) where
        the ORM's needs a savepoint to survive the IntegrityError: two statements fewer."""
        if self.session_key is None:
            self.create()  # draws keys until one is free; comes back here with must_create
            return
        row = self.create_model_instance(self._get_session(no_load=must_create))  # type: ignore[attr-defined]
        if must_create:
            if not sql.insert(row, unless_taken=True):
                raise CreateError
        elif not sql.update(row):
            raise UpdateError

    def delete(self, session_key: str | None = None) -> None:
        if session_key is None or session_key == self.session_key:
            self._saved = None
        super().delete(session_key)


@cache
def _read_sql(model) -> tuple[str, tuple, tuple[str, ...]]:
    """The data of the session with this key, unexpired (what Django's engine asks the ORM for),
    and the user its row names with the values shop.core.session_user adds; the parameters those
    values need come before the key and the moment; and the names of those values."""
    user_model = get_user_model()
    user_id = sql.column(user_model, user_model._meta.pk.name)
    extra = session_user.columns(user_id)
    selected = [sql.column(model, "session_data"), sql.columns(user_model)]
    selected += [f"({text})" for _, text, _ in extra]
    query = (
        f"SELECT {', '.join(selected)} FROM {sql.table(model)}"  # noqa: S608 (names from the models)
        f" LEFT JOIN {sql.table(user_model)} ON {user_id} = {sql.column(model, 'user')}"
        f" WHERE {sql.column(model, 'session_key')} = %s AND {sql.column(model, 'expire_date')} > %s"
    )
    params = tuple(param for _, _, params in extra for param in params)
    return query, params, tuple(name for name, _, _ in extra)


def _user_of(row: tuple, names: tuple[str, ...]):
    """The user in the rest of a _read_sql row, with the values read along; None without one."""
    user_model = get_user_model()
    width, key_at = _user_columns(user_model)
    if row[key_at] is None:
        return None
    user = sql.instances(row[:width], [user_model])[0]
    for name, value in zip(names, row[width:], strict=True):
        setattr(user, name, value)
    return user


@cache
def _user_columns(user_model) -> tuple[int, int]:
    """How many columns the user takes in a _read_sql row, and where its primary key is."""
    fields = user_model._meta.concrete_fields
    return len(fields), [field.primary_key for field in fields].index(True)


def _user_id(value: object) -> int | str | None:
    """The session's user id as the user model's key, or None (no user, or not a key at all)."""
    if value is None:
        return None
    try:
        return get_user_model()._meta.pk.to_python(value)
    except ValidationError:
        return None


def draw_key(session: SessionBase) -> str:
    """A fresh key for a session not written yet (any engine): the caller writes its rows under
    it and then the session with save(must_create=True), whose CreateError means the (never yet
    seen) clash of two random keys."""
    key = get_random_string(32, VALID_KEY_CHARS)  # Django's own rule for a new key
    session._session_key = key
    return key
