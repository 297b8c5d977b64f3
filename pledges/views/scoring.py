"""HTTP only for peer scoring (chấm chéo), reviewer adjustments and the right
of reply (objections and answers)."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.formats import sanitize_separators
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clusters.models import TermState
from clusters.views import reaches_authority
from core.errors import DomainError
from core.formatting import whole_number
from core.views import require

from .. import selectors, services
from ..models import CriterionKind
from ..permissions import (
    can_answer_objection,
    can_open_peer_scoring,
    can_open_reply,
    can_peer_score,
    can_reviewer_score,
    can_see_draft_ranking,
    can_waive_reply,
    deputy_reviews_chair_note,
    is_deputy_officer,
    is_member_officer,
    judging_refusal,
)
from .pledge import term_in_reach


def _points(text):
    text = sanitize_separators((text or "").strip())
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise DomainError(_("Enter points as a number such as 7,5.")) from error
    if not value.is_finite():
        raise DomainError(_("Enter points as a number such as 7,5."))
    return value


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def peer_scoring(request, pk):
    """Members score the other members' criteria; the chair and staff follow
    the progress; each report's reviewers (the deputy chair for the chair's
    report, never the unit itself) adjust its scores with a reason."""
    term = term_in_reach(request, pk)
    if not can_open_peer_scoring(request.user, term):
        raise PermissionDenied
    scoring = can_peer_score(request.user, term)
    following = can_see_draft_ranking(request.user, term)
    reviewing = following or is_deputy_officer(request.user, term)
    if request.method == "POST":
        try:
            peer, reviewer = _posted_scores(request, term, scoring, reviewing)
            saved = services.scores_save(
                actor=request.user,
                scorer_unit=request.user.unit,
                peer=peer,
                reviewer=reviewer,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("%(count)s scores were saved.") % {"count": saved}
            )
            return redirect("peer_scoring", pk=term.pk)
    context = {
        "term": term,
        "scoring": scoring,
        "reviewing": reviewing,
        "following": following,
        "deputy_note": deputy_reviews_chair_note(term),
    }
    if scoring:
        board, done, total = selectors.peer_scoring_board(term, request.user.unit)
        context.update(board=board, done=done, total=total)
    if following:
        context["progress"] = selectors.peer_progress(term)
    if reviewing:
        rows = selectors.reviewer_rows(term)
        for report, _criterion, _points in rows:
            report.term = term  # the loaded term, with its members
        context["adjustments"] = [
            row for row in rows if can_reviewer_score(request.user, row[0])
        ]
    return render(request, "pledges/peer_scoring.html", context)


def _posted_scores(request, term, scoring, reviewing):
    """(peer, reviewer) scores posted for `services.scores_save`: fields
    `p-<report>-<criterion>` (and `c-…` comments) are peer scores, kept when
    the user scores; `r-…` with `rr-…` reasons are reviewer scores, kept when
    the user reviews. An unknown report or criterion is a 404."""
    reports, criteria = selectors.scoring_targets(term)
    peer, reviewer = [], []
    for key, value in request.POST.items():
        prefix, _sep, rest = key.partition("-")
        if prefix not in ("p", "r") or not value.strip():
            continue
        report_id, _sep, criterion_id = rest.partition("-")
        report = reports.get(whole_number(report_id))
        criterion = criteria.get(whole_number(criterion_id))
        if report is None or criterion is None:
            raise Http404
        points = _points(value)
        if prefix == "p" and scoring:
            comment = request.POST.get(f"c-{rest}", "").strip()
            peer.append((report, criterion, points, comment))
        elif prefix == "r" and reviewing:
            reason = request.POST.get(f"rr-{rest}", "")
            reviewer.append((report, criterion, points, reason))
    return peer, reviewer


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def reply(request, pk):
    """Right of reply: a member sees its draft scores with their reasons,
    objects or waives its right of reply; each objection is answered by the
    contested report's reviewers (the deputy chair for the chair's report,
    never the unit itself)."""
    term = term_in_reach(request, pk)
    if not can_open_reply(request.user, term):
        raise PermissionDenied
    member = is_member_officer(request.user, term)
    following = can_see_draft_ranking(request.user, term)
    answering = following or is_deputy_officer(request.user, term)
    if request.method == "POST":
        try:
            _reply_post(request, term, member, answering)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("reply", pk=term.pk)
    objections = selectors.term_objections(term)
    for objection in objections:
        objection.report.term = term
    context = {
        "term": term,
        "answering": answering,
        "deputy_note": deputy_reviews_chair_note(term),
        "objections": [
            (o, can_answer_objection(request.user, o))
            for o in objections
            if following
            or o.report.unit_id == request.user.unit_id
            or judging_refusal(request.user, term, o.report.unit_id) is None
        ],
        "open": term.state == TermState.REPLY,
        "can_waive": can_waive_reply(request.user, term),
        "waiver": selectors.reply_waiver(term, request.user.unit_id)
        if member
        else None,
    }
    if member:
        standings = selectors.term_standings(term)
        context["mine"] = next(
            (s for s in standings if s.unit.pk == request.user.unit_id), None
        )
        reasons = selectors.reasons_for(term, request.user.unit)
        criteria = selectors.criteria_by_code(term)
        lines = context["mine"].lines if context["mine"] else []
        context["rows"] = [
            (
                line,
                reasons.get(criteria[line.code].pk, [])
                if line.code in criteria
                else [],
            )
            for line in lines
        ]
        context["objectable"] = [
            c for c in criteria.values() if c.kind != CriterionKind.INDICATOR
        ]
    return render(request, "pledges/reply.html", context)


def _reply_post(request, term, member, answering):
    action = request.POST.get("action")
    if action == "waive" and member:
        services.reply_waive(term=term, unit=request.user.unit, actor=request.user)
    elif action == "object" and member:
        report = selectors.own_report(term, request.user.unit)
        criterion = selectors.term_criterion(term, _int(request.POST.get("criterion")))
        if report is None or criterion is None:
            raise DomainError(_("Choose a criterion of your report."))
        services.objection_raise(
            report=report,
            criterion=criterion,
            text=request.POST.get("text", ""),
            actor=request.user,
        )
    elif action in ("accept", "reject") and answering:
        objection = selectors.term_objection(term, _int(request.POST.get("objection")))
        if objection is None:
            raise Http404
        services.objection_answer(
            objection=objection,
            accept=action == "accept",
            new_points=_points(request.POST.get("points"))
            if action == "accept"
            else None,
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    else:
        raise PermissionDenied


def _int(value):
    return whole_number(value) or 0
