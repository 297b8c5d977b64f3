"""Choice widgets whose options are written in Python.

Django's select and crispy-bootstrap5's checkboxes render a template per
option: an authority's 4,400 units took 0.5–1.5 s per form. These write the
same markup in milliseconds. `core.hygiene.limit_field` puts them on every
choice field of rows (`quick_widget`). Flat choices only: a widget whose
choices are grouped renders as Django's own (`Checklist` is never put on
such a field)."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

Attrs = dict[str, Any] | None

# A checklist longer than this gets a filter box (static/js/checklist.js),
# shows its ticked rows first and scrolls within a bounded height.
FILTER_FROM = 15


def _flat(choices: Iterable[tuple[Any, Any]]) -> list[tuple[str, SafeString]] | None:
    """[(value, label)] as escaped HTML, or None when the choices are grouped."""
    rows = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            return None
        rows.append(
            (
                "" if value is None else html.escape(str(value)),
                conditional_escape(label),
            )
        )
    return rows


class _QuickOptions(forms.Select):
    def render(
        self, name: str, value: Any, attrs: Attrs = None, renderer: Any = None
    ) -> SafeString:
        rows = _flat(self.choices)
        if rows is None:
            return super().render(name, value, attrs, renderer)
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        chosen = {html.escape(text) for text in self.format_value(value)}
        options = []
        for option_value, label in rows:
            selected = option_value in chosen
            if selected and not self.allow_multiple_selected:
                chosen = set()  # like Django: the first match only
            mark = " selected" if selected else ""
            options.append(f'<option value="{option_value}"{mark}>{label}</option>')
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(attrs),
            mark_safe("".join(options)),  # noqa: S308 - escaped by _flat
        )


class QuickSelect(_QuickOptions):
    """Django's Select, options written in Python."""


class QuickSelectMultiple(_QuickOptions, forms.SelectMultiple):
    """Django's SelectMultiple, options written in Python."""


class Checklist(forms.SelectMultiple):
    """One checkbox per choice, in crispy-bootstrap5's markup (a fieldset
    whose legend is the field's label). A long list gets a filter box, hidden
    until static/js/checklist.js shows it (without JavaScript every row is
    there to tick), and lists its ticked rows first."""

    use_fieldset = True

    def use_required_attribute(self, initial: Any) -> bool:
        return False  # no single checkbox is required

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # an unticked list sends nothing

    def id_for_label(self, id_: str, index: Any = None) -> str:
        return "" if index is None or not id_ else f"{id_}_{index}"

    def render(
        self, name: str, value: Any, attrs: Attrs = None, renderer: Any = None
    ) -> SafeString:
        rows = _flat(self.choices)
        if rows is None:
            raise ValueError("Checklist takes flat choices only")
        attrs = self.build_attrs(self.attrs, attrs)
        base_id = attrs.pop("id", "") or ""
        invalid = "is-invalid" in str(attrs.pop("class", "")).split()
        disabled = " disabled" if attrs.pop("disabled", False) else ""
        chosen = {html.escape(text) for text in self.format_value(value)}
        numbered = list(enumerate(rows))
        long = len(rows) > FILTER_FROM
        if long:
            numbered.sort(key=lambda row: row[1][0] not in chosen)
        start = format_html(
            '<div class="form-check"><input type="checkbox" class="{}" name="{}"{}',
            "form-check-input is-invalid" if invalid else "form-check-input",
            name,
            disabled,
        )
        boxes = []
        for index, (option_value, label) in numbered:
            box_id = html.escape(self.id_for_label(base_id, index))
            mark = " checked" if option_value in chosen else ""
            ident = f' id="{box_id}"' if box_id else ""
            target = f' for="{box_id}"' if box_id else ""
            boxes.append(
                f'{start} value="{option_value}"{ident}{mark}><label{target} '
                f'class="form-check-label">{label}</label></div>'
            )
        list_id = f"{base_id}_list" if base_id else ""
        classes = ["checklist"]
        if long:
            classes.append("checklist-long")
        if invalid:
            classes.append("is-invalid")
        box = format_html(
            '<div class="{}"{}{}>{}</div>',
            " ".join(classes),
            format_html(' id="{}"', list_id) if list_id else "",
            flatatt(attrs),
            mark_safe("".join(boxes)),  # noqa: S308 - escaped by _flat
        )
        if not (long and list_id):
            return box
        search = format_html(
            '<input type="search" class="form-control form-control-sm mb-2" '
            'data-checklist-filter="{}" placeholder="{}" aria-label="{}" '
            'autocomplete="off" hidden>',
            list_id,
            _("Filter by name…"),
            _("Filter the list by name"),
        )
        return search + box


QUICK = {
    forms.Select: QuickSelect,
    forms.SelectMultiple: QuickSelectMultiple,
}


def quick_widget(widget: forms.Widget, *, checklist: bool) -> forms.Widget:
    """`widget` as its quick counterpart (itself if it has none); checkboxes
    become a `Checklist` only when `checklist` (choices known to be flat)."""
    kind = type(widget)
    if kind is forms.CheckboxSelectMultiple and checklist:
        new: forms.Widget = Checklist(attrs=widget.attrs)
    elif kind in QUICK:
        new = QUICK[kind](attrs=widget.attrs)
    else:
        return widget
    new.choices = widget.choices  # type: ignore[attr-defined]
    new.is_required = widget.is_required
    new.is_localized = widget.is_localized
    return new
