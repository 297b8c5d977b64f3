"""Bulk writes of rows with their history rows at COPY speed on PostgreSQL.

`insert_with_history` and `update_with_history` write many rows of a model
that keeps django-simple-history records, and one history row for each, in
the caller's transaction. Rows are given as dicts of field attnames (no model
instances are built on PostgreSQL). There they use COPY (psycopg2's
`copy_expert`, psycopg 3's `copy`): the new rows' primary keys are drawn from
the table's sequence first (one query), so the rows and their history rows are
streamed with the keys known — a history row is its row's text plus the same
history columns — and changed rows are streamed into a temporary table and
applied with one UPDATE … FROM. Elsewhere (SQLite in development and tests)
they fall back to Django's `bulk_create` and simple-history's
`bulk_history_create` in batches, which write the same rows.

Only plain columns are supported (numbers, text, booleans, dates, foreign
keys); fields with `auto_now`/`auto_now_add` get `date`. Like `bulk_create`,
neither sends model signals nor calls `save()`: callers raise the data
versions themselves (clusters.versions.bump_terms)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import count
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Field, Model

BATCH_SIZE = 500
_temp_names = count(1)
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: Any) -> str:
    """`value` in COPY's text format."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is int or kind is Decimal:
        return str(value)
    if kind is str:
        return value.translate(_ESCAPES)
    if kind is bool:
        return "t" if value else "f"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    return str(value).translate(_ESCAPES)


def _copy(
    cursor: CursorWrapper, table: str, columns: Iterable[str], lines: Iterable[str]
) -> None:
    """COPY the text `lines` (one row each, ending in a newline) for `columns`
    into `table`."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    data = "".join(lines)
    raw = cursor.cursor
    if hasattr(raw, "copy_expert"):  # psycopg2
        raw.copy_expert(sql, io.StringIO(data))
    else:  # psycopg 3
        with raw.copy(sql) as copy:
            copy.write(data)


def _uses_copy() -> bool:
    return connection.vendor == "postgresql"


def _values(
    model: type[Model], rows: object, date: datetime.datetime
) -> list[tuple[Field[Any, Any], Callable[..., Any]]]:
    """[(field, value getter)] for every concrete field of `model`: the row's
    value, else `date` for auto_now fields, else the field's default (evaluated
    once)."""
    getters: list[tuple[Field[Any, Any], Callable[..., Any]]] = []
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            getters.append((field, lambda row, a=field.attname: row.get(a, date)))
        else:  # as a new instance has it: "" for text without a default
            default = field.get_default()
            getters.append(
                (field, lambda row, a=field.attname, d=default: row.get(a, d))
            )
    return getters


def _history_tail(
    model: type[Model],
    attnames: Sequence[str],
    *,
    user: AbstractBaseUser | None,
    reason: str | None,
    date: datetime.datetime,
    kind: str,
) -> tuple[str, list[str], str]:
    """(columns, text) of the history columns that follow a row's own columns
    `attnames` in the history table of `model` (its own key left to its
    default); refuses a history field it has no value for."""
    history = model.history.model  # type: ignore[attr-defined]
    fixed = {
        "history_date": date,
        "history_change_reason": reason,
        "history_type": kind,
        "history_user_id": user.pk if user is not None else None,
    }
    own = set(attnames)
    columns, values = [], []
    for field in history._meta.concrete_fields:
        if field.attname == "history_id" or field.attname in own:
            continue
        if field.attname not in fixed:
            raise ValueError(f"{history.__name__}.{field.attname}: no value to copy")
        columns.append(field.column)
        values.append(_text(fixed[field.attname]))
    history_columns = {f.attname: f.column for f in history._meta.concrete_fields}
    own_columns = [history_columns[a] for a in attnames]
    return history._meta.db_table, own_columns + columns, "\t".join(values)


def _copy_new_rows(
    cursor: CursorWrapper,
    model: type[Model],
    rows: list[dict[str, Any]],
    date: datetime.datetime,
) -> tuple[list[int], list[str], list[str]]:
    """COPY `rows` (non-empty) into `model`'s table with primary keys drawn
    from its sequence in order; returns (keys, text lines, attnames)."""
    meta = model._meta
    getters = [(f, g) for f, g in _values(model, rows, date) if not f.primary_key]
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [meta.db_table, meta.pk.column, len(rows)],
    )
    keys = [pk for (pk,) in cursor.fetchall()]
    lines = [
        "\t".join([str(pk), *(_text(get(row)) for _f, get in getters)])
        for pk, row in zip(keys, rows, strict=True)
    ]
    _copy(
        cursor,
        meta.db_table,
        [meta.pk.column] + [f.column for f, _g in getters],  # type: ignore[arg-type]
        (line + "\n" for line in lines),
    )
    return keys, lines, [meta.pk.attname] + [f.attname for f, _g in getters]


def insert_rows(
    model: type[Model],
    rows: Iterable[dict[str, Any]],
    *,
    date: datetime.datetime,
) -> list[int]:
    """Insert `rows` (dicts of attname → value, without primary key) of
    `model`, without history rows (like `bulk_create`, which it is off
    PostgreSQL); returns the new primary keys in the order of `rows`, drawn
    from the table's sequence in that order as `bulk_create` draws them."""
    rows = list(rows)
    if not rows:
        return []
    if not _uses_copy():
        objects = model.objects.bulk_create(  # type: ignore[attr-defined]
            [model(**row) for row in rows], batch_size=BATCH_SIZE
        )
        return [obj.pk for obj in objects]
    with connection.cursor() as cursor:
        keys, _lines, _attnames = _copy_new_rows(cursor, model, rows, date)
    return keys


