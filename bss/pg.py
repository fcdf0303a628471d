"""PostgreSQL helpers: migration operations that only apply on PostgreSQL (the embedded SQLite mode skips them),
and one INSERT for many rows (insert_many: a set-based job's history and outbox rows)."""

import json

from django.db import connection, migrations, models
from django.utils import timezone


class PostgresOnlySQL(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def insert_many(model: type[models.Model], rows: list[dict], *, returning: bool = False) -> list:
    """One INSERT ... SELECT FROM unnest(one array per column) for many rows given as {attname:
    value}, without bulk_create's per-value work. A column the rows leave out gets the field's
    default (auto_now / auto_now_add: now; a callable default is called per row). Returns the new
    primary keys when ``returning``, in the rows' order."""
    if not rows:
        return []
    n, now = len(rows), timezone.now()
    columns, arrays, types = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in rows[0]:
            values = [r[field.attname] for r in rows]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values = [now] * n
        elif field.has_default():
            values = [field.get_default() for _ in range(n)] if callable(field.default) else [field.get_default()] * n
        elif field.null:
            values = [None] * n
        else:
            raise ValueError(f"{model.__name__}.{field.name} has no value and no default")
        db_type = field.db_type(connection)
        if isinstance(field, models.JSONField):
            encoder = field.encoder
            values = [None if v is None else json.dumps(v, cls=encoder) for v in values]
            db_type = "jsonb"
        elif isinstance(field, models.UUIDField):
            values = [None if v is None else str(v) for v in values]
        elif not isinstance(field, (models.CharField, models.TextField, models.IntegerField, models.DateTimeField,
                                    models.BooleanField, models.ForeignKey)):
            values = [field.get_db_prep_save(v, connection) for v in values]
        columns.append(connection.ops.quote_name(field.column))
        arrays.append(values)
        types.append(db_type)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest("
           + ", ".join(f"%s::{t}[]" for t in types) + ")"
           + (f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}" if returning else ""))
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        return [r[0] for r in cursor.fetchall()] if returning else []
