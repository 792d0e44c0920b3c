"""Insert many rows with PostgreSQL's COPY (psycopg's `cursor.copy`): the physical floor of a
bulk write, several times cheaper than multi-row INSERTs for big sets.

`copy_insert(model, objs)` is a drop-in for `bulk_create` (no conflict handling);
`copy_values(model, rows)` writes plain dicts (field attnames → values) without building model
instances, for the largest sets (seeding). Either way auto primary keys are drawn from the
table's sequence first (so the rows come back with their pks and a row can point at another of
the same COPY), field defaults and auto_now apply, and the database's row triggers, CHECK and
foreign-key constraints fire exactly as for INSERT — so the rows pass the same backstops.
"""

import enum
from collections.abc import Iterable
from typing import Any

from django.db import connections, models
from django.utils import timezone
from psycopg.types.json import Jsonb

SMALL = 50  # below this, a multi-row INSERT is as cheap and keeps one round trip


def copy_insert(model: type[models.Model], objs: Iterable, *, using: str = "default") -> list:
    """Write `objs` (instances of `model`) with one COPY; returns them with their pks set."""
    objs = list(objs)
    if not objs:
        return objs
    if len(objs) < SMALL:
        return model._default_manager.using(using).bulk_create(objs)
    meta = model._meta
    pk = meta.pk
    if _is_auto(pk):
        missing = [obj for obj in objs if getattr(obj, pk.attname) is None]
        for obj, value in zip(missing, _next_ids(model, len(missing), using), strict=True):
            setattr(obj, pk.attname, value)
    fields = list(meta.concrete_fields)
    json = [isinstance(f, models.JSONField) for f in fields]
    auto_now = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objs:
        for f in auto_now:
            f.pre_save(obj, True)
    _copy(
        model,
        [f.column for f in fields],
        (
            [_adapt(getattr(obj, f.attname), j) for f, j in zip(fields, json, strict=True)]
            for obj in objs
        ),
        using,
    )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using
    return objs


def copy_values(model: type[models.Model], rows: list[dict], *, using: str = "default") -> list:
    """Write `rows` (dicts of field attname → value; missing fields take their defaults) with
    one COPY; returns the rows' primary keys in order."""
    if not rows:
        return []
    meta = model._meta
    pk = meta.pk
    if _is_auto(pk):
        for row, value in zip(rows, _next_ids(model, len(rows), using), strict=True):
            row.setdefault(pk.attname, value)
    fields = list(meta.concrete_fields)
    names = [f.attname for f in fields]
    fills = _fills(fields)
    # Only JSON and choice fields need adapting (Jsonb; an enum member's value, not its name).
    adapt = [
        (k, isinstance(f, models.JSONField))
        for k, f in enumerate(fields)
        if isinstance(f, models.JSONField) or f.choices
    ]

    def values(row):
        for name, default, call in fills:
            if name not in row:
                row[name] = default() if call else default
        out = [row[name] for name in names]
        for k, is_json in adapt:
            out[k] = _adapt(out[k], is_json)
        return out

    _copy(model, [f.column for f in fields], (values(row) for row in rows), using)
    return [row[pk.attname] for row in rows]


def _fills(fields) -> list[tuple[str, Any, bool]]:
    """(attname, default, is callable) per field: what a row without the field gets."""
    stamp = timezone.now()
    fills: list[tuple[str, Any, bool]] = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fills.append(
                (f.attname, stamp if isinstance(f, models.DateTimeField) else stamp.date(), False)
            )
        elif f.has_default() and callable(f.default):
            fills.append((f.attname, f.default, True))
        else:  # the field's default, or what Django writes without one ("" for text)
            fills.append((f.attname, f.get_default(), False))
    return fills


def _is_auto(pk) -> bool:
    return isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField)


def _next_ids(model, count: int, using: str) -> list:
    conn = connections[using]
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [conn.ops.quote_name(model._meta.db_table), model._meta.pk.column, count],
        )
        return [value for (value,) in cursor.fetchall()]


def _adapt(value, is_json=False):
    if value is None:
        return None
    if is_json:
        return Jsonb(value)
    if isinstance(value, enum.Enum):  # psycopg would write a Python enum's name, not its value
        return value.value
    return value


def _copy(model, columns: list[str], rows: Iterable[list], using: str) -> None:
    conn = connections[using]
    quote = conn.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
    # Django's error wrapper: a violated constraint is an IntegrityError, as with INSERT.
    with conn.wrap_database_errors, conn.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
