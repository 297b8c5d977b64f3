"""Unique constraints as form errors.

Django's ModelForm leaves out of model validation every field that is not on the
form, so a constraint such as “unit name unique in its authority” is never
checked by the unit form (the authority is set by the view, not typed) and a
duplicate reaches the database as an IntegrityError — a 500. `UniqueCheckMixin`
checks every unique constraint (and `unique_together`) that holds at least one
field of the form, counting the fields the form does not show but that already
have a value on the instance (the authority, the pledge, the cluster…), and
reports a duplicate as an error on the form's field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, router

# The mixin's methods use ModelForm's attributes; only the type checker sees
# that base (at run time the mixin stays a plain class before ModelForm).
if TYPE_CHECKING:
    _ModelFormBase = forms.ModelForm
else:
    _ModelFormBase = object


def unique_sets(
    model: type[models.Model],
) -> list[tuple[tuple[str, ...], models.UniqueConstraint | None]]:
    """(fields, constraint or None) of every uniqueness rule of `model`:
    its `UniqueConstraint`s on fields, its `unique_together` and its unique
    fields other than the primary key."""
    rules: list[tuple[tuple[str, ...], models.UniqueConstraint | None]] = [
        (tuple(c.fields), c)
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields
    ]
    rules += [(tuple(fields), None) for fields in model._meta.unique_together]
    rules += [
        ((f.name,), None)
        for f in model._meta.concrete_fields
        if f.unique and not f.primary_key
    ]
    return rules


class UniqueCheckMixin(_ModelFormBase):
    """For ModelForms: a duplicate under any unique rule that involves a field
    of the form is a form error (on that field), never an IntegrityError."""

    def _fixed_fields(self) -> set[str]:
        """Model fields the form does not show whose value is already set on
        the instance."""
        instance = self.instance
        return {
            f.name
            for f in instance._meta.concrete_fields
            if f.name not in self.fields
            and not f.primary_key
            and getattr(instance, f.attname, None) is not None
        }

    def validate_constraints(self) -> None:
        super().validate_constraints()
        fixed = self._fixed_fields()
        if not fixed:
            return
        model = type(self.instance)
        exclude = self._get_validation_exclusions() - fixed  # type: ignore[attr-defined]
        using = router.db_for_write(model, instance=self.instance)
        for fields, constraint in unique_sets(model):
            shown = [name for name in fields if name in self.fields]
            if not shown or not fixed.intersection(fields):
                continue  # checked by Django already, or not the form's concern
            if any(name in exclude for name in fields):
                continue  # a field of the rule is invalid or unknown
            try:
                if constraint is not None:
                    constraint.validate(model, self.instance, using=using)
                else:
                    errors = self.instance._perform_unique_checks([(model, fields)])
                    if errors:
                        raise ValidationError(errors)
            except ValidationError as error:
                if shown[0] not in self.errors:
                    self.add_error(shown[0], ValidationError(error.messages))
