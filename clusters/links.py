"""May this user follow a link now?

One predicate per URL name, the same one the view that serves the page checks,
so a page shows a link only when its target would answer the viewer. The term
page lists the steps of the year ("Các bước của năm"), each shown only when the
viewer may open it in the term's current stage.

Apps depend one way (clusters ← pledges ← campaigns ← awards): each app
registers its own links and steps, built from its `permissions` predicates,
when it starts (`AppConfig.ready`), as transition guards are registered.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import permissions, wording
from .models import Handover, TermState

_PREDICATES = {}
_STEPS = []


def register(url_name, predicate):
    """`predicate(user, *args) -> bool` decides who may open `url_name`."""
    _PREDICATES[url_name] = predicate


def can_open(user, url_name, *args):
    """Whether `user` may open the page `url_name` for `args` (its objects).
    An unregistered name is a programming error (KeyError), never a silent yes."""
    return bool(_PREDICATES[url_name](user, *args))


@dataclass(frozen=True)
class Step:
    """One step of a term's year: `shown(user, term)` says whether the viewer
    may open it now (stage and permission), `url(user, term)` where it is (or
    None when there is nothing to open). A block's term shows `block_label`
    when there is one (“trưởng khối” where a cluster says “cụm trưởng”)."""

    order: int
    key: str
    label: str
    shown: object
    url: object
    block_label: str | None = None


def register_step(
    *, order, key, label, shown, url=None, url_name=None, block_label=None
):
    """Add a step to the term page. `url` defaults to `url_name` of the term."""
    if url is None:

        def url(user, term):
            return reverse(url_name, args=[term.pk])

    _STEPS[:] = [step for step in _STEPS if step.key != key]
    _STEPS.append(Step(order, key, label, shown, url, block_label))
    _STEPS.sort(key=lambda step: step.order)


@dataclass(frozen=True)
class StepLink:
    key: str
    label: str
    url: str


def term_steps(user, term):
    """The steps of `term`'s year that `user` may open now, in the year's order."""
    links = []
    for step in _STEPS:
        if not step.shown(user, term):
            continue
        url = step.url(user, term)
        if url:
            label = step.label
            if step.block_label is not None:
                label = wording.for_kind(term, step.label, step.block_label)
            links.append(StepLink(step.key, label, url))
    return links


def _manages(user, *objects):
    return permissions.can_manage(user)


def _reaches_authority(user, *objects):
    """Pages of a term in reach (the view scopes the object itself, 404 else)."""
    return permissions.sees_whole_authority(user) or permissions.is_unit_officer(user)


register("unit_detail", permissions.can_open_unit)
register("term_detail", _reaches_authority)
register("term_rollover", _manages)
register("term_edit", _manages)
register("user_list", _manages)
register("term_handover", permissions.can_record_handover)


def _may_hand_over(user, term):
    """The outgoing chair's officers or an admin, once the awards are under way
    and until the handover is recorded."""
    if term.state not in (TermState.PROPOSING, TermState.DECIDED):
        return False
    try:
        term.handover_out  # noqa: B018 — recorded already: nothing to do
    except Handover.DoesNotExist:
        return permissions.can_record_handover(user, term)
    return False


register_step(
    order=110,
    key="handover",
    label=_("Chair handover"),
    block_label=pgettext_lazy("block", "Chair handover"),
    shown=_may_hand_over,
    url_name="term_handover",
)


# The stage of the year whose work each step is (key → TermState), for the
# term page's progress strip; steps of every stage (the ranking, the totals)
# are absent. Each app adds its steps' stages when it registers them.
STEP_STAGES = {"handover": TermState.DECIDED}


def step_stage(key):
    """The TermState of step `key`, or None for a page of every stage."""
    return STEP_STAGES.get(key)
