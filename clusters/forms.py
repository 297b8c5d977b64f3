"""Forms of the clusters app. They validate input; services do the writing."""

import datetime
import re
from fractions import Fraction

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.formatting import format_number, whole_number
from core.hygiene import Form, InputLimitsMixin, ModelForm

from . import wording
from .models import (
    BAND_LABELS,
    BAND_NAMES,
    Cluster,
    Membership,
    Role,
    RotationPolicy,
    Term,
    TermState,
    Unit,
    User,
    clean_bands,
    share_of_scale,
)
from .services import RULES_FIXED_STATES


class DateInput(forms.DateInput):
    """A text date field in dd/mm/yyyy (the browser's date picker would send ISO)."""

    def __init__(self, **kwargs):
        attrs = {
            "placeholder": _("dd/mm/yyyy, e.g. 15/12/2025"),
            "inputmode": "numeric",
        }
        super().__init__(attrs=attrs, **kwargs)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids that are not integers of the database's range before querying
    (an oversized id in `pk__in` overflows on SQLite)."""

    def clean(self, value):
        for pk in value or []:
            if whole_number(pk, 2**63 - 1) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)


class UnitForm(ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "short_name", "kind", "valid_from", "valid_to", "successor"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        successors = Unit.objects.filter(authority=authority)
        if self.instance.pk:
            successors = successors.exclude(pk=self.instance.pk)
        self.fields["successor"].queryset = successors
        self.instance.authority = authority


class UnitDeactivateForm(Form):
    valid_to = forms.DateField(label=_("Last day of validity"), widget=DateInput())
    successor = forms.ModelChoiceField(
        label=_("Successor unit"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["successor"].queryset = Unit.objects.filter(
            authority_id=unit.authority_id
        ).exclude(pk=unit.pk)

    def clean_valid_to(self):
        valid_to = self.cleaned_data["valid_to"]
        if valid_to < self.unit.valid_from:
            raise forms.ValidationError(
                _("The end date cannot be before the start date.")
            )
        return valid_to


class ClusterForm(ModelForm):
    class Meta:
        model = Cluster
        fields = [
            "name",
            "kind",
            "founding_decision",
            "rotation_policy",
            "description",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.authority = authority
        if self.instance.pk:
            # Policy changes take effect next year with a reason (rotation settings).
            del self.fields["rotation_policy"]


class MembersChairDeputyFields(Form):
    """Members, and a chair and a deputy among them who are different units."""

    units = ModelMultipleChoiceField(
        label=_("Members"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    chair = forms.ModelChoiceField(
        label=_("Chair unit"), queryset=Unit.objects.none(), required=False
    )
    deputy = forms.ModelChoiceField(
        label=_("Deputy chair unit"), queryset=Unit.objects.none(), required=False
    )

    def name_officers(self, cluster):
        """Label the chair and deputy fields as the cluster's kind calls them."""
        if wording.is_block(cluster):
            self.fields["chair"].label = pgettext_lazy("block", "Chair unit")
            self.fields["deputy"].label = pgettext_lazy("block", "Deputy chair unit")

    def offer_units(self, units):
        """Offer `units` in the members, chair and deputy fields; their
        choices are read from the database once for the three."""
        rows = None
        for name in ("units", "chair", "deputy"):
            if name not in self.fields:
                continue
            field = self.fields[name]
            field.queryset = units
            if rows is None:
                rows = [choice for choice in field.choices if choice[0] != ""]
            empty = [] if field.empty_label is None else [("", field.empty_label)]
            field.widget.choices = empty + rows

    def clean(self):
        data = super().clean()
        chair, deputy = data.get("chair"), data.get("deputy")
        if "units" in self.fields:
            units = data.get("units") or []
            if chair and chair not in units:
                self.add_error("chair", _("The chair must be one of the members."))
            if deputy and deputy not in units:
                self.add_error(
                    "deputy", _("The deputy chair must be one of the members.")
                )
        if chair and deputy and chair == deputy:
            self.add_error(
                "deputy", _("The chair and the deputy chair must be different units.")
            )
        return data


BAND_PARTS = ("min_total", "min_criterion")
BAND_FIELDS = tuple(f"{n}_{part}" for n in BAND_NAMES for part in BAND_PARTS)
RULE_FIELDS = ("total_points", "bonus_cap", "deduction_cap", "late_deduction")


