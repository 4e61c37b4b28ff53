"""Fixed SQL for the reads that every personal page or add to cart makes: the session, the
cart, its lines, its count, whether the visitor is an editor, the variant to add
(docs/performance.md).

The ORM builds and compiles a query anew on every call; for these small reads that cost three
to eight times the round trip itself. Their SQL is written once per process, with every table
and column name taken from the models (so a renamed one follows) and every value passed as a
parameter, never into the text. Rows of several models joined become instances through
`instances`, as select_related would build them.
"""

from collections.abc import Sequence
from functools import cache

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import Col


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], field_name: str) -> str:
    """The field's column, qualified by its table."""
    name = model._meta.get_field(field_name).column  # type: ignore[union-attr]
    return f"{table(model)}.{connection.ops.quote_name(str(name))}"


def columns(model: type[Model]) -> str:
    """Every concrete column of the model, for Model.objects.raw()."""
    return ", ".join(column(model, field.name) for field in model._meta.concrete_fields)


def scalar(sql: str, params: list) -> object:
    """The first column of the first row, or None when there is no row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def instances(row: Sequence, models: Sequence[type[Model]]) -> list[Model]:
    """One row of `SELECT columns(m1), columns(m2), ...` as an instance of each model, as the
    ORM's select_related builds them: each field's database converters applied, then from_db."""
    built, start = [], 0
    for model in models:
        fields = _loading(model)
        values = row[start : start + len(fields)]
        converted = [_converted(value, field) for value, field in zip(values, fields, strict=True)]
        built.append(model.from_db(connection.alias, [field[0] for field in fields], converted))
        start += len(fields)
    return built


@cache
def _loading(model: type[Model]) -> tuple[tuple, ...]:
    """(attname, expression, converters) of each concrete field, in columns() order."""
    fields = []
    for field in model._meta.concrete_fields:
        expression = Col(model._meta.db_table, field)
        converters = field.get_db_converters(connection) + connection.ops.get_db_converters(expression)
        fields.append((field.attname, expression, tuple(converters)))
    return tuple(fields)


def _converted(value: object, field: tuple) -> object:
    _, expression, converters = field
    for convert in converters:
        value = convert(value, expression, connection)
    return value
