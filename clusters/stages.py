"""The year's stages as a progress strip for the term page.

Every stage of the yearly cycle (`TermState`, planning → … → closed) with the
day the term entered it (from the term's history), the deadline the term sets
for it, whether it is past, current or to come, and the steps of the year the
viewer may open now that belong to it (`links.term_steps`, placed by
`links.step_stage`)."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import links
from .models import TermState

DONE, CURRENT, UPCOMING = "done", "current", "upcoming"
STATUS_LABELS = {
    DONE: _("done"),
    CURRENT: _("current stage"),
    UPCOMING: _("to come"),
}
# The deadline a term sets for a stage: (field, label).
DEADLINES = {
    TermState.REPORTING: ("report_deadline", _("report deadline")),
    TermState.REPLY: ("reply_deadline", _("objection deadline")),
}


@dataclass
class Stage:
    state: str
    label: str
    status: str
    entered: object = None
    deadline: object = None
    deadline_label: str = ""
    steps: list = field(default_factory=list)

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def is_current(self):
        return self.status == CURRENT


def entered_on(term):
    """{state: the local day `term` last entered it}, from its history
    (1 query)."""
    entered = {}
    previous = None
    for state, when in term.history.order_by("history_date", "history_id").values_list(
        "state", "history_date"
    ):
        if state != previous:
            entered[state] = timezone.localdate(when)
        previous = state
    return entered


def term_stages(term, steps):
    """The strip of `term`'s stages, with `steps` (`links.term_steps` for the
    viewer) placed in the stage they belong to."""
    order = list(TermState)
    current = order.index(TermState(term.state))
    entered = entered_on(term)
    by_stage = {}
    for step in steps:
        by_stage.setdefault(links.step_stage(step.key), []).append(step)
    stages = []
    for index, state in enumerate(order):
        status = DONE if index < current else CURRENT if index == current else UPCOMING
        deadline_field, deadline_label = DEADLINES.get(state, (None, ""))
        stages.append(
            Stage(
                state=state.value,
                label=state.label,
                status=status,
                entered=entered.get(state.value) if index <= current else None,
                deadline=getattr(term, deadline_field) if deadline_field else None,
                deadline_label=deadline_label,
                steps=by_stage.get(state.value, []),
            )
        )
    return stages


def current_steps(stages):
    """The steps of the current stage: the work of the moment."""
    return next((stage.steps for stage in stages if stage.is_current), [])


def every_stage_steps(steps):
    """The steps that belong to no one stage (the cluster totals…)."""
    return [step for step in steps if links.step_stage(step.key) is None]
