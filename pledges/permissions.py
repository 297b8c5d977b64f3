"""Who may draft, set targets for and sign a term's pledge."""

from django.utils.translation import gettext as _

from clusters.models import ClusterKind, MemberRole, TermState
from clusters.permissions import (
    can_manage_authority,
    in_authority,
    is_admin,
    is_chair_officer,
    is_deputy_officer,
    is_province_staff,
    is_unit_officer,
)


def can_draft_pledge(user, term):
    """The chair unit's officers and the authority's admins draft the pledge."""
    return is_admin(user) or is_chair_officer(user, term)


def is_member_officer(user, term):
    """An officer of a unit that is a member of `term` (uses prefetched members)."""
    return is_unit_officer(user) and any(
        m.unit_id == user.unit_id for m in term.memberships.all()
    )


def can_set_target(user, term, unit):
    """Drafters set every member's targets; a member's officer sets its own."""
    return can_draft_pledge(user, term) or (
        is_member_officer(user, term) and user.unit_id == unit.pk
    )


def can_sign(user, term):
    """Each member unit's officer signs for the unit."""
    return is_member_officer(user, term)


# What the pledge services raise: each `*_refusal` returns the message, or None,
# for the rule of the `can_*` predicate the pages offer, within the term's
# authority (the pages reach no other; a service may be called with anything).


def pledge_draft_refusal(user, term):
    """Why `user` may not draft `term`'s pledge (create or copy it, edit its
    criteria tree, open it for signing, amend it, save it as a template), or
    None: `can_draft_pledge` within the term's authority."""
    if in_authority(user, term.cluster.authority_id) and can_draft_pledge(user, term):
        return None
    return _("Only the chair unit's officers or an admin draft the pledge.")


def target_refusal(user, term, unit):
    """Why `user` may not set `unit`'s targets in `term`, or None:
    `can_set_target` within the term's authority."""
    if in_authority(user, term.cluster.authority_id) and can_set_target(
        user, term, unit
    ):
        return None
    return _(
        "Only the unit's own officers or those who draft the pledge set its targets."
    )


def sign_refusal(user, term, unit):
    """Why `user` may not sign `term`'s pledge for `unit`, or None: an officer
    of that member unit (`can_sign`) signs for it, and no one else."""
    if can_sign(user, term) and user.unit_id == unit.pk:
        return None
    return _("Only the unit's own officers sign the pledge for it.")


def can_edit_report(user, term, unit):
    """A member unit's officers fill in that unit's report, and no one else."""
    return is_member_officer(user, term) and user.unit_id == unit.pk


def report_fill_refusal(user, term, unit):
    """Why `user` may not fill in the report of `unit` in `term` (start it,
    save a section, attach or remove evidence, submit it), or None: only the
    unit's own officers (`can_edit_report`) and, as support recorded under
    their name, the admins of the term's authority. The report services raise
    it; the views offer the page to `can_edit_report` alone."""
    if can_edit_report(user, term, unit) or can_manage_authority(
        user, term.cluster.authority_id
    ):
        return None
    return _("Only the unit's own officers fill in its report.")


def results_import_refusal(user, term, unit):
    """Why `user` may not set `unit`'s results of `term` in bulk (the Excel
    import, `services.results_apply`), or None: the reviewers of the term's
    authority (`can_review_reports`) for every member, a member's officer for
    its own unit — the units `views.results_excel` offers."""
    if in_authority(user, term.cluster.authority_id) and can_review_reports(user, term):
        return None
    if can_edit_report(user, term, unit):
        return None
    return _("Only the unit's own officers or the reviewers enter its results.")


def deadline_extend_refusal(user, term):
    """Why `user` may not grant a member more time in `term`, or None: an
    admin of the term's authority (`can_extend_deadline`)."""
    if can_extend_deadline(user) and in_authority(user, term.cluster.authority_id):
        return None
    return _("Only an admin grants a unit more time after the deadline.")


# The term states in which units enter their results.
REPORTING_STATES = (TermState.IN_PROGRESS, TermState.REPORTING)


