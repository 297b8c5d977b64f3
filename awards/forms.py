"""Forms of the awards app. They validate input; services do the writing."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

ABSTAIN = "abstain"


class BallotForm(forms.Form):
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