class BandFields:
    """The term's classification bands as one pair of fields per
    band: minimum total in % of the scale and an optional minimum share of
    every criterion; cleaned into `bands` (the stored table)."""

    def add_band_fields(self, bands):
        table = {row["band"]: row for row in clean_bands(bands)}
        self.current_bands = table
        for name in BAND_NAMES:
            title = capfirst(BAND_LABELS[name])
            self.fields[f"{name}_min_total"] = forms.DecimalField(
                label=_("%(band)s: minimum total (%% of the scale)") % {"band": title},
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                initial=table[name]["min_total"],
                required=False,
                help_text=_("Left empty: %(value)s %%.")
                % {"value": format_number(table[name]["min_total"])},
            )
            self.fields[f"{name}_min_criterion"] = forms.DecimalField(
                label=_("%(band)s: minimum share of every criterion (%%)")
                % {"band": title},
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                required=False,
                initial=table[name]["min_criterion"],
                help_text=_("Optional; leave empty for no minimum per criterion."),
            )

    def clean_band_fields(self, data):
        """Replace the band fields of `data` by `bands`; an error on the form
        when the table is not valid."""
        values = {name: data.pop(name, None) for name in BAND_FIELDS}
        if any(name in self.errors for name in BAND_FIELDS):
            return data
        table = [
            {
                "band": name,
                "min_total": self.current_bands[name]["min_total"]
                if values[f"{name}_min_total"] is None
                else values[f"{name}_min_total"],
                "min_criterion": values[f"{name}_min_criterion"],
            }
            for name in BAND_NAMES
        ]
        try:
            data["bands"] = clean_bands(table)
        except forms.ValidationError as error:
            self.add_error(None, error)
        return data


