"""Fixed SQL for the reads that every personal page or add to cart makes (the session, the
cart, its lines, its count, whether the visitor is an editor, the variant to add) and for the
rows a new guest's add to cart writes (the session, the cart, its first line; docs/performance.md).

The ORM builds and compiles a query anew on every call; for these small reads that cost three
to eight times the round trip itself. Their SQL is written once per process, with every table
and column name taken from the models (so a renamed one follows) and every value passed as a
parameter, never into the text. Rows of several models joined become instances through
`instances`, as select_related would build them; rows brought along as JSON (a correlated
subquery's array) through `json_row` and `from_json`.
"""

from collections.abc import Sequence
from functools import cache
from itertools import pairwise

import psycopg
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.models import AutoField, Model
from django.db.models.expressions import Col
from django.db.models.functions import JSONObject
from django.db.models.signals import post_save, pre_save
from psycopg.pq import Format


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], field_name: str) -> str:
    """The field's column, qualified by its table."""
    name = model._meta.get_field(field_name).column  # type: ignore[union-attr]
    return f"{table(model)}.{connection.ops.quote_name(str(name))}"


def columns(model: type[Model]) -> str:
    """Every concrete column of the model, for Model.objects.raw()."""
    return ", ".join(column(model, field.name) for field in model._meta.concrete_fields)


def scalar(query: str, params: list) -> object:
    """The first column of the first row, or None when there is no row."""
    found = rows(query, params)
    return found[0][0] if found else None


def rows(query: str, params: list) -> list[tuple]:
    with prepared_cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def rowcount(query: str, params: list) -> int:
    with prepared_cursor() as cursor:
        cursor.execute(query, params)
        return cursor.rowcount


