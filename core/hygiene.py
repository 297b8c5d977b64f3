"""Input hygiene: what a client sends is cleaned once, on the way in, and what the
application writes out (documents, workbooks, logs) cannot be broken by text that
got in before.

- `strip_control` removes the control characters (C0 and C1, except tab, line
  feed and carriage return) that Word and Excel refuse and PostgreSQL cannot store
  (NUL); `core.middleware.InputHygieneMiddleware` applies it to every GET and
  POST value before a view runs, and the document writers apply it to every text
  they write.
- `log_text` escapes a value for a one-line log record (a newline cannot forge a
  second record).
- `Form` and `ModelForm`, the base of every form of the project, put limits on
  every field: a length on free text, ASCII digits in numbers and ids, dates
  within `FIRST_DATE`–`LAST_DATE`; choices of rows get the quick widgets of
  `core.widgets`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from re import Match, Pattern
from typing import TYPE_CHECKING, Any, overload

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .collation import VietnameseOrderIterator
from .form_constraints import UniqueCheckMixin
from .widgets import quick_widget

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Everything a log line must not carry as such: all control characters, the
# Unicode line and paragraph separators, and the escape character itself.
LOG_ESCAPED = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\\\\]")
LOG_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


@overload
def strip_control(text: str) -> str: ...
@overload
def strip_control[T](text: T) -> T: ...
def strip_control(text: object) -> object:
    """`text` without control characters other than tab, line feed and carriage
    return (non-strings are returned unchanged)."""
    if not isinstance(text, str):
        return text
    return CONTROL_CHARACTERS.sub("", text)


def _log_escape(match: Match[str]) -> str:
    char = match.group()
    escaped = LOG_ESCAPES.get(char)
    if escaped:
        return escaped
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def log_text(value: object) -> str:
    """`value` as text fit for one log line: control characters, line separators
    and backslashes escaped the way Python's repr() writes them."""
    return LOG_ESCAPED.sub(_log_escape, "" if value is None else str(value))


# Forms ------------------------------------------------------------------------

# Free text without a length of its own: a reason, comment or note is short;
# any other multi-line text (a summary, an achievement) may be long.
SHORT_TEXT = 4_000
LONG_TEXT = 20_000
SHORT_TEXT_NAMES = ("reason", "comment", "note", "remark", "message", "response")
# Dates typed into any form (deadlines, signatures, decisions).
FIRST_DATE = datetime.date(2000, 1, 1)
LAST_DATE = datetime.date(2100, 12, 31)
# What a number may be written with: ASCII digits, a sign and the Vietnamese
# (or English) separators. Python would also read "١٢", "１２", "1_000", "1e3".
NUMBER_CHARACTERS = re.compile(r"[0-9+\-.,\s]*")

ASCII_DIGITS_MESSAGE = _("Enter the number with the digits 0–9.")
DATE_RANGE_MESSAGE = _("Enter a date between %(first)s and %(last)s.")


def text_limit(name: str, field: forms.Field) -> int:
    """The length allowed for free-text `field` named `name` that has none."""
    if isinstance(field.widget, forms.Textarea) and not any(
        word in name for word in SHORT_TEXT_NAMES
    ):
        return LONG_TEXT
    return SHORT_TEXT


def foreign_digits(text: str) -> bool:
    """Whether `text` holds a digit other than 0–9 that int() would read."""
    return any(char.isdecimal() and not char.isascii() for char in text)


def _ascii_digits_only(
    to_python: Callable[[Any], Any], pattern: Pattern[str]
) -> Callable[[Any], Any]:
    def checked(value: Any) -> Any:
        if isinstance(value, str) and not pattern.fullmatch(value):
            raise ValidationError(ASCII_DIGITS_MESSAGE, code="invalid")
        return to_python(value)

    return checked


def _ascii_choices_only(to_python: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def checked(value: Any) -> Any:
        values = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(item, str) and foreign_digits(item) for item in values):
            raise ValidationError(ASCII_DIGITS_MESSAGE, code="invalid")
        return to_python(value)

    return checked


def validate_date_range(value: datetime.date) -> None:
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValidationError(
            DATE_RANGE_MESSAGE,
            code="date_range",
            params={
                "first": FIRST_DATE.strftime("%d/%m/%Y"),
                "last": LAST_DATE.strftime("%d/%m/%Y"),
            },
        )


def _length_limited(
    to_python: Callable[[Any], Any], limit: int
) -> Callable[[Any], Any]:
    """Checks the typed text's length before conversion, so fields whose cleaned
    value is not text (JSON, fractions) are limited too."""

    def to_python_within_limit(value: Any) -> Any:
        if isinstance(value, str):
            MaxLengthValidator(limit)(value)
        return to_python(value)

    return to_python_within_limit


def limit_field[F: forms.Field](name: str, field: F) -> F:
    """Put the project's input limits on `field` (idempotent): a maximum length
    on free text, ASCII digits only in numbers and choices of rows, dates within
    FIRST_DATE–LAST_DATE; choices of rows get a quick widget (units: in
    Vietnamese order, checkboxes as a `core.widgets.Checklist`). Returns the
    field."""
    if getattr(field, "input_limited", False):
        return field
    # The field's own methods are wrapped on this instance (type: ignore below).
    field.input_limited = True  # type: ignore[attr-defined]
    if isinstance(field, forms.CharField) and field.max_length is None:
        field.max_length = text_limit(name, field)
        field.to_python = _length_limited(field.to_python, field.max_length)  # type: ignore[method-assign,assignment]
        field.widget.attrs.setdefault("maxlength", str(field.max_length))
    elif isinstance(field, forms.IntegerField):  # also DecimalField, FloatField
        field.to_python = _ascii_digits_only(field.to_python, NUMBER_CHARACTERS)  # type: ignore[method-assign,assignment]
    elif isinstance(field, forms.ModelChoiceField):  # also the multiple one
        field.to_python = _ascii_choices_only(field.to_python)  # type: ignore[method-assign,assignment]
        by_name = getattr(
            getattr(field.queryset, "model", None), "choices_in_vietnamese_order", False
        )
        if by_name:
            field.iterator = VietnameseOrderIterator  # e.g. units, by name
        # Thousands of units render in ms; their checkboxes are flat choices.
        field.widget = quick_widget(field.widget, checklist=by_name)
        if isinstance(field, forms.ModelMultipleChoiceField):
            field.clean = _ascii_choices_only(field.clean)  # type: ignore[method-assign,assignment]
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        field.validators.append(validate_date_range)
    return field


if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class InputLimitsMixin(_FormBase):
    """Applies `limit_field` to every field of the form, those that its
    `__init__` adds included (again before cleaning)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_fields()

    def limit_fields(self) -> None:
        for name, field in self.fields.items():
            limit_field(name, field)

    def full_clean(self) -> None:
        self.limit_fields()
        super().full_clean()


class Form(InputLimitsMixin, forms.Form):
    """The base of every plain form of the project."""


class ModelForm(InputLimitsMixin, UniqueCheckMixin, forms.ModelForm):
    """The base of every model form of the project; a duplicate under any
    unique rule is a form error (`core.form_constraints`)."""
