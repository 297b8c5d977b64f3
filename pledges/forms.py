"""Forms of the pledges app. They validate input; services write."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from clusters.forms import DateInput

from .excel import MAX_UPLOAD_BYTES
from .models import Criterion, Indicator, ScoringRule, Section


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["code", "title", "kind", "max_points"]


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = [
            "section",
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


class IndicatorForm(forms.ModelForm):
    cap = forms.DecimalField(
        label=_("Cap (% of plan)"), required=False, min_value=Decimal(0), initial=100
    )
    floor = forms.DecimalField(
        label=_("Floor (% of plan, below it 0 points)"),
        required=False,
        min_value=Decimal(0),
        initial=50,
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
        ]

    def __init__(self, *args, pledge, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.pledge = pledge
        self.fields["criterion"].queryset = pledge.criteria.filter(kind="indicator")
        params = self.instance.params or {}
        self.fields["cap"].initial = params.get("cap", 100)
        self.fields["floor"].initial = params.get("floor", 50)
        self.fields["bands"].initial = "; ".join(
            f"{low}:{share}" for low, share in params.get("bands", [])
        )

    def clean_bands(self):
        text = self.cleaned_data["bands"].strip()
        bands = []
        for part in filter(None, (p.strip() for p in text.split(";"))):
            try:
                low, share = (
                    Decimal(x.strip().replace(",", ".")) for x in part.split(":")
                )
            except (ValueError, ArithmeticError) as error:
                raise forms.ValidationError(
                    _("Write bands as “minimum %: share %” separated by “;”.")
                ) from error
            bands.append([float(low), float(share)])
        return bands

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
        return data

    def service_fields(self):
        """The cleaned data as `indicator_save` takes it (rule parameters in one
        dict)."""
        data = dict(self.cleaned_data)
        cap, floor, bands = data.pop("cap"), data.pop("floor"), data.pop("bands")
        rule = data["rule"]
        if rule == ScoringRule.PROPORTIONAL:
            data["params"] = {
                "cap": float(cap if cap is not None else 100),
                "floor": float(floor if floor is not None else 50),
            }
        elif rule == ScoringRule.BANDS:
            data["params"] = {"bands": bands}
        else:
            data["params"] = {}
        return data


class SignForm(forms.Form):
    signer_name = forms.CharField(label=_("Signer's full name"), max_length=150)
    signer_title = forms.CharField(
        label=_("Signer's title"),
        max_length=150,
        help_text=_("e.g. Chủ tịch UBND huyện"),
    )
    signed_on = forms.DateField(label=_("Date signed"), widget=DateInput())


class AmendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the amendment"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Template name"), max_length=200)


class TargetsImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("The template downloaded from the targets page, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
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
