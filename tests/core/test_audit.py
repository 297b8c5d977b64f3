"""The history that every audited model keeps (core.audit)."""

from django.apps import apps
from django.db import models


def test_every_history_keeps_a_reason_of_any_length():
    reasons = {
        model.__name__: field
        for model in apps.get_models()
        for field in model._meta.fields
        if field.name == "history_change_reason"
    }
    assert len(reasons) >= 40
    short = [
        name
        for name, field in reasons.items()
        if not isinstance(field, models.TextField)
    ]
    assert short == []
