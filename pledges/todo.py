"""The pledges app's “Việc cần làm” (see `clusters.todo`): the pledge, the
reports, peer scoring, the right of reply and publishing the ranking.

What a viewer is asked to do follows from the data and the stage of each open
year: a member signs the pledge, writes its report (or fixes the items that
came back), scores the others and reads its draft scores before the objection
deadline; the chair unit drafts the pledge, follows the signatures, reviews the
reports, follows the scoring and answers objections (the deputy chair unit the
chair's); province staff accept reports and publish rankings ready for it.

Every read is for all of the viewer's years at once, so the number of queries
does not grow with the number of clusters or years."""

from collections import Counter, defaultdict

from django.db.models import Count, F, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from clusters import todo
from clusters.models import MemberRole, Membership, Role, Term, TermState
from clusters.permissions import (
    chair_powers_ended,
    is_province_staff,
    is_unit_officer,
)

from . import permissions
from .deadlines import last_day_to_submit
from .models import (
    Criterion,
    CriterionKind,
    DeadlineExtension,
    Objection,
    Pledge,
    PledgeState,
    ReplyWaiver,
    Report,
    ReportAbsence,
    ReportState,
    Score,
    Signature,
)

# Order of the items within a year (the year's steps, as in `pledges.links`).
PLEDGE, TARGETS, REPORT, REVIEW, SCORING, REPLY, PUBLISH = 10, 20, 30, 40, 50, 60, 70
SUBMITTED = (ReportState.SUBMITTED, ReportState.ACCEPTED)
WORK_STATES = (
    TermState.PLANNING,
    TermState.PLEDGING,
    TermState.REPORTING,
    TermState.SCORING,
    TermState.REPLY,
)


# Reads --------------------------------------------------------------------


def officer_terms(user):
    """The open years of the officer's unit in the stages with pledge or
    report work, each with `my_role` (its MemberRole, or None once the chair's
    powers have ended) and its members prefetched (2 queries)."""
    memberships = (
        Membership.objects.filter(unit_id=user.unit_id, term__state__in=WORK_STATES)
        .select_related("term__cluster", "term__handover_out")
        .prefetch_related(
            Prefetch(
                "term__memberships",
                queryset=Membership.objects.select_related("unit"),
            )
        )
        .order_by("term__cluster__name", "-term__year")
    )
    terms = []
    for membership in memberships:
        term = membership.term
        role = membership.role
        if role != MemberRole.MEMBER and chair_powers_ended(term):
            role = MemberRole.MEMBER
        term.my_role = role
        terms.append(term)
    return terms


def _pledges(terms):
    return {p.term_id: p for p in Pledge.objects.filter(term__in=terms)}


def _signed_units(pledges):
    """{term id: set of unit ids that signed the pledge's current version}."""
    signed = defaultdict(set)
    for term_id, unit_id in Signature.objects.filter(
        version__pledge__in=[p for p in pledges if p.state == PledgeState.SIGNING],
        version__number=F("version__pledge__version"),
    ).values_list("version__pledge__term_id", "unit_id"):
        signed[term_id].add(unit_id)
    return signed


def _reports(terms):
    """{term id: {unit id: (state, open returned items)}} (1 query)."""
    found = defaultdict(dict)
    for report in Report.objects.filter(term__in=terms).annotate(
        open_items=Count("review_items", filter=Q(review_items__resolved_at=None))
    ):
        found[report.term_id][report.unit_id] = (report.state, report.open_items)
    return found


def _scored_criteria(pledges):
    """{term id: number of criteria scored by people} (1 query)."""
    return dict(
        Criterion.objects.filter(pledge__in=pledges)
        .exclude(kind=CriterionKind.INDICATOR)
        .values("pledge__term_id")
        .annotate(n=Count("id"))
        .values_list("pledge__term_id", "n")
    )


def _peer_scores_given(terms):
    """{term id: {scoring unit id: peer scores given}} (1 query)."""
    given = defaultdict(dict)
    for term_id, unit_id, n in (
        Score.objects.filter(report__term__in=terms, kind="peer")
        .values("report__term_id", "scorer_unit_id")
        .annotate(n=Count("id"))
        .values_list("report__term_id", "scorer_unit_id", "n")
    ):
        given[term_id][unit_id] = n
    return given


