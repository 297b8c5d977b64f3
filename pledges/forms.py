"""Forms of the pledges app. They validate input; services write."""

from decimal import Decimal

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clusters.forms import DateInput
from core.formatting import parse_decimal
from core.hygiene import Form, ModelForm

from .excel import MAX_UPLOAD_BYTES
from .models import Criterion, Indicator, ScoringRule, Section, Subsection


class SectionForm(ModelForm):
    class Meta:
        model = Section
        fields = ["code", "title", "kind", "max_points"]


class SubsectionForm(ModelForm):
    class Meta:
        model = Subsection
        fields = ["section", "code", "title", "max_points", "source"]

    def __init__(self, *args, pledge, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.pledge = pledge
        self.fields["section"].queryset = pledge.sections.all()


class CriterionForm(ModelForm):
    class Meta:
        model = Criterion
        fields = [
            "section",
            "subsection",
            "code",
            "title",
            "kind",
            "max_points",
            "evidence_required",
            "guidance",
        ]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, pledge, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.pledge = pledge
        self.fields["section"].queryset = pledge.sections.all()
        self.fields["subsection"].queryset = pledge.subsections.all()
        self.fields["subsection"].help_text = _(
            "Only when the section is divided into sub-fields; one of its own."
        )


def bands_from_text(text):
    """[[minimum %, share %], …] from “minimum %: share %” pairs separated by
    “;” (a decimal comma or point); raises ValueError."""
    bands = []
    for part in filter(None, (p.strip() for p in text.strip().split(";"))):
        try:
            low, share = (Decimal(x.strip().replace(",", ".")) for x in part.split(":"))
        except ArithmeticError as error:
            raise ValueError(part) from error
        if not (low.is_finite() and share.is_finite()):
            raise ValueError(part)
        bands.append([float(low), float(share)])
    return bands


class IndicatorForm(ModelForm):
    cap = forms.DecimalField(
        # xgettext:no-python-format
        label=_("Cap (% of plan)"),
        required=False,
        min_value=Decimal(0),
        initial=100,
    )
    floor = forms.DecimalField(
        # xgettext:no-python-format
        label=_("Floor (% of plan, below it 0 points)"),
        required=False,
        min_value=Decimal(0),
        initial=50,
    )
    growth_full = forms.DecimalField(
        # xgettext:no-python-format
        label=_("Growth for full points (% over last year's actual)"),
        required=False,
        min_value=Decimal(0),
        initial=10,
        localize=True,
        help_text=_(
            "For the growth rule: this growth or more earns all the points, less "
            "earns them in proportion, no growth earns none."
        ),
    )
    bands = forms.CharField(
        label=_("Bands"),
        required=False,
        help_text=_(
            "For the bands rule: “minimum %: share %” pairs, e.g. 100:100; 90:80"
        ),
    )

    class Meta:
        model = Indicator
        fields = [
            "criterion",
            "code",
            "title",
            "unit_of_measure",
            "direction",
            "aggregation",
            "rule",
            "weight",
        ]
        localized_fields = ["weight"]

    def __init__(self, *args, pledge, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.pledge = pledge
        self.fields["criterion"].queryset = pledge.criteria.filter(kind="indicator")
        # Left empty, an indicator weighs as much as the others (1).
        self.fields["weight"].required = False
        params = self.instance.params or {}
        self.fields["cap"].initial = params.get("cap", 100)
        self.fields["floor"].initial = params.get("floor", 50)
        self.fields["growth_full"].initial = params.get("full", 10)
        self.fields["bands"].initial = "; ".join(
            f"{low}:{share}" for low, share in params.get("bands", [])
        )

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        return Decimal(1) if weight is None else weight

    def clean_bands(self):
        try:
            return bands_from_text(self.cleaned_data["bands"])
        except ValueError as error:
            raise forms.ValidationError(
                _("Write bands as “minimum %: share %” separated by “;”.")
            ) from error

    def clean(self):
        data = super().clean()
        rule = data.get("rule")
        if rule == ScoringRule.BANDS and not data.get("bands"):
            self.add_error("bands", _("The bands rule needs at least one band."))
        if rule == ScoringRule.PROPORTIONAL:
            cap = data.get("cap") if data.get("cap") is not None else Decimal(100)
            floor = data.get("floor") if data.get("floor") is not None else Decimal(50)
            if floor >= cap:
                self.add_error("floor", _("The floor must be below the cap."))
        if rule == ScoringRule.GROWTH and data.get("growth_full") == 0:
            self.add_error(
                "growth_full", _("The growth for full points must be above 0.")
            )
        return data

    def service_fields(self):
        """The cleaned data as `indicator_save` takes it (rule parameters in one
        dict)."""
        data = dict(self.cleaned_data)
        cap, floor, bands = data.pop("cap"), data.pop("floor"), data.pop("bands")
        full = data.pop("growth_full")
        rule = data["rule"]
        if rule == ScoringRule.PROPORTIONAL:
            data["params"] = {
                "cap": float(cap if cap is not None else 100),
                "floor": float(floor if floor is not None else 50),
            }
        elif rule == ScoringRule.BANDS:
            data["params"] = {"bands": bands}
        elif rule == ScoringRule.GROWTH:
            data["params"] = {"full": float(full if full is not None else 10)}
        else:
            data["params"] = {}
        return data


class SignForm(Form):
    """The unit's leader who signs, as the document prints them; left empty,
    the document leaves the lines to fill in by hand."""

    signs_for = forms.CharField(
        label=_("Signing for (KT.)"),
        max_length=150,
        required=False,
        help_text=_(
            "When a deputy signs for the head: the head's title, e.g. "
            "“Chủ tịch”. Empty when the head signs."
        ),
    )
    signer_title = forms.CharField(
        label=_("Signer's title"),
        max_length=150,
        required=False,
        help_text=_("e.g. Phó Chủ tịch or Giám đốc Sở Tài chính"),
    )
    signer_name = forms.CharField(
        label=_("Signer's full name"),
        max_length=150,
        required=False,
        help_text=_("The leader who signs, not who records the signature."),
    )
    signed_on = forms.DateField(label=_("Date signed"), widget=DateInput())


class AmendForm(Form):
    reason = forms.CharField(
        label=_("Reason for the amendment"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TemplateForm(Form):
    name = forms.CharField(label=_("Template name"), max_length=200)


class TargetsImportForm(Form):
    """An .xlsx upload of at most MAX_UPLOAD_BYTES; a subclass for another
    workbook sets its own `help_text`."""

    help_text = None
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("The template downloaded from the targets page, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.help_text:
            self.fields["file"].help_text = self.help_text

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload is None:  # the previewed file kept on the server is applied
            return None
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("Choose an Excel workbook (.xlsx), such as the template.")
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB."),
                params={"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        return upload


class TreeImportForm(TargetsImportForm):
    help_text = _("The criteria template downloaded from this page, at most 5 MB.")


# Reports ---------------------------------------------------------------------


class ReportNumberField(forms.DecimalField):
    """A number typed the user's way ("1.234,5" in Vietnamese, read through
    `sanitize_separators`), from 0 to `max_value`, rounded to `places`."""

    def __init__(self, *, max_value, places, max_message=None, **kwargs):
        messages = {
            "invalid": _("Enter a number such as 1.234,5."),
            "min_value": _("The value cannot be negative."),
            "max_value": max_message or _("The value is too large."),
        }
        super().__init__(
            required=False,
            localize=True,
            min_value=Decimal(0),
            max_value=max_value,
            error_messages=messages,
            widget=forms.TextInput(
                attrs={
                    "inputmode": "decimal",
                    "autocomplete": "off",
                    "class": "form-control form-control-sm text-end",
                }
            ),
            **kwargs,
        )
        self.places = places

    def to_python(self, value):
        """Read through `core.formatting.parse_decimal`, the reader the
        Excel imports share, in the active language."""
        if isinstance(value, str):
            try:
                value = parse_decimal(value, get_language())
            except (ValueError, ArithmeticError) as error:
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid"
                ) from error
        return super().to_python(value)

    def clean(self, value):
        from decimal import ROUND_HALF_UP

        value = super().clean(value)
        if value is not None:
            value = value.quantize(Decimal(1).scaleb(-self.places), ROUND_HALF_UP)
        return value


class ReportSectionForm(Form):
    """What every section form of a report carries: which section, and the
    report version the page was loaded with (optimistic locking)."""

    section = forms.ChoiceField(
        choices=[
            ("indicators", "indicators"),
            ("criteria", "criteria"),
            ("commendations", "commendations"),
            ("summary", "summary"),
        ],
        widget=forms.HiddenInput,
    )
    version = forms.IntegerField(
        min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )


class ReportSubmitForm(Form):
    version = forms.IntegerField(
        min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )


class ReportIndicatorsForm(Form):
    """The actual value and a note for each indicator of the pledge."""

    def __init__(self, *args, indicators, **kwargs):
        from .models import LARGEST_VALUE

        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[f"actual_{indicator.pk}"] = ReportNumberField(
                label=_("Actual value of %(code)s") % {"code": indicator.code},
                max_value=LARGEST_VALUE - Decimal("0.0001"),
                places=4,
            )
            self.fields[f"note_{indicator.pk}"] = forms.CharField(
                label=_("Note on %(code)s") % {"code": indicator.code},
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def rows(self):
        """{indicator: (actual, note)} as `report_save_section` takes it."""
        return {
            i: (
                self.cleaned_data[f"actual_{i.pk}"],
                self.cleaned_data[f"note_{i.pk}"].strip(),
            )
            for i in self.indicators
        }


class ReportCriteriaForm(Form):
    """Points (0 to the criterion's maximum) and an explanation for each
    criterion scored by people."""

    def __init__(self, *args, criteria, **kwargs):
        from core.formatting import format_number

        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"points_{criterion.pk}"] = ReportNumberField(
                label=_("Self-score of %(code)s") % {"code": criterion.code},
                max_value=criterion.max_points,
                max_message=_("Points go from 0 to %(max)s.")
                % {"max": format_number(criterion.max_points)},
                places=2,
            )
            self.fields[f"explanation_{criterion.pk}"] = forms.CharField(
                label=_("Explanation of %(code)s") % {"code": criterion.code},
                required=False,
                max_length=10000,
                widget=forms.Textarea(
                    attrs={"rows": 2, "class": "form-control form-control-sm"}
                ),
            )

    def rows(self):
        """{criterion: (points, explanation)} as `report_save_section` takes it."""
        return {
            c: (
                self.cleaned_data[f"points_{c.pk}"],
                self.cleaned_data[f"explanation_{c.pk}"].strip(),
            )
            for c in self.criteria
        }


def _count_field(label):
    return forms.IntegerField(
        label=label,
        required=False,
        localize=True,
        min_value=0,
        max_value=10**9,
        error_messages={
            "invalid": _("Enter a whole number such as 1.234."),
            "min_value": _("The value cannot be negative."),
            "max_value": _("The value is too large."),
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "class": "form-control form-control-sm text-end",
            }
        ),
    )


class CommendationRowForm(Form):
    """One form of commendation the unit awarded, with how many collectives and
    individuals received it. A row left blank is ignored."""

    title = forms.CharField(
        label=_("Form of commendation"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    collectives = _count_field(_("Collectives"))
    individuals = _count_field(_("Individuals"))

    def clean(self):
        data = super().clean()
        title = (data.get("title") or "").strip()
        if not title and (data.get("collectives") or data.get("individuals")):
            self.add_error("title", _("Name the form of commendation."))
        return data


class BaseCommendationFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        titles = [t.casefold() for t, _c, _i in self.rows()]
        if len(set(titles)) != len(titles):
            raise forms.ValidationError(_("Name each form of commendation once."))

    def rows(self):
        """[(form, collectives, individuals)] of the rows that are filled in."""
        return [
            (
                f.cleaned_data["title"].strip(),
                f.cleaned_data.get("collectives") or 0,
                f.cleaned_data.get("individuals") or 0,
            )
            for f in self.forms
            if (f.cleaned_data.get("title") or "").strip()
        ]


CommendationFormSet = forms.formset_factory(
    CommendationRowForm,
    formset=BaseCommendationFormSet,
    extra=3,
    max_num=100,
    absolute_max=120,
    validate_max=True,
)


class ReportSummaryForm(Form):
    summary = forms.CharField(
        label=_("Summary of the year"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
    )


class EvidenceUploadForm(Form):
    criterion = forms.ModelChoiceField(
        queryset=Criterion.objects.none(), widget=forms.HiddenInput
    )
    file = forms.FileField(
        label=_("Evidence file"),
        help_text=_("PDF, Word (.docx), Excel (.xlsx), JPG or PNG, at most 10 MB."),
    )

    def __init__(self, *args, pledge, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = pledge.criteria.exclude(kind="indicator")


class ReportReturnForm(Form):
    """A reason for each row the reviewer returns; a row is returned when its
    reason is filled in."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for key, label, _item in self.items:
            self.fields[f"reason_{key}"] = forms.CharField(
                label=label,
                required=False,
                max_length=2000,
                widget=forms.Textarea(
                    attrs={"rows": 1, "class": "form-control form-control-sm"}
                ),
            )

    def clean(self):
        data = super().clean()
        if not self.errors and not self.returned():
            raise forms.ValidationError(
                _("Write the reason of at least one item to return.")
            )
        return data

    def returned(self):
        """[(item, reason)] of the rows with a reason; `item` as given."""
        return [
            (item, self.cleaned_data[f"reason_{key}"].strip())
            for key, _label, item in self.items
            if (self.cleaned_data.get(f"reason_{key}") or "").strip()
        ]


class DeadlineExtensionForm(Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    until = forms.DateField(label=_("Extended until"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
