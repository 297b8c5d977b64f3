"""Vietnamese dates and numbers, read and written."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, number_format
from hypothesis import given, settings
from hypothesis import strategies as st


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


@settings(max_examples=200, deadline=None)
@given(
    value=st.one_of(
        # Up to 31 digits: beyond 200, number_format switches to scientific
        # notation, and no figure of the app comes near that.
        st.decimals(min_value=-(10**24), max_value=10**24, places=6),
        st.decimals(min_value=-1, max_value=1, places=12),
        st.integers(min_value=-(10**15), max_value=10**15),
    ),
    places=st.sampled_from([None, 0, 1, 2, 3]),
    language=st.sampled_from(["vi", "en"]),
)
def test_format_number_writes_what_djangos_number_format_writes(
    value, places, language
):
    """format_number is a fast copy of Django's grouped number_format of the
    rounded, trailing-zero-free value: the same text in every language."""
    from core.formatting import format_number

    rounded = Decimal(value)
    if places is not None:
        rounded = rounded.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    rounded = rounded.normalize() if rounded % 1 else int(rounded)
    with translation.override(language):
        assert format_number(value, places) == number_format(
            rounded, force_grouping=True
        )


def test_format_number_in_each_language():
    from core.formatting import format_number

    with translation.override("vi"):
        assert format_number(Decimal("1234567.50")) == "1.234.567,5"
        assert format_number(Decimal("-0.125"), 2) == "-0,13"
        assert format_number(Decimal("1E+3")) == "1.000"
        assert format_number(None) == ""
    with translation.override("en"):
        assert format_number(1234567.5) == "1,234,567.5"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2023", 2023), ("0", 0), ("²", None), ("-1", None), ("1e3", None),
     ("", None), (None, None), ("2147483647", 2147483647), ("2147483648", None)],
)  # fmt: skip
def test_whole_number_reads_only_ascii_digits_in_range(raw, expected):
    from core.formatting import whole_number

    assert whole_number(raw) == expected
