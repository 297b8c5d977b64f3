"""The pledges app's links and steps of the year (see `clusters.links`): each
shown by the predicate its view checks, in the stages where it is used."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clusters import links
from clusters.models import MemberRole, TermState
from clusters.permissions import is_deputy_officer

from . import permissions

_ORDER = list(TermState)


def _from(state):
    """Whether a term is in `state` or a later one."""
    return lambda term: _ORDER.index(TermState(term.state)) >= _ORDER.index(state)


_reporting_on = _from(TermState.REPORTING)
_ranked_on = _from(TermState.RANKED)


def _has_pledge(term):
    return getattr(term, "pledge", None) is not None


def _chair_unit_id(term):
    return next(
        (m.unit_id for m in term.memberships.all() if m.role == MemberRole.CHAIR),
        None,
    )


def _sees_ranking(user, term):
    """Published rankings are read by everyone reaching the term; the draft
    ranking, while the year is scored, by those following it."""
    if _ranked_on(term):
        return True
    return term.state in (
        TermState.SCORING,
        TermState.REPLY,
    ) and permissions.can_see_draft_ranking(user, term)


def register():
    links.register("peer_scoring", permissions.can_open_peer_scoring)
    links.register("reply", permissions.can_open_reply)
    links.register("report_list", permissions.can_open_report_list)
    links.register("rank_detail", permissions.can_see_standing)
    links.register("ranking_publish", permissions.can_publish_ranking)
    links.STEP_STAGES.update(
        pledge=TermState.PLEDGING,
        targets=TermState.PLEDGING,
        report=TermState.REPORTING,
        review=TermState.REPORTING,
        review_chair=TermState.REPORTING,
        scoring=TermState.SCORING,
        reply=TermState.REPLY,
        ranking=TermState.RANKED,
    )

    links.register_step(
        order=10,
        key="pledge",
        label=_("Pledge"),
        shown=lambda user, term: True,
        url_name="pledge_overview",
    )
    links.register_step(
        order=20,
        key="targets",
        label=_("Targets"),
        shown=lambda user, term: term.state != TermState.PLANNING and _has_pledge(term),
        url_name="targets_grid",
    )
    links.register_step(
        order=30,
        key="report",
        label=_("Our unit's report"),
        shown=lambda user, term: (
            _reporting_on(term) and permissions.is_member_officer(user, term)
        ),
        url=lambda user, term: reverse("report_edit", args=[term.pk, user.unit_id]),
    )
    links.register_step(
        order=40,
        key="review",
        label=_("Review of the reports"),
        shown=lambda user, term: (
            _reporting_on(term) and permissions.can_review_reports(user, term)
        ),
        url_name="report_list",
    )
    links.register_step(
        order=41,
        key="review_chair",
        label=_("Review of the chair unit's report"),
        block_label=pgettext_lazy("block", "Review of the chair unit's report"),
        shown=lambda user, term: _reporting_on(term) and is_deputy_officer(user, term),
        url=lambda user, term: (
            reverse("report_edit", args=[term.pk, _chair_unit_id(term)])
            if _chair_unit_id(term)
            else None
        ),
    )
    links.register_step(
        order=50,
        key="scoring",
        label=_("Peer scoring"),
        shown=lambda user, term: (
            term.state == TermState.SCORING
            and permissions.can_open_peer_scoring(user, term)
        ),
        url_name="peer_scoring",
    )
    links.register_step(
        order=60,
        key="reply",
        label=_("Right of reply"),
        shown=lambda user, term: (
            term.state == TermState.REPLY and permissions.can_open_reply(user, term)
        ),
        url_name="reply",
    )
    links.register_step(
        order=70,
        key="ranking",
        label=_("Ranking"),
        shown=_sees_ranking,
        url_name="term_ranking",
    )
    links.register_step(
        order=80,
        key="totals",
        label=_("Cluster totals"),
        shown=lambda user, term: _reporting_on(term),
        url_name="cluster_totals",
    )
