"""Forms of the campaigns app. They validate input; services write."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from clusters.forms import DateInput, ModelMultipleChoiceField
from clusters.models import Cluster, Unit
from core.hygiene import Form, ModelForm
from pledges.forms import ReportNumberField

from .models import (
    LARGEST_FIGURE,
    Campaign,
    CampaignKind,
    CampaignScope,
    CampaignState,
    ExemplarKind,
)
from .services import CAMPAIGN_TRANSITIONS, DECISION_FIELDS

METRIC_HELP = _(
    "One figure per line: its name, a “|” and its unit of measure, e.g. "
    "“Activities held | activities”."
)


class CampaignForm(ModelForm):
    """The campaign's content, scope and deadlines. Once launched, a change of
    the launching decision needs a reason."""

    clusters = ModelMultipleChoiceField(
        label=_("Clusters and blocks in scope"),
        queryset=Cluster.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    units = ModelMultipleChoiceField(
        label=_("Units in scope"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,  # a checklist with a filter box
    )
    metrics = forms.CharField(
        label=_("Figures units report"),
        required=False,
        max_length=5000,
        help_text=METRIC_HELP,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label=_("Reason for changing the launching decision"),
        required=False,
        max_length=1000,
        help_text=_("Required when the decision of a launched campaign changes."),
    )
    version = forms.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Campaign
        fields = [
            "kind",
            "title",
            "slogan",
            "launched_by",
            "decision_number",
            "decision_date",
            "decision_signer",
            "start_date",
            "end_date",
            "scope",
            "clusters",
            "units",
            "expected_outcomes",
            "registration_deadline",
            "midterm_deadline",
            "final_deadline",
        ]
        widgets = {
            "slogan": forms.Textarea(attrs={"rows": 2}),
            "expected_outcomes": forms.Textarea(attrs={"rows": 3}),
            "decision_date": DateInput(),
            "start_date": DateInput(),
            "end_date": DateInput(),
            "registration_deadline": DateInput(),
            "midterm_deadline": DateInput(),
            "final_deadline": DateInput(),
            "scope": forms.RadioSelect,
        }

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.authority = authority
        self.fields["clusters"].queryset = Cluster.objects.filter(
            authority=authority, is_active=True
        ).order_by("kind", "name")
        self.fields["units"].queryset = Unit.objects.filter(
            authority=authority, valid_to__isnull=True
        ).order_by("name")
        if self.instance.pk:
            self.fields["clusters"].queryset = Cluster.objects.filter(
                authority=authority
            ).order_by("kind", "name")
            self.fields["units"].queryset = Unit.objects.filter(
                authority=authority
            ).order_by("name")
            self.initial.setdefault(
                "metrics",
                "\n".join(
                    f"{m.title} | {m.unit_of_measure}"
                    for m in self.instance.metrics.all()
                ),
            )
            self.initial["version"] = self.instance.version
        if not self.instance.pk or self.instance.is_draft:
            del self.fields["reason"]

    def clean_metrics(self):
        rows = []
        for line in self.cleaned_data["metrics"].splitlines():
            if not line.strip():
                continue
            title, bar, unit_of_measure = line.partition("|")
            if not bar or not title.strip() or not unit_of_measure.strip():
                raise forms.ValidationError(METRIC_HELP)
            rows.append((title.strip(), unit_of_measure.strip()))
        return rows

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The campaign cannot end before it starts."))
        scope = data.get("scope")
        if scope == CampaignScope.CLUSTERS and not data.get("clusters"):
            self.add_error(
                "clusters", _("Choose the clusters and blocks the campaign reaches.")
            )
        if scope == CampaignScope.UNITS and not data.get("units"):
            self.add_error("units", _("Choose the units the campaign reaches."))
        return data

    def _post_clean(self):
        # The service validates and writes; the model's own checks would only
        # repeat its messages.
        pass

    def service_fields(self):
        """The cleaned data as `campaign_create` / `campaign_update` take it."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("reason", None)
        return data

    @property
    def decision_fields(self):
        return DECISION_FIELDS


