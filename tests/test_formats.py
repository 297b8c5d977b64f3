"""Vietnamese dates and numbers, read and written."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, number_format


class SampleForm(forms.Form):
    day = forms.DateField()
    amount = forms.DecimalField(localize=True, max_digits=14, decimal_places=2)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_day_first_date_is_not_read_as_month_first(language):
    with translation.override(language):
        form = SampleForm({"day": "05/03/2025", "amount": "1"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2025, 3, 5)


def test_vietnamese_number_is_read():
    with translation.override("vi"):
        form = SampleForm({"day": "25/03/2025", "amount": "1.234.567,89"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("1234567.89")


def test_vietnamese_output():
    with translation.override("vi"):
        assert (
            date_format(datetime.date(2025, 3, 25), "SHORT_DATE_FORMAT") == "25/03/2025"
        )
        assert number_format(Decimal("1234567.89"), 2, force_grouping=True) == (
            "1.234.567,89"
        )
        rendered = Template("{{ d }} {{ n }}").render(
            Context({"d": datetime.date(2025, 3, 5), "n": Decimal("64304.5")})
        )
    assert rendered == "05/03/2025 64.304,5"


def test_impossible_date_is_refused_in_vietnamese():
    with translation.override("vi"):
        form = SampleForm({"day": "31/02/2024", "amount": "1"})
        assert not form.is_valid()
        assert form.errors["day"] == ["Nhập một ngày hợp lệ."]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2023", 2023), ("0", 0), ("²", None), ("-1", None), ("1e3", None),
     ("", None), (None, None), ("2147483647", 2147483647), ("2147483648", None)],
)  # fmt: skip
def test_whole_number_reads_only_ascii_digits_in_range(raw, expected):
    from core.formatting import whole_number

    assert whole_number(raw) == expected