class _PreparedCursor(psycopg.Cursor):
    """A psycopg cursor that binds parameters on the server and prepares every statement: each
    connection plans a fixed query once (psycopg keeps the prepared statements per connection),
    not on every request. Planning the cart page's join of five tables cost PostgreSQL 0.8 ms
    a request, ten times its execution."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _LoggedPreparedCursor(_PreparedCursor):
    """Where Django logs queries (DEBUG, the tests' query counts): psycopg keeps no query text
    for a prepared statement, which Django's log reads (last_executed_query), so it is kept."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        result = super().execute(query, params, binary=binary)
        self._query = self._convert_query(query, params)
        return result


def prepared_cursor():
    """Django's cursor (its query logging, wrappers and error translation) over a _PreparedCursor,
    for this module's fixed SQL only: the ORM's queries are not written to be prepared (Django
    #20516), so the connection keeps client-side binding and no automatic preparation."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = (_LoggedPreparedCursor if connection.queries_logged else _PreparedCursor)(connection.connection)
        tz_loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        if connection.timezone != tz_loader.timezone:
            register_tzloader(connection.timezone, raw)
        connection.validate_thread_sharing()
        wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
        return wrap(raw)  # type: ignore[arg-type]


def insert(instance: Model, *, unless_taken: bool = False) -> bool:
    """`instance.save(force_insert=True)` in fixed SQL: the same pre_save and post_save signals,
    each field's pre_save (auto_now stamps) and database preparation, the new id set on it.

    With `unless_taken`, a row whose unique key is taken already is left alone and False is
    returned (ON CONFLICT DO NOTHING), where the ORM raises IntegrityError and so needs a
    savepoint around the INSERT to keep the transaction usable."""
    model = type(instance)
    pre_save.send(sender=model, instance=instance, raw=False, using=connection.alias, update_fields=None)
    auto_pk = _auto_pk(model) and instance.pk is None
    fields = [f for f in model._meta.concrete_fields if not (auto_pk and f.primary_key)]
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    found = rows(_insert_sql(model, auto_pk, unless_taken), values)
    if not found:
        return False
    if auto_pk:
        setattr(instance, model._meta.pk.attname, found[0][0])
    instance._state.adding, instance._state.db = False, connection.alias
    post_save.send(
        sender=model, instance=instance, created=True, update_fields=None, raw=False, using=connection.alias
    )
    return True


def update(instance: Model) -> bool:
    """`instance.save(force_update=True)` in fixed SQL (every field written by the primary key,
    signals sent); False when no row has that key, where the ORM raises DatabaseError."""
    model = type(instance)
    pre_save.send(sender=model, instance=instance, raw=False, using=connection.alias, update_fields=None)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    values = [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields]
    if not rowcount(_update_sql(model), [*values, instance.pk]):
        return False
    post_save.send(
        sender=model, instance=instance, created=False, update_fields=None, raw=False, using=connection.alias
    )
    return True


def _auto_pk(model: type[Model]) -> bool:
    return isinstance(model._meta.pk, AutoField)


@cache
def _insert_sql(model: type[Model], auto_pk: bool, unless_taken: bool) -> str:
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not (auto_pk and f.primary_key)]
    names = ", ".join(quote(str(f.column)) for f in fields)
    query = f"INSERT INTO {table(model)} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    if unless_taken:
        query += " ON CONFLICT DO NOTHING"
    return f"{query} RETURNING {quote(str(model._meta.pk.column))}"


@cache
def _update_sql(model: type[Model]) -> str:
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    return f"UPDATE {table(model)} SET {assignments} WHERE {quote(str(model._meta.pk.column))} = %s"  # noqa: S608


def select_chain(models: Sequence[type[Model]]) -> str:
    """SELECT every column of each model, FROM the first, each next one INNER JOINed through the
    previous one's foreign key to it: what select_related("a__b__c") reads when every key on the
    way is NOT NULL (checked, as the ORM's own choice of join)."""
    return f"SELECT {', '.join(columns(model) for model in models)} FROM {joined(models)}"  # noqa: S608


def joined(models: Sequence[type[Model]]) -> str:
    """The FROM of select_chain(models): the first table, each next one INNER JOINed."""
    parts = [table(models[0])]
    for near, far in pairwise(models):
        key = _key_to(near, far)
        parts.append(f"JOIN {table(far)} ON {column(far, far._meta.pk.name)} = {column(near, key)}")
    return " ".join(parts)


def chain(row: Sequence, models: Sequence[type[Model]]) -> Model:
    """A row of select_chain(models) as the first model's instance, each next one set on the one
    before through its foreign key, as select_related leaves them (nothing loaded later)."""
    built = instances(row, models)
    for near, far in pairwise(built):
        setattr(near, _key_to(type(near), type(far)), far)
    return built[0]


@cache
def _key_to(near: type[Model], far: type[Model]) -> str:
    keys = [f for f in near._meta.concrete_fields if f.is_relation and f.related_model is far]
    if len(keys) != 1 or keys[0].null:
        raise ValueError(f"{near.__name__} needs one NOT NULL foreign key to {far.__name__}")
    return keys[0].name


def instances(row: Sequence, models: Sequence[type[Model]]) -> list[Model]:
    """One row of `SELECT columns(m1), columns(m2), ...` as an instance of each model, as the
    ORM's select_related builds them: each field's database converters applied, then from_db."""
    built, start = [], 0
    for model in models:
        names, fields = _loading(model)
        values = row[start : start + len(fields)]
        converted = [_converted(value, field) for value, field in zip(values, fields, strict=True)]
        built.append(model.from_db(connection.alias, names, converted))
        start += len(fields)
    return built


@cache
def _loading(model: type[Model]) -> tuple[list[str], tuple[tuple, ...]]:
    """The attnames of the concrete fields in columns() order, and each one's (expression,
    database converters)."""
    names, fields = [], []
    for field in model._meta.concrete_fields:
        expression = Col(model._meta.db_table, field)
        converters = field.get_db_converters(connection) + connection.ops.get_db_converters(expression)
        names.append(field.attname)
        fields.append((expression, tuple(converters)))
    return names, tuple(fields)


def _converted(value: object, field: tuple) -> object:
    expression, converters = field
    for convert in converters:
        value = convert(value, expression, connection)
    return value


# Field kinds whose JSON value is exactly what the ORM reads from the column (numbers and text).
JSON_EXACT = {"AutoField", "BigAutoField", "IntegerField", "CharField", "FileField", "ForeignKey"}


@cache
def json_fields(model: type[Model]) -> tuple[str, ...]:
    """The attnames of the model's concrete fields, in the order Model.from_db takes them.

    A model with another kind of field (a date, a decimal) is refused: its JSON value would need
    converting, and a library upgrade that adds one must fail loudly, not build wrong instances."""
    fields = model._meta.concrete_fields
    odd = [f.name for f in fields if f.get_internal_type() not in JSON_EXACT]
    if odd:
        raise ImproperlyConfigured(f"{model.__name__}: fields {odd} do not come back as they were from JSON")
    return tuple(f.attname for f in fields)


def json_row(model: type[Model]) -> JSONObject:
    """A row of the model as one JSON object, for `.values(json=...)` in a subquery."""
    return JSONObject(**{name: name for name in json_fields(model)})


def from_json[M: Model](model: type[M], row: dict, db: str) -> M:
    """The instance the ORM would have read (Model.from_db: `_state` says loaded from `db`)."""
    names = json_fields(model)
    return model.from_db(db, names, [row[name] for name in names])