class TermCreateForm(MembersChairDeputyFields, BandFields, ModelForm):
    class Meta:
        model = Term
        fields = [
            "year",
            "label",
            "starts_on",
            "ends_on",
            "report_deadline",
            "total_points",
            "bonus_cap",
            "deduction_cap",
            "late_deduction",
        ]
        widgets = {
            "report_deadline": DateInput(),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }

    def __init__(self, *args, cluster, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.cluster = cluster
        self.name_officers(cluster)
        self.add_band_fields(self.instance.bands)
        for name in RULE_FIELDS[1:]:
            default = Term._meta.get_field(name).default
            self.fields[name].required = False
            self.fields[name].help_text = _("%(help)s Left empty: %(value)s %%.") % {
                "help": self.fields[name].help_text,
                "value": format_number(default),
            }
        self.offer_units(
            Unit.objects.filter(
                authority_id=cluster.authority_id, valid_to__isnull=True
            )
        )
        self.fields["year"].localize = False
        self.fields["year"].widget.is_localized = False

    def clean(self):
        data = self.clean_band_fields(super().clean())
        for name in RULE_FIELDS[1:]:
            if data.get(name) is None and name not in self.errors:
                data[name] = Term._meta.get_field(name).default
        return data


class FractionField(forms.CharField):
    """A share of the members as a fraction ("2/3") or a decimal ("0,5"), cleaned
    to an exact `Fraction` (denominator at most 1000)."""

    default_error_messages = {
        "invalid": _("Enter a fraction such as 2/3 or a decimal such as 0,5."),
    }

    def to_python(self, value):
        text = super().to_python(value).replace(" ", "").replace(",", ".")
        if not text:
            return None
        if len(text) > 20 or not re.fullmatch(r"[0-9]+(\.[0-9]+)?(/[0-9]+)?", text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return Fraction(text).limit_denominator(1000)
        except (ValueError, ZeroDivisionError) as error:
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid"
            ) from error

    def prepare_value(self, value):
        if isinstance(value, Fraction):
            return f"{value.numerator}/{value.denominator}"
        return value


class TermForm(MembersChairDeputyFields, BandFields, ModelForm):
    nomination_quorum = FractionField(
        label=_("Quorum of the nomination vote"),
        help_text=_("Share of all members that must vote, e.g. 2/3."),
    )
    nomination_threshold = FractionField(
        label=_("Threshold of the nomination vote"),
        help_text=_(
            "A nominee needs more than this share of all members' votes, e.g. 1/2."
        ),
    )

    class Meta:
        model = Term
        fields = [
            "label",
            "starts_on",
            "ends_on",
            "report_deadline",
            "reply_deadline",
            "total_points",
            "assessed_method",
            "bonus_cap",
            "deduction_cap",
            "late_deduction",
            "nomination_seats",
        ]
        widgets = {
            "report_deadline": DateInput(),
            "reply_deadline": DateInput(),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["units"]
        self.name_officers(self.instance.cluster)
        self.offer_units(Unit.objects.filter(memberships__term=self.instance))
        self.fields["chair"].initial = self.instance.chair
        self.fields["deputy"].initial = self.instance.deputy
        self.fields["nomination_quorum"].initial = self.instance.nomination_quorum
        self.fields["nomination_threshold"].initial = self.instance.nomination_threshold
        self.add_band_fields(self.instance.bands)
        self.order_fields(
            [
                *self._meta.fields,
                *BAND_FIELDS,
                "nomination_quorum",
                "nomination_threshold",
            ]
        )
        scale = self.instance.total_points
        for name in ("bonus_cap", "deduction_cap", "late_deduction"):
            points = share_of_scale(getattr(self.instance, name), scale)
            self.fields[name].help_text = _(
                "%(help)s Now %(points)s points of %(scale)s."
            ) % {
                "help": self.fields[name].help_text,
                "points": format_number(points),
                "scale": format_number(scale),
            }
        if self.instance.state in RULES_FIXED_STATES:
            for name in (*RULE_FIELDS, *BAND_FIELDS):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed once scoring has started.")

    def clean_nomination_quorum(self):
        quorum = self.cleaned_data["nomination_quorum"]
        if not 0 < quorum <= 1:
            raise forms.ValidationError(
                _("The quorum must be more than 0 and at most 1 (all members).")
            )
        return quorum

    def clean_nomination_threshold(self):
        threshold = self.cleaned_data["nomination_threshold"]
        if not 0 <= threshold < 1:
            raise forms.ValidationError(
                _("The threshold must be at least 0 and less than 1.")
            )
        return threshold

    def clean(self):
        """The two shares become the term's numerator and denominator fields,
        the band fields the term's band table."""
        data = self.clean_band_fields(super().clean())
        for name in ("nomination_quorum", "nomination_threshold"):
            share = data.pop(name, None)
            if share is not None:
                data[f"{name}_numerator"] = share.numerator
                data[f"{name}_denominator"] = share.denominator
        return data


class MembershipAddForm(Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args, term, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            authority_id=term.cluster.authority_id, valid_to__isnull=True
        ).exclude(pk__in=Membership.objects.filter(term=term).values("unit_id"))


class TermTransitionForm(Form):
    to_state = forms.ChoiceField(label=_("Next state"), choices=TermState.choices)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TermReopenForm(Form):
    reason = forms.CharField(
        label=_("Reason for re-opening"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the history and shown on the term page."),
    )


def _validated_password(form, user=None):
    p1 = form.cleaned_data.get("password1")
    p2 = form.cleaned_data.get("password2")
    if p1 and p2 and p1 != p2:
        form.add_error("password2", _("The two passwords do not match."))
        return
    if p1:
        try:
            password_validation.validate_password(p1, user)
        except forms.ValidationError as error:
            form.add_error("password1", error)


class PasswordFields(Form):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Repeat the new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class UserForm(ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "position", "email", "role", "unit", "is_active"]

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.authority = authority
        self.fields["unit"].queryset = Unit.objects.filter(authority=authority)
        self.fields["unit"].help_text = _("Required for unit officers.")

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.UNIT_OFFICER and not data.get("unit"):
            self.add_error("unit", _("A unit officer needs a unit."))
        return data


class UserCreateForm(UserForm, PasswordFields):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("Letters, digits and @/./+/-/_ only."),
    )

    class Meta(UserForm.Meta):
        fields = ["username", *UserForm.Meta.fields]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean(self):
        data = super().clean()
        _validated_password(self)
        return data


class PasswordResetForm(PasswordFields):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        _validated_password(self, self.user)
        return data


class RotationPolicyForm(Form):
    policy = forms.ChoiceField(label=_("New policy"), choices=RotationPolicy.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, cluster=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cluster is not None:
            self.fields["policy"].choices = [
                (policy, wording.policy_label(policy, cluster))
                for policy in RotationPolicy
            ]


class RotationUnitForm(Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = queryset


class RotationMoveForm(RotationUnitForm):
    offset = forms.TypedChoiceField(
        choices=[("-1", "-1"), ("1", "1")], coerce=int, widget=forms.HiddenInput
    )


class RolloverForm(MembersChairDeputyFields):
    reason = forms.CharField(
        label=_("Reason for choosing differently from the proposal"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, term, **kwargs):
        super().__init__(*args, **kwargs)
        self.name_officers(term.cluster)
        self.offer_units(
            Unit.objects.filter(authority_id=term.cluster.authority_id).filter(
                Q(valid_to__isnull=True)
                | Q(valid_to__gte=datetime.date(term.year + 1, 1, 1))
            )
        )


class HandoverForm(Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    occasion = forms.CharField(
        label=_("Occasion"),
        max_length=300,
        initial=_("Year-end emulation conference of the cluster"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    flag_handed_over = forms.BooleanField(
        label=_("The rotating flag (cờ luân lưu) was handed over at the conference"),
        required=False,
    )
    override_reason = forms.CharField(
        label=_("Reason for handing over with open steps (admins only)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, can_override, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_override:
            del self.fields["override_reason"]


class LoginForm(InputLimitsMixin, auth_forms.AuthenticationForm):
    """Django's login form with the project's input limits."""


class PasswordChangeForm(InputLimitsMixin, auth_forms.PasswordChangeForm):
    """Django's password change form with the project's input limits."""
