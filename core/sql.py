"""Reading rows with plain SQL, for the few hot reads where building the
query with the ORM costs more than running it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection


def fetch_rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of `sql` (with `params`) as the database driver gives them."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