def _unanswered(terms):
    """{term id: Counter(unit id of the contested report: objections waiting)}."""
    waiting = defaultdict(Counter)
    for term_id, unit_id in Objection.objects.filter(
        report__term__in=terms, answer=""
    ).values_list("report__term_id", "report__unit_id"):
        waiting[term_id][unit_id] += 1
    return waiting


def _waivers(terms):
    """{term id: set of unit ids that waived their right of reply}."""
    waived = defaultdict(set)
    for term_id, unit_id in ReplyWaiver.objects.filter(term__in=terms).values_list(
        "term_id", "unit_id"
    ):
        waived[term_id].add(unit_id)
    return waived


def _report_deadline(term, unit_id, extensions):
    """The last day `unit_id` may submit: the term's deadline, or a later
    extension granted to the unit."""
    return last_day_to_submit(term.report_deadline, extensions.get((term.pk, unit_id)))


def _extensions(terms, unit_ids):
    latest = {}
    for term_id, unit_id, until in DeadlineExtension.objects.filter(
        term__in=terms, unit_id__in=unit_ids
    ).values_list("term_id", "unit_id", "until"):
        key = (term_id, unit_id)
        latest[key] = max(until, latest.get(key, until))
    return latest


# Items of a member's officer ------------------------------------------------


def _member_items(user, term, today, data):
    unit_id = user.unit_id
    group = todo.term_group(term.my_role, term)
    pledge = data["pledges"].get(term.pk)
    items = []
    state = term.state
    if state == TermState.PLEDGING and pledge is not None:
        if pledge.state == PledgeState.SIGNING:
            if unit_id not in data["signed"].get(term.pk, set()):
                items.append(
                    todo.Item(
                        _("Sign the pledge"),
                        reverse("pledge_sign", args=[term.pk]),
                        group=group,
                        order=PLEDGE,
                    )
                )
        elif pledge.state == PledgeState.DRAFT:
            items.append(
                todo.Item(
                    _("Set your unit's targets"),
                    reverse("targets_grid", args=[term.pk]),
                    group=group,
                    order=TARGETS,
                )
            )
    if state in (TermState.REPORTING, TermState.SCORING):
        report_state, open_items = (
            data["reports"].get(term.pk, {}).get(unit_id, (None, 0))
        )
        url = reverse("report_edit", args=[term.pk, unit_id])
        deadline = _report_deadline(term, unit_id, data["extensions"])
        if report_state == ReportState.RETURNED:
            items.append(
                todo.Item(
                    _("Fix the returned items of your report and send it again"),
                    url,
                    group=group,
                    count=open_items or None,
                    deadline=deadline,
                    urgency=todo.OVERDUE,
                    note=_("returned for changes"),
                    order=REPORT,
                )
            )
        elif state == TermState.REPORTING and report_state in (None, ReportState.DRAFT):
            items.append(
                todo.Item(
                    _("Write and submit your unit's report")
                    if report_state is None
                    else _("Finish and submit your unit's report"),
                    url,
                    group=group,
                    deadline=deadline,
                    urgency=todo.urgency_of(deadline, today),
                    order=REPORT,
                )
            )
    if state == TermState.SCORING and permissions.can_peer_score(user, term):
        reports = data["reports"].get(term.pk, {})
        others = sum(
            1 for uid, (s, _n) in reports.items() if s in SUBMITTED and uid != unit_id
        )
        total = others * data["criteria"].get(term.pk, 0)
        done = data["given"].get(term.pk, {}).get(unit_id, 0)
        if total and done < total:
            items.append(
                todo.Item(
                    _("Score the other members"),
                    reverse("peer_scoring", args=[term.pk]),
                    group=group,
                    done=done,
                    total=total,
                    progress_label=_("scored"),
                    order=SCORING,
                )
            )
    if (
        state == TermState.REPLY
        and permissions.can_open_reply(user, term)
        and unit_id not in data["waivers"].get(term.pk, set())
    ):
        deadline = term.reply_deadline
        items.append(
            todo.Item(
                _("Read your draft scores and object before the deadline if needed"),
                reverse("reply", args=[term.pk]),
                group=group,
                deadline=deadline,
                urgency=todo.urgency_of(deadline, today),
                order=REPLY,
            )
        )
    return items


# Items of the chair unit's (and the deputy's) officers ----------------------


