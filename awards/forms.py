"""Forms of the awards app. They validate input; services do the writing."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from clusters.forms import DateInput, FractionField, ModelMultipleChoiceField
from core.hygiene import Form, ModelForm

from .models import AwardForm, IssuerKind, Nominee, Proposal, SigningCapacity
from .services.votes import tier_field

ABSTAIN = "abstain"
TIER_FIELDS = ("seats", "candidates", "threshold")


class BallotForm(Form):
    """One field per question, named by its code: radio buttons with an explicit
    "abstain" choice when one candidate may be chosen (so nobody abstains by
    forgetting a question), checkboxes when several may (none ticked abstains)."""

    def __init__(self, *args, vote, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(vote.questions.all())
        for question in self.questions:
            candidates = [
                (str(option.pk), option.unit.name) for option in question.options.all()
            ]
            if question.max_choices == 1:
                self.fields[question.code] = forms.ChoiceField(
                    label=question.title,
                    choices=[*candidates, (ABSTAIN, _("Abstain (choose nobody)"))],
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": _("Choose a candidate or “Abstain”."),
                    },
                )
            else:
                self.fields[question.code] = forms.MultipleChoiceField(
                    label=question.title,
                    choices=candidates,
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                    help_text=ngettext_lazy(
                        "Choose at most %(count)d candidate; tick none to abstain.",
                        "Choose at most %(count)d candidates; tick none to abstain.",
                        "count",
                    )
                    % {"count": question.max_choices},
                )

    def clean(self):
        data = super().clean()
        for question in self.questions:
            chosen = data.get(question.code)
            if isinstance(chosen, list) and len(chosen) > question.max_choices:
                self.add_error(
                    question.code,
                    ngettext_lazy(
                        "Choose at most %(count)d candidate.",
                        "Choose at most %(count)d candidates.",
                        "count",
                    )
                    % {"count": question.max_choices},
                )
        return data

    def choices(self):
        """{question code: [option ids]} for `services.ballot_cast`."""
        result = {}
        for question in self.questions:
            chosen = self.cleaned_data.get(question.code) or []
            if isinstance(chosen, str):
                chosen = [] if chosen == ABSTAIN else [chosen]
            result[question.code] = [int(pk) for pk in chosen]
        return result


class NominationOpenForm(Form):
    """One block per award tier (`selectors.TierSetup`): the seats to fill
    (empty: the tier is not voted on), the candidates (ticked by default: the
    units ranked within the leading tier's seats) and an optional threshold of
    its own. Field names come from `services.tier_field`; the service checks
    everything again."""

    def __init__(self, *args, choices, tiers, **kwargs):
        """`choices` is a list of (unit, label) for every member, best ranked
        first; `tiers` the `TierSetup`s, highest first."""
        super().__init__(*args, **kwargs)
        self.units = {str(unit.pk): unit for unit, _label in choices}
        most = max(len(choices), 1)
        self.tiers = []
        for tier in tiers:
            names = {n: tier_field(tier.code, n) for n in TIER_FIELDS}
            title = tier.form.name if tier.form is not None else _("Leading units")
            seats = forms.IntegerField(
                label=_("Units to nominate for %(form)s") % {"form": title},
                min_value=1,
                required=False,
                help_text=_(
                    "Each member ticks at most this many candidates. Leave empty "
                    "not to vote on this award."
                ),
            )
            seats.validators.append(MaxValueValidator(most))
            seats.widget.attrs["max"] = most
            self.fields[names["seats"]] = seats
            self.fields[names["candidates"]] = forms.MultipleChoiceField(
                label=_("Candidates for %(form)s") % {"form": title},
                choices=[(str(unit.pk), label) for unit, label in choices],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            self.fields[names["threshold"]] = FractionField(
                label=_("Threshold for %(form)s") % {"form": title},
                required=False,
                help_text=_(
                    "Empty: the term's threshold. Otherwise a share of all "
                    "members, e.g. 2/3."
                ),
            )
            self.initial.setdefault(names["seats"], tier.seats)
            self.initial.setdefault(
                names["candidates"], [str(pk) for pk in tier.candidates]
            )
            self.tiers.append((tier, title, names))

    def blocks(self):
        """(title, [bound fields]) of every tier, for the template."""
        return [
            (title, [self[names[n]] for n in TIER_FIELDS])
            for _tier, title, names in self.tiers
        ]

    def clean(self):
        data = super().clean()
        held = 0
        for _tier, _title, names in self.tiers:
            seats = data.get(names["seats"])
            candidates = data.get(names["candidates"]) or []
            if seats is None and not candidates:
                continue
            held += 1
            if not candidates:
                self.add_error(names["candidates"], _("Choose at least one candidate."))
            elif seats is None and names["seats"] not in self.errors:
                self.add_error(
                    names["seats"],
                    _(
                        "Give the number of units to nominate, or untick every "
                        "candidate."
                    ),
                )
            elif seats is not None and seats > len(candidates):
                self.add_error(
                    names["seats"],
                    ngettext_lazy(
                        "Nominate at most %(count)d unit: there is %(count)d "
                        "candidate.",
                        "Nominate at most %(count)d units: there are %(count)d "
                        "candidates.",
                        "count",
                    )
                    % {"count": len(candidates)},
                )
        if not held and not self.errors:
            raise forms.ValidationError(_("Choose at least one award form to vote on."))
        return data

    def chosen_tiers(self):
        """The tiers voted on, for `services.nomination_open`: dicts
        {award_form, seats, candidates (units, in the order of the list),
        threshold}."""
        tiers = []
        for tier, _title, names in self.tiers:
            seats = self.cleaned_data.get(names["seats"])
            if seats is None:
                continue
            chosen = set(self.cleaned_data.get(names["candidates"]) or [])
            tiers.append(
                {
                    "award_form": tier.form,
                    "seats": seats,
                    "candidates": [
                        unit for pk, unit in self.units.items() if pk in chosen
                    ],
                    "threshold": self.cleaned_data.get(names["threshold"]),
                }
            )
        return tiers


# Catalogue, proposals, decisions, registry -----------------------------------


class AwardFormEditForm(ModelForm):
    """A catalogue row; rules are JSON (see `awards.catalogue_defaults`)."""

    prerequisites = forms.JSONField(
        label=_("Prerequisites (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "A list of rules, e.g. "
            '[{"kind": "consecutive_years", "forms": ["cstd-co-so"], "count": 3}].'
        ),
    )
    quota = forms.JSONField(
        label=_("Quota rule (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'Empty, or e.g. {"kind": "share_of_members", "percent": 20, '
            '"rounding": "up", "minimum": 1}.'
        ),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = AwardForm
        fields = [
            "name",
            "level",
            "recipient_kind",
            "award_type",
            "multiplier",
            "ranking_bonus",
            "legal_source",
            "unconfirmed",
            "prerequisites",
            "quota",
            "position",
            "is_active",
        ]
        widgets = {"unconfirmed": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("multiplier", "ranking_bonus"):
            self.fields[name].localize = True
            self.fields[name].widget.is_localized = True

    def clean_prerequisites(self):
        return self.cleaned_data.get("prerequisites") or []


class BaseSalaryForm(Form):
    amount = forms.DecimalField(
        label=_("Amount (VND)"),
        max_digits=12,
        decimal_places=0,
        min_value=1,
        localize=True,
    )
    effective_from = forms.DateField(label=_("In force from"), widget=DateInput())
    legal_source = forms.CharField(
        label=_("Legal source"), max_length=200, required=False
    )


class ProposalForm(Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    number = forms.CharField(
        label=_("Number of the submission"),
        max_length=50,
        required=False,
        help_text=_("e.g. “12/TTr-CTĐ”; may be added later."),
    )
    summary = forms.CharField(
        label=_("Summary of achievements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    comments_open_until = forms.DateField(
        label=_("Public comments open until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for no public comment page."),
    )


class TermProposalForm(ProposalForm):
    prefill = forms.BooleanField(
        label=_("Fill in the nominees chosen by the nomination vote"),
        required=False,
        initial=True,
        help_text=_(
            "Each unit the members chose is proposed for its tier's award form, "
            "with its votes as achievements; edit them afterwards."
        ),
    )


class CampaignProposalForm(ProposalForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    field_order = ["title", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].localize = False
        self.fields["year"].widget.is_localized = False


class ProposalEditForm(ProposalForm):
    quota_reason = forms.CharField(
        label=_("Reason for exceeding a quota"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class _RecipientForm(Form):
    """An award form and who receives it: a unit (from `units`) or a person by
    name, exactly one of the two. Subclasses word the unit field and the error."""

    unit_label = _("Unit")
    unit_help = _("For a collective. Leave empty for a person.")
    recipient_error = _("Choose a unit or enter a person's name.")

    award_form = forms.ModelChoiceField(
        label=_("Award form"), queryset=AwardForm.objects.none()
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    person_name = forms.CharField(
        label=_("Person's full name"), max_length=150, required=False
    )
    person_position = forms.CharField(
        label=_("Person's position"), max_length=200, required=False
    )
    person_organisation = forms.CharField(
        label=_("Person's organisation"), max_length=200, required=False
    )

    def __init__(self, *args, forms_queryset, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_form"].queryset = forms_queryset
        self.fields["unit"].queryset = units
        self.fields["unit"].label = self.unit_label
        self.fields["unit"].help_text = self.unit_help

    def clean(self):
        data = super().clean()
        unit, name = data.get("unit"), (data.get("person_name") or "").strip()
        if unit is None and not name:
            self.add_error("unit", self.recipient_error)
        elif unit is not None and name:
            self.add_error("person_name", self.recipient_error)
        return data


class NomineeForm(_RecipientForm):
    """A unit (a member of the term) or a person, for one award form."""

    unit_label = _("Member unit")
    unit_help = _("For a collective. Leave empty to propose a person.")
    recipient_error = _("Choose a member unit or enter a person's name.")

    achievements = forms.CharField(
        label=_("Achievements"), widget=forms.Textarea(attrs={"rows": 4})
    )


class AttachmentForm(Form):
    description = forms.CharField(label=_("Description"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (.docx), Excel (.xlsx), JPG or PNG, at most 10 MB."),
    )


class RemovalForm(Form):
    """Why an entry is taken out of the registry (kept in its history)."""

    reason = forms.CharField(
        label=_("Reason for removing"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history of the registry."),
    )


class ExternalGrantForm(_RecipientForm):
    """An award decided outside the system (the Prime Minister's Government
    flag, a ministry's flag…) to a unit of the authority or a person."""

    field_order = [
        "issuer",
        "number",
        "date",
        "award_form",
        "year",
        "unit",
        "person_name",
        "person_position",
        "person_organisation",
        "reason",
        "upload",
    ]

    issuer = forms.CharField(
        label=_("Issued by"),
        max_length=200,
        help_text=_("e.g. “Thủ tướng Chính phủ”, “Bộ trưởng Bộ Nội vụ”."),
    )
    number = forms.CharField(
        label=_("Decision number"),
        max_length=50,
        help_text=_("As printed, e.g. “1234/QĐ-TTg”."),
    )
    date = forms.DateField(label=_("Decision date"), widget=DateInput())
    year = forms.IntegerField(label=_("Emulation year"), min_value=2000, max_value=2100)
    reason = forms.CharField(
        label=_("Achievements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    upload = forms.FileField(
        label=_("Scanned decision"),
        required=False,
        help_text=_("PDF, Word (.docx), Excel (.xlsx), JPG or PNG, at most 10 MB."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].localize = False
        self.fields["year"].widget.is_localized = False


PROPOSAL_ACTIONS = [
    ("submit", _("Send to the authority")),
    ("receive", _("Receive")),
    ("appraise", _("Mark as appraised")),
    ("return", _("Return to the drafters")),
    ("reject", _("Reject")),
]


class ProposalActionForm(Form):
    action = forms.ChoiceField(label=_("Action"), choices=PROPOSAL_ACTIONS)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    quota_reason = forms.CharField(
        label=_("Reason for exceeding a quota"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def proposal_label(proposal):
    """ "Cụm … – 2023: title" for a term's proposal, the title otherwise."""
    if proposal.term_id:
        return f"{proposal.term.cluster.name} – {proposal.year}: {proposal.title}"
    return f"{proposal.title} ({proposal.year})"


class DecisionForm(Form):
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=999999)
    issuer_code = forms.CharField(
        label=_("Issuer code"),
        max_length=30,
        initial="UBND",
        help_text=_("The part after “QĐ-” in the number."),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    issuing_body = forms.CharField(label=_("Issuing body"), max_length=200)
    issuer_kind = forms.ChoiceField(
        label=_("Decided by"),
        choices=IssuerKind.choices,
        initial=IssuerKind.COLLECTIVE,
        required=False,
        help_text=_(
            "The committee as a collective (signed “TM. ỦY BAN NHÂN DÂN”) or its "
            "chairman (“CHỦ TỊCH ỦY BAN NHÂN DÂN …” decides)."
        ),
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    legal_bases = forms.CharField(
        label=_("Legal bases"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line."),
    )
    proposed_by = forms.CharField(
        label=_("On the proposal of"), max_length=200, initial="Giám đốc Sở Nội vụ"
    )
    signer_name = forms.CharField(label=_("Signer"), max_length=150)
    capacity = forms.ChoiceField(
        label=_("Signing capacity"), choices=SigningCapacity.choices
    )
    also = ModelMultipleChoiceField(
        label=_("Also answers"),
        queryset=Proposal.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Other received or appraised proposals (of other clusters, campaigns "
            "or units) this decision answers at once; their nominees are listed "
            "below."
        ),
    )
    granted = ModelMultipleChoiceField(
        label=_("Granted nominees"),
        queryset=Nominee.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Nominees not ticked are closed as not granted; tick only nominees of "
            "the proposals answered."
        ),
    )

    def __init__(self, *args, proposal, nominees, companions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["also"].queryset = companions
        self.fields["also"].label_from_instance = proposal_label
        self.fields["granted"].queryset = nominees
        # Shown under the proposal each belongs to, `proposal`'s own first (the
        # queryset still decides what may be ticked).
        groups: dict[Proposal, list[tuple[int, str]]] = {}
        for n in nominees:
            groups.setdefault(n.proposal, []).append(
                (n.pk, f"{n.name} – {n.award_form.name}")
            )
        self.fields["granted"].choices = [
            (
                _("This proposal: %(proposal)s") % {"proposal": proposal_label(p)}
                if p.pk == proposal.pk
                else proposal_label(p),
                rows,
            )
            for p, rows in sorted(
                groups.items(), key=lambda item: item[0].pk != proposal.pk
            )
        ]
        self.fields["number"].localize = False
        self.fields["number"].widget.is_localized = False

    def clean_issuer_kind(self):
        return self.cleaned_data["issuer_kind"] or IssuerKind.COLLECTIVE


class PublicCommentForm(Form):
    author_name = forms.CharField(label=_("Your name"), max_length=150)
    nominee = forms.ModelChoiceField(
        label=_("About"),
        queryset=Nominee.objects.none(),
        required=False,
        empty_label=_("the whole proposal"),
    )
    text = forms.CharField(
        label=_("Comment"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, nominees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].queryset = nominees


class ModerationForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Publish")), ("hide", _("Hide"))],
    )