def report_change_refusal(term, report):
    """Why a unit's report of `term` cannot be changed now, or None: results
    are entered while the year is in progress or being reported, and only a
    draft or returned report (`Report.is_editable`) changes. The services
    enforce the same rule (`pledges.services.reports`)."""
    if term.state not in REPORTING_STATES:
        return _("Results are entered while the year is in progress or being reported.")
    if report is not None and not report.is_editable:
        return _("The report is %(state)s and can no longer be changed.") % {
            "state": report.get_state_display()
        }
    return None


def can_review_reports(user, term):
    """The chair unit's officers, province staff and admins accept or return
    submitted reports and see who has not submitted."""
    return is_admin(user) or is_province_staff(user) or is_chair_officer(user, term)


def can_view_report(user, term, unit):
    """A report is seen by its own unit's officers and by its reviewers, and by
    every member's officers from the scoring stage on (peers score with the
    evidence in view)."""
    peers_may = term.state not in (
        TermState.PLANNING,
        TermState.PLEDGING,
        TermState.IN_PROGRESS,
        TermState.REPORTING,
    )
    return (
        can_edit_report(user, term, unit)
        or can_review_reports(user, term)
        or (peers_may and is_member_officer(user, term))
        or judging_refusal(user, term, unit.pk) is None
    )


def can_peer_score(user, term):
    """Members' officers score the other members while the year is scored."""
    return term.state == TermState.SCORING and is_member_officer(user, term)


def peer_score_refusal(user, term, scorer_unit):
    """Why `user` may not enter `scorer_unit`'s peer scores in `term`, or
    None: an officer of that member unit (`can_peer_score`), no one else."""
    if can_peer_score(user, term) and user.unit_id == scorer_unit.pk:
        return None
    return _("Only the scoring unit's own officers enter its scores.")


def objection_refusal(user, report):
    """Why `user` may not object to a score of `report`, or None: an officer
    of the report's own member unit (as the right-of-reply page offers)."""
    term = report.term
    if is_member_officer(user, term) and user.unit_id == report.unit_id:
        return None
    return _("Only the unit's own officers object to the scores of its report.")


def can_open_peer_scoring(user, term):
    """The peer-scoring page: members' officers while the year is scored, the
    ones following it (chair unit, province staff, admins) and the deputy chair
    unit, which adjusts the chair's scores."""
    return (
        can_peer_score(user, term)
        or can_see_draft_ranking(user, term)
        or is_deputy_officer(user, term)
    )


def can_open_reply(user, term):
    """The right-of-reply page: every member's officers (their draft scores and
    objections), the ones following the year and the deputy chair unit, which
    answers objections to the chair's report."""
    return (
        is_member_officer(user, term)
        or can_see_draft_ranking(user, term)
        or is_deputy_officer(user, term)
    )


def can_open_report_list(user, term):
    """The reports page: reviewers see every member's report; a member's
    officer is taken to the unit's own report."""
    return can_review_reports(user, term) or is_member_officer(user, term)


def can_extend_deadline(user):
    """Admins grant a unit more time after the deadline."""
    return is_admin(user)


def can_see_draft_ranking(user, term):
    """Admins, province staff and the chair unit's officers see the draft
    ranking (and every member's scoring progress) before it is published."""
    return can_review_reports(user, term)


def can_publish_ranking(user, term):
    """Publishing the ranking, and correcting it by republishing, is province
    staff's act (and the authority's admins'), of the term's authority; never
    a member's."""
    return (is_admin(user) or is_province_staff(user)) and in_authority(
        user, term.cluster.authority_id
    )


def can_record_absence(user, term):
    """Province staff and admins record why a member's report is missing or
    was not accepted, so the ranking can be published without it (of the
    term's authority)."""
    return (is_admin(user) or is_province_staff(user)) and in_authority(
        user, term.cluster.authority_id
    )


def can_waive_reply(user, term):
    """A member's officer waives the unit's right of reply (“no objection”)
    while the year is in the right-of-reply stage."""
    return term.state == TermState.REPLY and is_member_officer(user, term)