def _chair_items(user, term, today, data):
    group = todo.term_group(MemberRole.CHAIR, term)
    pledge = data["pledges"].get(term.pk)
    members = [m.unit_id for m in term.memberships.all()]
    reports = data["reports"].get(term.pk, {})
    chair_id = user.unit_id
    items = []
    state = term.state
    if state in (TermState.PLANNING, TermState.PLEDGING) and (
        pledge is None or pledge.state == PledgeState.DRAFT
    ):
        items.append(
            todo.Item(
                _("Draft the pledge and open it for signing")
                if pledge is not None
                else _("Draft the pledge"),
                reverse("pledge_overview", args=[term.pk]),
                group=group,
                order=PLEDGE,
            )
        )
    if state == TermState.PLEDGING and pledge and pledge.state == PledgeState.SIGNING:
        signed = data["signed"].get(term.pk, set())
        items.append(
            todo.Item(
                _("Follow the signatures of the pledge"),
                reverse("pledge_overview", args=[term.pk]),
                group=group,
                count=len([u for u in members if u not in signed]),
                done=len([u for u in members if u in signed]),
                total=len(members),
                note=_("members yet to sign"),
                progress_label=_("signed"),
                urgency=todo.INFO,
                order=PLEDGE,
            )
        )
    if state in (TermState.REPORTING, TermState.SCORING):
        waiting = sum(
            1
            for uid, (s, _n) in reports.items()
            if s == ReportState.SUBMITTED and uid != chair_id
        )
        sent = sum(1 for uid in members if reports.get(uid, ("",))[0] in SUBMITTED)
        if waiting or state == TermState.REPORTING:
            items.append(
                todo.Item(
                    _("Review the members' reports"),
                    reverse("report_list", args=[term.pk]),
                    group=group,
                    count=waiting,
                    done=sent,
                    total=len(members),
                    note=_("reports waiting for your review"),
                    progress_label=_("submitted"),
                    urgency=todo.OPEN if waiting else todo.INFO,
                    order=REVIEW,
                )
            )
    if state == TermState.SCORING:
        criteria = data["criteria"].get(term.pk, 0)
        sent_ids = [uid for uid, (s, _n) in reports.items() if s in SUBMITTED]
        owed = sum(criteria * len([u for u in sent_ids if u != uid]) for uid in members)
        given = sum(data["given"].get(term.pk, {}).values())
        if owed:
            items.append(
                todo.Item(
                    _("Follow the peer scoring of the members"),
                    reverse("peer_scoring", args=[term.pk]),
                    group=group,
                    done=min(given, owed),
                    total=owed,
                    progress_label=_("scores given"),
                    urgency=todo.INFO,
                    order=SCORING,
                )
            )
    if state == TermState.REPLY:
        waiting = data["unanswered"].get(term.pk, Counter())
        count = sum(n for uid, n in waiting.items() if uid != chair_id)
        if count:
            items.append(
                todo.Item(
                    _("Answer the members' objections"),
                    reverse("reply", args=[term.pk]),
                    group=group,
                    count=count,
                    deadline=term.reply_deadline,
                    urgency=todo.urgency_of(term.reply_deadline, today),
                    order=REPLY,
                )
            )
    return items


def _deputy_items(user, term, today, data):
    group = todo.term_group(MemberRole.DEPUTY, term)
    chair_id = next(
        (m.unit_id for m in term.memberships.all() if m.role == MemberRole.CHAIR),
        None,
    )
    if chair_id is None:
        return []
    items = []
    state = term.state
    chair_report = data["reports"].get(term.pk, {}).get(chair_id, (None, 0))[0]
    if state in (TermState.REPORTING, TermState.SCORING) and (
        chair_report == ReportState.SUBMITTED
    ):
        items.append(
            todo.Item(
                _("Review the chair unit's report"),
                reverse("report_edit", args=[term.pk, chair_id]),
                group=group,
                count=1,
                order=REVIEW,
            )
        )
    if state == TermState.REPLY:
        count = data["unanswered"].get(term.pk, Counter()).get(chair_id, 0)
        if count:
            items.append(
                todo.Item(
                    _("Answer the objections to the chair unit's scores"),
                    reverse("reply", args=[term.pk]),
                    group=group,
                    count=count,
                    deadline=term.reply_deadline,
                    urgency=todo.urgency_of(term.reply_deadline, today),
                    order=REPLY,
                )
            )
    return items


