"""Saving and deleting with the actor (and an optional reason) in the history,
and the `HistoricalRecords` every audited model declares."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models import Model
from simple_history import manager as history_manager
from simple_history import models as history_models


class HistoryManager(history_manager.HistoryManager):
    """django-simple-history's manager of `Model.history`, whose class is built
    once per queryset class: the library rebuilds it (inspecting every queryset
    method) on each access, and every save of an audited model reads it."""

    @classmethod
    @functools.cache
    def from_queryset(
        cls, queryset_class: type, class_name: str | None = None
    ) -> type[history_manager.HistoryManager]:
        return super().from_queryset(queryset_class, class_name)


class HistoricalRecords(history_models.HistoricalRecords):
    """django-simple-history's `HistoricalRecords` with `HistoryManager`, and
    a reason of any length: the library's default column keeps 100 characters,
    which PostgreSQL enforces (a longer reason failed the whole change)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("history_manager", HistoryManager)
        kwargs.setdefault("history_change_reason_field", models.TextField(null=True))
        super().__init__(*args, **kwargs)


def audited_save[M: Model](
    obj: M, actor: AbstractBaseUser | None, reason: str | None = None, **kwargs: Any
) -> M:
    """Save `obj`; its history entry names `actor` and `reason`."""
    # django-simple-history reads these two attributes when it writes the entry.
    obj._history_user = actor  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = reason  # type: ignore[attr-defined]
    obj.save(**kwargs)
    return obj


def audited_delete(
    obj: Model, actor: AbstractBaseUser | None, reason: str | None = None
) -> None:
    """Delete `obj`; its history entry names `actor` and `reason`."""
    obj._history_user = actor  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = reason  # type: ignore[attr-defined]
    obj.delete()