def can_see_standing(user, term, unit):
    """A member sees its own draft standing; reviewers see everyone's."""
    return can_review_reports(user, term) or (
        is_member_officer(user, term) and user.unit_id == unit.pk
    )


# Judging a member's report: reviewing it (accept or return), the reviewer's
# score and answering objections. No unit judges its own report; the chair
# unit judges the others and the deputy chair unit judges the chair's
# . Each `*_refusal` returns the message the service raises, or
# None; the `can_*` predicates are what views and templates offer.


def deputy_reviews_chair_note(term):
    """“The deputy chair reviews the chair's report”, worded for a cluster or a
    block."""
    if term.cluster.kind == ClusterKind.BLOCK:
        return _("The deputy head of the block reviews the block head's report.")
    return _("The deputy chair of the cluster reviews the cluster chair's report.")


def _chair_unit_id(term):
    return next(
        (m.unit_id for m in term.memberships.all() if m.role == MemberRole.CHAIR),
        None,
    )


def judging_refusal(user, term, unit_id):
    """Why `user` may not judge the report of member `unit_id` in `term`, or
    None: province staff and admins judge every report; a unit never judges
    its own; the chair unit's officers judge the other members' reports and
    the deputy chair unit's officers the chair's (until the handover); no one
    of another authority."""
    if (is_admin(user) or is_province_staff(user)) and in_authority(
        user, term.cluster.authority_id
    ):
        return None
    chair_id = _chair_unit_id(term)
    if is_unit_officer(user) and user.unit_id == unit_id:
        own = _(
            "A unit does not review, adjust or rule on objections to its own report."
        )
        return (
            f"{own} {deputy_reviews_chair_note(term)}" if unit_id == chair_id else own
        )
    if unit_id is not None and unit_id == chair_id:
        if is_deputy_officer(user, term):
            return None
        return deputy_reviews_chair_note(term)
    if is_chair_officer(user, term):
        return None
    return _("Only the chair unit or province staff review the members' reports.")


def can_judge_report(user, report):
    """Whether `user` is a reviewer of `report` (see `judging_refusal`)."""
    return judging_refusal(user, report.term, report.unit_id) is None


def review_refusal(user, report):
    """Why `user` may not accept or return `report` now, or None."""
    from .models import ReportState

    refusal = judging_refusal(user, report.term, report.unit_id)
    if refusal:
        return refusal
    if report.state != ReportState.SUBMITTED:
        return _("Only a submitted report can be accepted or returned.")
    return None


def can_review_report(user, report):
    """Accept or return `report`: a submitted report, by one of its reviewers."""
    return review_refusal(user, report) is None


def reviewer_score_refusal(user, report):
    """Why `user` may not set a reviewer's score on `report` now, or None:
    only its reviewers, in the scoring stage, on a submitted or accepted
    report (after that, through an accepted objection)."""
    from .models import ReportState

    refusal = judging_refusal(user, report.term, report.unit_id)
    if refusal:
        return refusal
    if report.term.state != TermState.SCORING:
        return _("Scores are given while the year is in the scoring stage.")
    if report.state not in (ReportState.SUBMITTED, ReportState.ACCEPTED):
        return _("Only submitted reports are scored.")
    return None


def can_reviewer_score(user, report):
    """Set the reviewer's score of a criterion of `report`."""
    return reviewer_score_refusal(user, report) is None


def answer_refusal(user, objection):
    """Why `user` may not answer `objection` now, or None: only a reviewer of
    the contested report, in the right-of-reply stage, once."""
    report = objection.report
    refusal = judging_refusal(user, report.term, report.unit_id)
    if refusal:
        return refusal
    if objection.answer:
        return _("This objection has already been answered.")
    if report.term.state != TermState.REPLY:
        return _("Objections are answered in the right-of-reply stage.")
    return None


def can_answer_objection(user, objection):
    """Accept or reject `objection`."""
    return answer_refusal(user, objection) is None
