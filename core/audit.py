"""Saving and deleting with the actor (and an optional reason) in the history."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model


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
