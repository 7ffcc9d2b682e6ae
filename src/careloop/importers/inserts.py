"""Inserting many new rows fast: `bulk_create`'s result, without its per-value compiler work.

An import writes hundreds of thousands of rows; Django's insert compiler spends most of that
time preparing each value through several layers. `insert_all` builds one multi-row INSERT
per chunk with every value adapted once, and reads the new primary keys back with RETURNING
(PostgreSQL and SQLite 3.35+, as bulk_create does), so callers use the objects as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

# SQLite allows 32 766 bound values per statement; PostgreSQL 65 535.
MAX_VALUES_PER_STATEMENT = 30_000


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    operations = connection.ops
    if isinstance(field, models.DateTimeField):
        return operations.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return operations.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return lambda value: value


def insert_all(objects: Sequence[models.Model]) -> None:
    """Insert new, unsaved instances of one model; each gets its primary key."""
    if not objects:
        return
    meta = type(objects[0])._meta
    fields = [field for field in meta.concrete_fields if field is not meta.pk]
    adapters = [_adapter(field) for field in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column or field.name) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, MAX_VALUES_PER_STATEMENT // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), per_statement):
            chunk = objects[start : start + per_statement]
            values = [
                adapt(field.pre_save(instance, True))
                for instance in chunk
                for field, adapt in zip(fields, adapters, strict=True)
            ]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
                f"{', '.join([row] * len(chunk))} RETURNING {quote(meta.pk.column or 'id')}",
                values,
            )
            for instance, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                instance.pk = pk
                instance._state.adding = False
                instance._state.db = connection.alias
