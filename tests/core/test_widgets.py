"""The quick choice widgets write what Django's and crispy's templates would:
the same options, chosen the same, escaped the same."""

import re

import pytest
from django import forms
from django.template import Context, Template

from clusters.models import Unit
from core import widgets
from core.hygiene import Form
from tests.clusters.factories import AuthorityFactory, UnitFactory

OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')
BOX = re.compile(
    r'<input type="checkbox" class="([^"]*)" name="units" value="(\d+)" '
    r'id="(id_units_\d+)"( checked)?><label for="\3" class="form-check-label">'
    r"([^<]*)</label>"
)


def _forms(offered):
    class Plain(forms.Form):  # Django's widgets
        chair = forms.ModelChoiceField(queryset=offered, required=False)
        units = forms.ModelMultipleChoiceField(queryset=offered, required=False)

    class Quick(Form):  # the project's: core.hygiene puts the quick widgets on
        chair = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False)
        units = forms.ModelMultipleChoiceField(
            queryset=Unit.objects.none(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name in ("chair", "units"):
                self.fields[name].queryset = offered

    return Plain, Quick


def _options(html):
    return [(value, bool(on), label) for value, on, label in OPTION.findall(html)]


@pytest.mark.django_db
def test_quick_select_offers_and_chooses_what_djangos_select_does():
    authority = AuthorityFactory()
    units = [
        UnitFactory(authority=authority, name=name)
        for name in ("Xã Đông", 'Phường <b>"A" & B</b>', "Xã Ân")
    ]
    queryset = Unit.objects.filter(authority=authority).order_by("name")
    plain, quick = _forms(queryset)
    for data in ({}, {"chair": str(units[1].pk)}):
        django_html = str(plain(data)["chair"])
        quick_form = quick(data)
        assert type(quick_form.fields["chair"].widget) is widgets.QuickSelect
        quick_html = str(quick_form["chair"])
        # The same options (Vietnamese order aside), the same one chosen.
        assert sorted(_options(quick_html)) == sorted(_options(django_html))
        assert len(_options(quick_html)) == 4
    assert "&lt;b&gt;&quot;A&quot; &amp; B&lt;/b&gt;" in quick_html
    assert [label for _v, _c, label in _options(quick_html)][1:] == [
        "Phường &lt;b&gt;&quot;A&quot; &amp; B&lt;/b&gt;",
        "Xã Ân",
        "Xã Đông",
    ]  # Vietnamese order: Ân before Đông


def _checklist(count, ticked, **form_kwargs):
    authority = AuthorityFactory()
    units = [
        UnitFactory(authority=authority, name=f"Xã Thử {n:02d}") for n in range(count)
    ]
    queryset = Unit.objects.filter(authority=authority)
    _plain, quick = _forms(queryset)
    data = {"units": [str(units[n].pk) for n in ticked]}
    form = quick(data, **form_kwargs)
    template = Template("{% load crispy_forms_tags %}{{ form|crispy }}")
    return units, form, template.render(Context({"form": form}))


@pytest.mark.django_db
def test_short_checklist_keeps_its_order_and_has_no_filter():
    units, form, html = _checklist(widgets.FILTER_FROM, ticked=[3, 7])
    assert type(form.fields["units"].widget) is widgets.Checklist
    boxes = BOX.findall(html)
    assert [label for *_rest, label in boxes] == [u.name for u in units]
    assert [label for *_r, checked, label in boxes if checked] == [
        "Xã Thử 03",
        "Xã Thử 07",
    ]
    assert [box_id for _c, _v, box_id, _k, _l in boxes][:2] == [
        "id_units_0",
        "id_units_1",
    ]
    assert "data-checklist-filter" not in html
    assert "<legend" in html  # a fieldset named by the field's label


@pytest.mark.django_db
def test_long_checklist_lists_its_ticked_rows_first_under_a_filter_box():
    units, _form, html = _checklist(widgets.FILTER_FROM + 5, ticked=[18, 2])
    boxes = BOX.findall(html)
    assert len(boxes) == len(units)
    labels = [label for *_rest, label in boxes]
    assert labels[:2] == ["Xã Thử 02", "Xã Thử 18"]
    assert labels[2:] == [u.name for n, u in enumerate(units) if n not in (2, 18)]
    # Each row keeps the id of its place in the choices (its label's target).
    assert boxes[0][2] == "id_units_2"
    search = re.search(r"<input type=\"search\"[^>]*>", html).group(0)
    assert 'data-checklist-filter="id_units_list"' in search
    assert " hidden" in search  # shown by static/js/checklist.js
    assert 'id="id_units_list"' in html


@pytest.mark.django_db
def test_checklist_marks_itself_and_its_boxes_invalid_with_the_field():
    class Required(Form):
        units = forms.ModelMultipleChoiceField(
            queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
        )

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["units"].queryset = Unit.objects.all()

    UnitFactory.create_batch(widgets.FILTER_FROM + 1)
    form = Required({})
    assert not form.is_valid()
    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(
        Context({"form": form})
    )
    assert all("is-invalid" in classes for classes, *_rest in BOX.findall(html))
    assert 'class="checklist checklist-long is-invalid"' in html
    assert 'id="error_1_id_units"' in html
