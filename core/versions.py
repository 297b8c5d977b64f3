"""Versions of the data behind derived values, kept in the database.

A *scope* is a string key naming a set of data whose derived values are cached
together (the domain apps choose them, e.g. ``term:42``). `bump` raises the
versions of some scopes by one with an ``UPDATE … SET version = version + 1``
in the caller's transaction, so the new version becomes visible exactly when
the write commits and disappears with it on a rollback. `read` returns the
committed versions (0 for a scope never written). A cached value keyed by the
version it was computed for can therefore never be served after a later write
has committed, even if the cache write that should have replaced it was lost.

Inside one transaction a scope needs raising only once: `bump` remembers the
scopes it raised in markers queued with `transaction.on_commit`, which Django
drops with the savepoint or transaction they belong to, so a rolled-back raise
is never taken as done."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import BigIntegerField, F, Subquery, Value
from django.db.models.functions import Coalesce

from .models import DataVersion


class _Raised:
    """An on-commit marker naming the scopes raised in the current transaction
    (it does nothing when run)."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = frozenset(keys)

    def __call__(self) -> None:
        return None


def _raised_in_transaction(connection: Any) -> frozenset[str] | set[str]:
    if not connection.in_atomic_block:
        return frozenset()
    raised: set[str] = set()
    for _sids, callback, _robust in getattr(connection, "run_on_commit", []):
        if isinstance(callback, _Raised):
            raised |= callback.keys
    return raised


def bump(keys: Iterable[str]) -> None:
    """Raise the version of every scope in `keys` by one, in the current
    transaction (at most once per transaction and scope). 1–3 queries; none
    when every scope was raised already in this transaction."""
    connection = transaction.get_connection()
    keys = sorted(set(keys) - _raised_in_transaction(connection))
    if not keys:
        return
    rows = DataVersion.objects.filter(key__in=keys)
    if rows.update(version=F("version") + 1) < len(keys):
        # Scopes never written: create them, then raise all again (a scope
        # raised twice is as good as once; creating under a race is ignored).
        DataVersion.objects.bulk_create(
            [DataVersion(key=key, version=0) for key in keys],
            ignore_conflicts=True,
        )
        rows.update(version=F("version") + 1)
    if connection.in_atomic_block:
        transaction.on_commit(_Raised(keys))


def read(keys: Iterable[str]) -> dict[str, int]:
    """{key: committed version} for `keys` (0 for a scope never written); one
    query."""
    keys = list(keys)
    found = dict(DataVersion.objects.filter(key__in=keys).values_list("key", "version"))
    return {key: found.get(key, 0) for key in keys}


def committed(key: Any) -> Coalesce:
    """The committed version of the scope whose key is the SQL expression
    `key` (0 for a scope never written, as `read` gives), as an expression to
    annotate rows with: the versions of many scopes are read by the query that
    reads the rows, with no list of keys sent."""
    return Coalesce(
        Subquery(DataVersion.objects.filter(key=key).values("version")[:1]),
        Value(0),
        output_field=BigIntegerField(),
    )
