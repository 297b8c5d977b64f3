"""Moving a row from one state to the next: the one lock-check-move-audit kit.

A `Workflow` declares a model's allowed transitions once (a dict from each state
to its next states). A transition service then

1. locks the row and re-reads it (`Workflow.lock`, `SELECT … FOR UPDATE`), so of
   two moves at once the second sees the first's result;
2. checks the service's own rules on the locked row;
3. moves it (`Workflow.move`): refuses an illegal move, runs the guards, sets the
   state and the other changed fields, saves only those fields, writes the
   history entry with the actor and the reason (`core.audit.audited_save`) and
   runs side effects once the transaction commits.

`Workflow.transition` does 1 and 3 in one call for a service with no rule of its
own. Every refusal is a `DomainError` with one of the kit's messages: an illegal
move names both states; a move made illegal by someone else's change since the
caller read the row asks to reload the page (`StaleState`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from .audit import audited_save
from .errors import DomainError

# The attribute `Workflow.lock` leaves on the row it returns: the state the
# caller's copy had, before the lock re-read it.
SEEN_STATE = "_workflow_seen_state"


class IllegalMove(DomainError):
    """The declared transitions do not lead from the row's state to the target."""

    def __init__(self, current: str, to: str) -> None:
        super().__init__(
            _("Cannot move from “%(from)s” to “%(to)s”.") % {"from": current, "to": to}
        )


class StaleState(DomainError):
    """Someone else changed the row's state after the caller read it, and the
    move the caller asked for no longer applies; nothing was saved."""

    def __init__(self) -> None:
        super().__init__(
            _("Someone else has changed the state; reload the page to see it.")
        )


Guard = Callable[[Any], str | None]


class Workflow:
    """The declared transitions of one model's state field (`field`).

    `transitions` maps each state to the states it may move to; a state missing
    from the map is final. `needs_reason` lists the target states a move into
    needs a reason for ("Give a reason." otherwise). `versioned` rows (with a
    `version` counter, and `updated_by` when the model has it) get a new
    version with every move, so forms loaded before it are stale."""

    def __init__(
        self,
        # states are str choices (TextChoices); Mapping's key type is invariant
        transitions: Mapping[Any, Iterable[str]],
        *,
        field: str = "state",
        needs_reason: Iterable[str] = (),
        versioned: bool = False,
    ) -> None:
        self.transitions: dict[str, frozenset[str]] = {
            state: frozenset(to) for state, to in transitions.items()
        }
        self.field = field
        self.needs_reason = frozenset(needs_reason)
        self.versioned = versioned

    def next_states(self, state: str) -> frozenset[str]:
        """The states `state` may move to (none for a final or unknown state)."""
        return self.transitions.get(state, frozenset())

    def allows(self, current: str, to: str) -> bool:
        """True when the declared transitions lead from `current` to `to`."""
        return to in self.next_states(current)

    def label(self, model: type[models.Model], state: str) -> str:
        """`state` as the user reads it: its choice label, else the raw value."""
        choices = dict(model._meta.get_field(self.field).flatchoices)  # type: ignore[union-attr]
        return str(choices.get(state, state))

    def lock[M: models.Model](self, obj: M, *, related: Iterable[str] = ()) -> M:
        """`obj`'s row re-read under a row lock (only its own table is locked,
        so `related` may name nullable relations), remembering the state the
        caller's copy had for `check`."""
        rows = type(obj)._default_manager.select_for_update(of=("self",))
        related = tuple(related)
        if related:
            rows = rows.select_related(*related)
        fresh = rows.get(pk=obj.pk)
        setattr(fresh, SEEN_STATE, getattr(obj, SEEN_STATE, getattr(obj, self.field)))
        return fresh

    def check(self, obj: models.Model, to: str) -> None:
        """Refuse (`IllegalMove`) a move the declared transitions do not allow
        from `obj`'s state, or (`StaleState`) one they no longer allow because
        the state changed after the caller read `obj` (see `lock`)."""
        current = getattr(obj, self.field)
        if self.allows(current, to):
            return
        seen = getattr(obj, SEEN_STATE, current)
        if seen != current and self.allows(seen, to):
            raise StaleState()
        model = type(obj)
        raise IllegalMove(self.label(model, current), self.label(model, to))

    def move[M: models.Model](
        self,
        obj: M,
        to: str,
        *,
        actor: AbstractBaseUser | None,
        reason: str | None = None,
        guards: Iterable[Guard] = (),
        fields: Mapping[str, object] | None = None,
        on_commit: Iterable[Callable[[M], object]] = (),
    ) -> M:
        """Move the locked row `obj` to `to` and return it.

        Checks the move (`check`), a reason where `needs_reason` asks for one,
        then each guard (a refusal message or None); sets the state and
        `fields`, saves only what changed (with the version and the
        auto-updated timestamps) and writes the history entry with `actor` and
        `reason`. Each `on_commit` callable gets the saved row after the
        transaction commits, never when it rolls back."""
        self.check(obj, to)
        reason = (reason or "").strip()
        if to in self.needs_reason and not reason:
            raise DomainError(_("Give a reason."), "reason")
        for guard in guards:
            refusal = guard(obj)
            if refusal:
                raise DomainError(refusal)
        changes = {self.field: to, **(fields or {})}
        update_fields = [
            name for name, value in changes.items() if getattr(obj, name) != value
        ]
        for name in update_fields:
            setattr(obj, name, changes[name])
        update_fields += [
            f.name
            for f in obj._meta.concrete_fields
            if getattr(f, "auto_now", False) and f.name not in update_fields
        ]
        if self.versioned:
            obj.version = F("version") + 1  # type: ignore[attr-defined]
            update_fields.append("version")
            if hasattr(obj, "updated_by_id"):
                obj.updated_by = actor  # type: ignore[attr-defined]
                update_fields.append("updated_by")
        audited_save(obj, actor, reason or None, update_fields=update_fields)
        if self.versioned:
            obj.refresh_from_db(fields=["version"])
        for effect in on_commit:
            transaction.on_commit(partial(effect, obj))
        return obj

    def transition[M: models.Model](
        self, obj: M, to: str, *, related: Iterable[str] = (), **move: Any
    ) -> M:
        """Lock `obj` (`lock`, with `related`) and move it (`move`, with the
        same keyword arguments: actor, reason, guards, fields, on_commit) in
        the caller's transaction: the whole sequence for a service without
        rules of its own to check on the locked row."""
        return self.move(self.lock(obj, related=related), to, **move)