def insert_with_history(
    model: type[Model],
    rows: Iterable[dict[str, Any]],
    *,
    user: AbstractBaseUser | None,
    reason: str | None,
    date: datetime.datetime,
) -> list[int]:
    """Insert `rows` (dicts of attname → value, without primary key) of
    `model` and a "created" history row for each; returns the new primary
    keys in the order of `rows`."""
    rows = list(rows)
    if not rows:
        return []
    if not _uses_copy():
        from simple_history.utils import bulk_create_with_history

        objects = bulk_create_with_history(
            [model(**row) for row in rows],
            model,
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=reason,
            default_date=date,
        )
        return [obj.pk for obj in objects]
    with connection.cursor() as cursor:
        keys, lines, attnames = _copy_new_rows(cursor, model, rows, date)
        table, columns, tail = _history_tail(
            model, attnames, user=user, reason=reason, date=date, kind="+"
        )
        _copy(cursor, table, columns, (f"{line}\t{tail}\n" for line in lines))
    return keys


def update_with_history(
    model: type[Model],
    rows: Iterable[Mapping[str, Any]],
    fields: Sequence[str],
    *,
    user: AbstractBaseUser | None,
    reason: str | None,
    date: datetime.datetime,
) -> None:
    """Write `fields` of the saved rows `rows` (dicts holding the primary key
    and every concrete field's value, since each history row records them
    all) and a "changed" history row for each."""
    rows = list(rows)
    if not rows:
        return
    meta = model._meta
    if not _uses_copy():
        objects = [model(**row) for row in rows]
        model.objects.bulk_create(  # type: ignore[attr-defined]
            objects,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=[meta.pk.name],
            update_fields=fields,
        )
        model.history.bulk_history_create(  # type: ignore[attr-defined]
            objects,
            update=True,
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=reason,
            default_date=date,
        )
        return
    quote = connection.ops.quote_name
    every = list(meta.concrete_fields)
    lines = ["\t".join(_text(row[f.attname]) for f in every) for row in rows]
    written = [meta.pk] + [meta.get_field(name) for name in fields]
    temp = f"bulk_update_{next(_temp_names)}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {quote(temp)} AS SELECT "  # noqa: S608
            f"{', '.join(quote(f.column) for f in every)} "  # type: ignore[arg-type]
            f"FROM {quote(meta.db_table)} WITH NO DATA"
        )
        _copy(cursor, temp, [f.column for f in every], (f"{x}\n" for x in lines))  # type: ignore[misc]
        assignments = ", ".join(
            f"{quote(f.column)} = t.{quote(f.column)}"  # type: ignore[arg-type,union-attr]
            for f in written[1:]
        )
        pk = quote(meta.pk.column)  # type: ignore[arg-type]
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608
            f"FROM {quote(temp)} t WHERE {quote(meta.db_table)}.{pk} = t.{pk}"
        )
        cursor.execute(f"DROP TABLE {quote(temp)}")
        table, columns, tail = _history_tail(
            model,
            [f.attname for f in every],
            user=user,
            reason=reason,
            date=date,
            kind="~",
        )
        _copy(cursor, table, columns, (f"{line}\t{tail}\n" for line in lines))