def officer_items(user, today):
    """The to-do items of a unit's officer in every open year of its unit."""
    terms = officer_terms(user)
    if not terms:
        return []
    pledges = _pledges(terms)
    states = {t.state for t in terms}
    data = {
        "pledges": pledges,
        "signed": _signed_units(pledges.values())
        if TermState.PLEDGING in states
        else {},
        "reports": _reports(terms)
        if states & {TermState.REPORTING, TermState.SCORING}
        else {},
        "extensions": _extensions(terms, [user.unit_id])
        if TermState.REPORTING in states
        else {},
        "criteria": _scored_criteria(pledges.values())
        if TermState.SCORING in states
        else {},
        "given": _peer_scores_given(terms) if TermState.SCORING in states else {},
        "unanswered": _unanswered(terms) if TermState.REPLY in states else {},
        "waivers": _waivers(terms) if TermState.REPLY in states else {},
    }
    items = []
    for term in terms:
        items += _member_items(user, term, today, data)
        if term.my_role == MemberRole.CHAIR:
            items += _chair_items(user, term, today, data)
        elif term.my_role == MemberRole.DEPUTY:
            items += _deputy_items(user, term, today, data)
    return items


# Province staff: a queue across clusters ------------------------------------


def staff_terms(user):
    """The authority's years in reporting, scoring and right of reply, with
    their members' count (1 query)."""
    return list(
        Term.objects.filter(
            cluster__authority_id=user.authority_id,
            state__in=(TermState.REPORTING, TermState.SCORING, TermState.REPLY),
        )
        .select_related("cluster")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("cluster__name", "-year")
    )


def ready_to_publish(terms, today):
    """The years of `terms` in the right-of-reply stage whose ranking may be
    published: the objection deadline has passed or every member waived, no
    objection waits for an answer, and every member's report is accepted or
    its absence recorded (the blockers of `selectors.publish_check`; 4
    queries whatever the number of years)."""
    replying = [t for t in terms if t.state == TermState.REPLY]
    if not replying:
        return []
    waived = _waivers(replying)
    unanswered = _unanswered(replying)
    settled = defaultdict(set)
    for term_id, unit_id in Report.objects.filter(
        term__in=replying, state=ReportState.ACCEPTED
    ).values_list("term_id", "unit_id"):
        settled[term_id].add(unit_id)
    for term_id, unit_id in ReportAbsence.objects.filter(term__in=replying).values_list(
        "term_id", "unit_id"
    ):
        settled[term_id].add(unit_id)
    ready = []
    for term in replying:
        deadline_passed = (
            term.reply_deadline is not None and today > term.reply_deadline
        )
        all_waived = len(waived.get(term.pk, ())) >= term.member_count
        if (
            (deadline_passed or all_waived)
            and not sum(unanswered.get(term.pk, Counter()).values())
            and len(settled.get(term.pk, ())) >= term.member_count
        ):
            ready.append(term)
    return ready


def staff_items(user, today):
    """Province staff's queue: submitted reports to accept, rankings ready to
    publish."""
    terms = staff_terms(user)
    if not terms:
        return []
    group = todo.role_group(Role.PROVINCE_STAFF)
    waiting = Counter(
        dict(
            Report.objects.filter(
                term__in=[t for t in terms if t.state != TermState.REPLY],
                state=ReportState.SUBMITTED,
            )
            .values("term_id")
            .annotate(n=Count("id"))
            .values_list("term_id", "n")
        )
    )
    items = []
    for term in terms:
        if waiting[term.pk]:
            items.append(
                todo.Item(
                    _("Accept the submitted reports — %(year)s")
                    % {"year": todo.year_label(term)},
                    reverse("report_list", args=[term.pk]),
                    group=group,
                    count=waiting[term.pk],
                    order=REVIEW,
                )
            )
    for term in ready_to_publish(terms, today):
        if permissions.can_publish_ranking(user, term):
            items.append(
                todo.Item(
                    _("Publish the ranking — %(year)s")
                    % {"year": todo.year_label(term)},
                    reverse("ranking_publish", args=[term.pk]),
                    group=group,
                    order=PUBLISH,
                )
            )
    return items


def provider(user, today):
    """`clusters.todo` provider of the pledges app."""
    if is_unit_officer(user):
        return officer_items(user, today)
    if is_province_staff(user):
        return staff_items(user, today)
    return []