class TransitionForm(Form):
    to_state = forms.ChoiceField(choices=CampaignState.choices)
    reason = forms.CharField(required=False, max_length=1000)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = CAMPAIGN_TRANSITIONS[CampaignState(campaign.state)]
        self.fields["to_state"].choices = [
            (value, label) for value, label in CampaignState.choices if value in allowed
        ]


class UploadForm(Form):
    file = forms.FileField(label=_("File"))


class ExemplarForm(Form):
    """A collective or person the unit puts forward. A blank row is ignored."""

    kind = forms.ChoiceField(
        label=_("Collective or individual"),
        choices=ExemplarKind.choices,
        initial=ExemplarKind.INDIVIDUAL,
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    position = forms.CharField(
        label=_("Position or organisation"), required=False, max_length=200
    )
    achievement = forms.CharField(
        label=_("Achievement"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        name = (data.get("name") or "").strip()
        achievement = (data.get("achievement") or "").strip()
        if name and not achievement:
            self.add_error("achievement", _("Say what the exemplar achieved."))
        if achievement and not name:
            self.add_error("name", _("Give the exemplar's name."))
        return data


ExemplarFormSet = forms.formset_factory(
    ExemplarForm, extra=2, max_num=50, absolute_max=60, validate_max=True
)


class ReportForm(Form):
    """A unit's registration (its commitment) or mid-term or final report (the
    activities, one value per figure of the campaign). Exemplars come in a
    formset beside it."""

    version = forms.IntegerField(
        min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    def __init__(self, *args, kind, metrics, **kwargs):
        super().__init__(*args, **kwargs)
        self.metrics = list(metrics)
        if kind == "registration":
            self.fields["commitment"] = forms.CharField(
                label=_("What the unit commits to"),
                required=False,
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 6}),
                help_text=_(
                    "Targets, activities and the results the unit aims for in "
                    "this campaign."
                ),
            )
            self.metrics = []
            return
        self.fields["activities"] = forms.CharField(
            label=_("Activities and results"),
            required=False,
            max_length=50000,
            widget=forms.Textarea(attrs={"rows": 8}),
            help_text=_(
                "How the unit carried out the campaign: plans issued, activities "
                "held, results, how it fitted local conditions."
            ),
        )
        for metric in self.metrics:
            self.fields[f"m{metric.pk}"] = ReportNumberField(
                label=f"{metric.title} ({metric.unit_of_measure})",
                max_value=LARGEST_FIGURE - Decimal("0.0001"),
                places=4,
            )

    def figures(self):
        """{metric: value} as `report_save` takes it."""
        return {m: self.cleaned_data.get(f"m{m.pk}") for m in self.metrics}


class ReturnForm(Form):
    reason = forms.CharField(
        label=_("Reason for returning"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(Form):
    held_on = forms.DateField(
        label=_("Review conference date"), required=False, widget=DateInput()
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("How the campaign was carried out and what it achieved overall."),
    )
    highlights = forms.CharField(
        label=_("Highlights"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Outstanding units, models and ways of working worth spreading."),
    )
    shortcomings = forms.CharField(
        label=_("Shortcomings and lessons"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RuleForm(Form):
    points_per_campaign = ReportNumberField(
        label=_("Points per campaign"),
        max_value=Decimal("9999.99"),
        places=2,
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of campaign counted"),
        choices=CampaignKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none to count every kind."),
    )

    def clean_points_per_campaign(self):
        value = self.cleaned_data["points_per_campaign"]
        if value is None or value <= 0:
            raise forms.ValidationError(
                _("Give the points per campaign (more than 0).")
            )
        return value


class ListFilterForm(Form):
    """The filters of the campaign list; invalid values are ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *CampaignKind.choices],
    )
    year = forms.TypedChoiceField(
        label=_("Year"), required=False, coerce=int, empty_value=None, choices=[]
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *CampaignState.choices],
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        required=False,
        choices=[("", _("Any scope")), *CampaignScope.choices],
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [
            (str(y), str(y)) for y in years
        ]
