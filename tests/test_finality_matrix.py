"""Table-driven: every state-changing service of a term × every
term state × the four acting roles → allowed or refused, and a refusal changes
no row of the term (history included, compared byte for byte).

The year is built once (`tests.finality.build_year`); each case runs in a
savepoint that is rolled back, with the state set directly. A frozen state
(closed, or ranked and later for results) must be refused by the one guard,
`clusters.services.term_require_writable`, with its own message."""

import datetime
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone, translation

from awards import services as awards
from awards.models import Proposal, Vote
from campaigns import services as campaigns
from clusters import services as clusters
from clusters.models import Membership, Term, TermState
from clusters.services import RESULTS_FINAL_STATES
from core.errors import DomainError
from pledges import services as pledges
from pledges.models import (
    Criterion,
    Indicator,
    Objection,
    Pledge,
    PledgeState,
    PledgeVersion,
    Report,
    ReportState,
    Section,
)
from tests.finality import build_year, set_state, term_rows

ROLES = ("chair_officer", "officer", "staff", "admin")
UNIT_ROLES = ("chair_officer", "officer")
# The rows whose services check the actor's authority are also run for an
# admin of another authority, who may do none of them.
SCOPED = (*ROLES, "other_admin")
# The pledge and scoring services also refuse a call without a user and an
# officer of a unit outside the year.
OUTSIDERS = ("other_admin", "anonymous")
HOSTILE = (*SCOPED, "other_officer", "anonymous")
# Who drafts the pledge: the chair unit's officers and the authority's admins.
DRAFTERS = ("chair_officer", "admin")
ADMIN = ("admin",)
# Unit A's report is filled in by its own officer (and an admin, as support).
FILLERS = ("admin", "officer")
ALL_STATES = tuple(TermState)
NOT_CLOSED = frozenset(s for s in ALL_STATES if s != TermState.CLOSED)
OPEN = frozenset(s for s in ALL_STATES if s not in RESULTS_FINAL_STATES)
# Who judges unit A's report: anyone but unit A itself.
JUDGES = ("chair_officer", "staff", "admin")


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


@dataclass
class Row:
    """A service call. `states`: where it goes through; `roles`: who may (of
    those it is run for, `run_for`); `results`: it writes scores, results,
    objections or the pledge, so it is frozen from `ranked` on. `states=None`
    leaves the outcome in an unfrozen state to other rules (transition guards,
    the judging rules): only the frozen states, and the refusal of another
    authority's admin (`SCOPED` rows), are asserted."""

    name: str
    call: object
    states: frozenset | None
    results: bool
    roles: tuple = ROLES
    run_for: tuple = ROLES
    prepare: object = None
    cases: Counter = field(default_factory=Counter)

    def expected(self, state, role):
        frozen = state == TermState.CLOSED or (
            self.results and state in RESULTS_FINAL_STATES
        )
        if frozen:
            return False
        if role in OUTSIDERS:  # another authority's admin, or no one, acts on nothing
            return False
        if self.states is None:
            return None
        return state in self.states and role in self.roles


def _report_a(y):
    return Report.objects.select_related("term").get(pk=y.report_a.pk)


def _draft_pledge(y):
    Pledge.objects.filter(pk=y.pledge.pk).update(state=PledgeState.DRAFT)


def _draft_report(y):
    Report.objects.filter(pk=y.report_a.pk).update(state=ReportState.DRAFT)


def _draft_deputy_report(y):
    Report.objects.filter(term=y.term).exclude(pk=y.report_a.pk).update(
        state=ReportState.DRAFT
    )


def _amended(y):
    pledge = Pledge.objects.get(pk=y.pledge.pk)
    Pledge.objects.filter(pk=pledge.pk).update(
        state=PledgeState.DRAFT, version=pledge.version + 1
    )


def _open_new_version(y):
    pledge = Pledge.objects.get(pk=y.pledge.pk)
    Pledge.objects.filter(pk=pledge.pk).update(
        state=PledgeState.SIGNING, version=pledge.version + 1
    )
    PledgeVersion.objects.create(
        pledge=pledge, number=pledge.version + 1, snapshot={}, opened_at=timezone.now()
    )


def _pledge(y):
    return Pledge.objects.select_related("term").get(pk=y.pledge.pk)


def _term(y):
    return Term.objects.get(pk=y.term.pk)


def rows(w, y):
    """The service calls of the matrix; `w` the world, `y` the year."""
    crit, ind = y.criteria, y.indicators
    return [
        Row(
            "term_update (deadline)",
            lambda u: clusters.term_update(
                term=_term(y), actor=u, report_deadline=datetime.date(2025, 1, 15)
            ),
            NOT_CLOSED,
            results=False,
            roles=ADMIN,
            run_for=SCOPED,
        ),
        Row(
            "term_update (scoring setting)",
            lambda u: clusters.term_update(term=_term(y), actor=u, total_points=200),
            # The scale is fixed from scoring on (clusters.services.SCORING_RULES).
            frozenset(
                {
                    TermState.PLANNING,
                    TermState.PLEDGING,
                    TermState.IN_PROGRESS,
                    TermState.REPORTING,
                }
            ),
            results=True,
            roles=ADMIN,
            run_for=SCOPED,
        ),
        Row(
            "term_set_officers",
            lambda u: clusters.term_set_officers(
                term=_term(y), chair=w.unit_deputy, deputy=w.unit_chair, actor=u
            ),
            NOT_CLOSED,
            results=False,
            roles=ADMIN,
            run_for=SCOPED,
        ),
        Row(
            "membership_add",
            lambda u: clusters.membership_add(
                term=_term(y), unit=w.unit_other, actor=u
            ),
            NOT_CLOSED,
            results=False,
            roles=ADMIN,
            run_for=SCOPED,
        ),
        Row(
            "membership_remove",
            lambda u: clusters.membership_remove(
                membership=Membership.objects.get(pk=w.membership_a.pk), actor=u
            ),
            NOT_CLOSED,
            results=False,
            roles=ADMIN,
            run_for=SCOPED,
        ),
        Row(
            "term_transition (next stage)",
            lambda u: clusters.term_transition(
                term=_term(y),
                to_state=next(
                    iter(clusters.TERM_TRANSITIONS[_term(y).state]), "planning"
                ),
                actor=u,
            ),
            None,
            results=False,
        ),
        Row(
            "term_reopen",
            lambda u: clusters.term_reopen(term=_term(y), actor=u, reason="Sửa sai"),
            None,  # the one write allowed on a closed term: asserted below
            results=False,
        ),
        Row(
            "section_save",
            lambda u: pledges.section_save(
                pledge=_pledge(y),
                actor=u,
                code="IV",
                title="Điểm trừ",
                kind="deduction",
                max_points=Decimal(5),
            ),
            OPEN,
            results=True,
            prepare=_draft_pledge,
            roles=DRAFTERS,
            run_for=HOSTILE,
        ),
        Row(
            "subsection_save",
            lambda u: pledges.subsection_save(
                pledge=_pledge(y),
                actor=u,
                section=Section.objects.get(pledge=y.pledge, code="II"),
                code="II.A",
                title="Lĩnh vực cải cách hành chính",
                max_points=Decimal(40),
            ),
            OPEN,
            results=True,
            prepare=_draft_pledge,
            roles=DRAFTERS,
            run_for=HOSTILE,
        ),
        Row(
            "criterion_save",
            lambda u: pledges.criterion_save(
                pledge=_pledge(y),
                actor=u,
                criterion=Criterion.objects.get(pk=crit["II.1"].pk),
                title="Chỉ số PAR",
            ),
            OPEN,
            results=True,
            prepare=_draft_pledge,
            roles=DRAFTERS,
            run_for=HOSTILE,
        ),
        Row(
            "indicator_save",
            lambda u: pledges.indicator_save(
                pledge=_pledge(y),
                actor=u,
                indicator=Indicator.objects.get(pk=ind["CT1"].pk),
                title="Giá trị sản xuất",
            ),
            OPEN,
            results=True,
            prepare=_draft_pledge,
            roles=DRAFTERS,
            run_for=HOSTILE,
        ),
        Row(
            "row_delete (unscored criterion)",
            lambda u: pledges.row_delete(
                pledge=_pledge(y),
                row=Criterion.objects.get(pk=crit["III.1"].pk),
                actor=u,
            ),
            OPEN,
            results=True,
            prepare=_draft_pledge,
            roles=DRAFTERS,
            run_for=HOSTILE,
        ),
        Row(
            "row_delete (scored criterion)",
            lambda u: pledges.row_delete(
                pledge=_pledge(y),
                row=Criterion.objects.get(pk=crit["II.1"].pk),
                actor=u,
            ),
            frozenset(),  # PROTECT: scores and self-scores rest on it
            results=True,
            prepare=_draft_pledge,
            roles=DRAFTERS,
            run_for=HOSTILE,
        ),
        Row(
            "row_move",
            lambda u: pledges.row_move(
                pledge=_pledge(y),
                row=Section.objects.get(pledge=y.pledge, code="II"),
                offset=-1,
                actor=u,
            ),
            OPEN,
            results=True,
            prepare=_draft_pledge,
            roles=DRAFTERS,
            run_for=HOSTILE,
        ),
        Row(
            "targets_apply",
            lambda u: pledges.targets_apply(
                pledge=_pledge(y),
                rows=[(ind["CT1"], w.unit_a, Decimal(120), None)],
                actor=u,
            ),
            OPEN,
            results=True,
            prepare=_draft_pledge,
            roles=(*DRAFTERS, "officer"),  # unit A's officer sets its own
            run_for=HOSTILE,
        ),
        Row(
            "targets_apply (another member's row)",
            lambda u: pledges.targets_apply(
                pledge=_pledge(y),
                rows=[(ind["CT1"], w.unit_deputy, Decimal(120), None)],
                actor=u,
            ),
            OPEN,
            results=True,
            prepare=_draft_pledge,
            roles=DRAFTERS,
            run_for=HOSTILE,
        ),
        Row(
            "pledge_open_signing",
            lambda u: pledges.pledge_open_signing(pledge=_pledge(y), actor=u),
            OPEN,
            results=True,
            prepare=_amended,
            roles=DRAFTERS,
            run_for=HOSTILE,
        ),
        Row(
            "pledge_sign",
            lambda u: pledges.pledge_sign(
                pledge=_pledge(y),
                unit=w.unit_a,
                actor=u,
                signer_name="Lê Văn B",
                signer_title="Chủ tịch",
                signed_on=datetime.date(2024, 3, 1),
            ),
            OPEN,
            results=True,
            prepare=_open_new_version,
            roles=("officer",),  # for unit A: its own officer, no one else
            run_for=HOSTILE,
        ),
        Row(
            "pledge_amend",
            lambda u: pledges.pledge_amend(
                pledge=_pledge(y), actor=u, reason="Bổ sung chỉ tiêu"
            ),
            OPEN,
            results=True,
            roles=DRAFTERS,
            run_for=HOSTILE,
        ),
        Row(
            "report_start",
            lambda u: pledges.report_start(term=_term(y), unit=w.unit_a, actor=u),
            OPEN,
            results=True,
            roles=FILLERS,
            run_for=SCOPED,
        ),
        Row(
            "report_save_section",
            lambda u: pledges.report_save_section(
                report=_report_a(y),
                actor=u,
                version=_report_a(y).version,
                section="summary",
                data="Tóm tắt",
            ),
            frozenset({TermState.IN_PROGRESS, TermState.REPORTING}),
            results=True,
            prepare=_draft_report,
            roles=FILLERS,
            run_for=SCOPED,
        ),
        Row(
            "results_apply",
            lambda u: pledges.results_apply(
                term=_term(y),
                rows=[(ind["CT1"], w.unit_a, Decimal(111), "")],
                actor=u,
            ),
            frozenset({TermState.IN_PROGRESS, TermState.REPORTING}),
            results=True,
            prepare=_draft_report,
            # The reviewers (chair unit, staff, admins) and unit A's officer.
            run_for=SCOPED,
        ),
        Row(
            "results_apply (another member's row)",
            lambda u: pledges.results_apply(
                term=_term(y),
                rows=[(ind["CT1"], w.unit_deputy, Decimal(111), "")],
                actor=u,
            ),
            frozenset({TermState.IN_PROGRESS, TermState.REPORTING}),
            results=True,
            prepare=_draft_deputy_report,
            roles=JUDGES,  # not unit A's officer
            run_for=SCOPED,
        ),
        Row(
            "report_submit",
            lambda u: pledges.report_submit(
                report=_report_a(y), actor=u, version=_report_a(y).version
            ),
            OPEN,
            results=True,
            prepare=_draft_report,
            roles=FILLERS,
            run_for=SCOPED,
        ),
        Row(
            "report_accept",
            lambda u: pledges.report_accept(report=_report_a(y), actor=u),
            None,
            results=True,
            run_for=SCOPED,
        ),
        Row(
            "report_return",
            lambda u: pledges.report_return(
                report=_report_a(y),
                actor=u,
                items=[("indicator", ind["CT1"], None, "Thiếu số liệu")],
            ),
            None,
            results=True,
            run_for=SCOPED,
        ),
        Row(
            "deadline_extend",
            lambda u: pledges.deadline_extend(
                term=_term(y),
                unit=w.unit_a,
                until=datetime.date(2025, 2, 1),
                reason="Lý do khách quan",
                actor=u,
            ),
            OPEN,
            results=True,
            roles=ADMIN,
            run_for=SCOPED,
        ),
        Row(
            "peer_score_set",
            lambda u: pledges.peer_score_set(
                report=_report_a(y),
                criterion=crit["II.1"],
                scorer_unit=getattr(u, "unit", None),
                points=Decimal(20),
                comment="",
                actor=u,
            ),
            frozenset({TermState.SCORING}),
            results=True,
            roles=("chair_officer",),  # unit A never scores itself
            run_for=(*UNIT_ROLES, "other_officer", "admin", "anonymous"),
        ),
        Row(
            "peer_score_set (for another member)",
            lambda u: pledges.peer_score_set(
                report=_report_a(y),
                criterion=crit["II.1"],
                scorer_unit=w.unit_deputy,
                points=Decimal(20),
                comment="",
                actor=u,
            ),
            frozenset({TermState.SCORING}),
            results=True,
            roles=(),  # only the deputy unit's own officers score for it
            run_for=HOSTILE,
        ),
        Row(
            "reviewer_score_set",
            lambda u: pledges.reviewer_score_set(
                report=_report_a(y),
                criterion=crit["II.1"],
                points=Decimal(40),
                reason="Điều chỉnh",
                actor=u,
            ),
            None,
            results=True,
            run_for=HOSTILE,
        ),
        Row(
            "objection_raise",
            lambda u: pledges.objection_raise(
                report=_report_a(y), criterion=crit["II.1"], text="Xem lại", actor=u
            ),
            frozenset({TermState.REPLY}),
            results=True,
            roles=("officer",),  # on unit A's report: its own officer only
            run_for=HOSTILE,
        ),
        Row(
            "objection_answer",
            lambda u: pledges.objection_answer(
                objection=Objection.objects.get(pk=y.objection.pk),
                accept=False,
                reason="Giữ nguyên",
                actor=u,
            ),
            None,
            results=True,
            run_for=HOSTILE,
        ),
        Row(
            "ranking_publish",
            lambda u: pledges.ranking_publish(
                term=_term(y), actor=u, reason="Đính chính"
            ),
            None,
            results=False,
            run_for=HOSTILE,
        ),
        Row(
            "report_absence_record",
            lambda u: pledges.report_absence_record(
                term=_term(y), unit=w.unit_a, reason="Không nộp đúng hạn", actor=u
            ),
            frozenset({TermState.REPORTING, TermState.SCORING, TermState.REPLY}),
            results=False,
            roles=("staff", "admin"),
            run_for=HOSTILE,
        ),
        Row(
            "rule_save (campaigns)",
            lambda u: campaigns.rule_save(
                criterion=Criterion.objects.get(pk=crit["III.1"].pk),
                actor=u,
                points_per_campaign=Decimal(1),
            ),
            OPEN,
            results=True,
            prepare=_draft_pledge,
        ),
        Row(
            "vote_open",
            lambda u: awards.vote_open(
                term=_term(y),
                kind="chair_election",
                title="Bầu cụm trưởng",
                questions=[
                    {
                        "code": "chair",
                        "title": "Cụm trưởng",
                        "max_choices": 1,
                        "units": [w.unit_a],
                    }
                ],
                actor=u,
            ),
            NOT_CLOSED,
            results=False,
            roles=ADMIN,
            run_for=HOSTILE,
        ),
        Row(
            "ballot_cast",
            lambda u: awards.ballot_cast(
                vote=Vote.objects.get(pk=y.vote.pk), unit=u.unit, actor=u, choices={}
            ),
            NOT_CLOSED,
            results=False,
            run_for=UNIT_ROLES,
        ),
        Row(
            "vote_close",
            lambda u: awards.vote_close(vote=Vote.objects.get(pk=y.vote.pk), actor=u),
            NOT_CLOSED,
            results=False,
            roles=DRAFTERS,
            run_for=HOSTILE,
        ),
        Row(
            "proposal_create_for_term",
            lambda u: awards.proposal_create_for_term(
                term=_term(y), actor=u, title="Tờ trình bổ sung"
            ),
            frozenset({TermState.RANKED, TermState.VOTING, TermState.PROPOSING}),
            results=False,
        ),
        Row(
            "proposal_update",
            lambda u: awards.proposal_update(
                proposal=Proposal.objects.get(pk=y.proposal.pk),
                actor=u,
                title="Tờ trình (sửa)",
            ),
            NOT_CLOSED,
            results=False,
        ),
    ]


GUARD_MESSAGES = ("is closed", "are published")


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _call(row, user):
    """(allowed, message, writes): the outcome of `row`'s call by `user` and the
    write statements it ran (a call that ran none cannot have changed a row)."""
    writes = []

    def spy(execute, sql, params, many, context):
        if sql.lstrip().split(None, 1)[0].upper() in WRITES:
            writes.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        try:
            row.call(user)
        except DomainError as error:
            return False, error.message, writes
    return True, "", writes


def test_every_service_in_every_state_for_every_role(world):
    year = build_year(world)
    outcomes = Counter()
    problems = []
    with translation.override("en"):
        for row in rows(world, year):
            for state in ALL_STATES:
                with rolled_back():
                    if row.prepare:
                        row.prepare(year)
                    set_state(year.term, state)
                    compared = False
                    for role in row.run_for:
                        expected = row.expected(state, role)
                        if row.name == "term_reopen":
                            expected = state == TermState.CLOSED and role == "admin"
                        after = None
                        with rolled_back():
                            allowed, message, writes = _call(row, world.users[role])
                            # Every refusal that wrote, and the first of each
                            # state in any case, is checked row by row.
                            if not allowed and (writes or not compared):
                                after = term_rows(year.term)
                                compared = True
                            if allowed and writes:
                                outcomes["allowed with writes"] += 1
                        # Rolled back: the rows are as they were before the call.
                        if after is not None:
                            outcomes["compared"] += 1
                            if after != term_rows(year.term):
                                problems.append(f"{row.name} {state} {role}: changed")
                        outcomes["allowed" if allowed else "refused"] += 1
                        if expected is None:
                            outcomes["unasserted"] += 1
                            continue
                        if allowed != expected:
                            problems.append(
                                f"{row.name} {state} {role}: expected "
                                f"{'allowed' if expected else 'refused'}, got "
                                f"{'allowed' if allowed else message}"
                            )
                        frozen = state == TermState.CLOSED or (
                            row.results and state in RESULTS_FINAL_STATES
                        )
                        if (
                            frozen
                            and row.name != "term_reopen"
                            and not any(m in message for m in GUARD_MESSAGES)
                        ):
                            problems.append(
                                f"{row.name} {state} {role}: refused by “{message}” "
                                "instead of the term guard"
                            )
    print(
        f"\nfinality matrix: {outcomes['allowed'] + outcomes['refused']} cases, "
        f"{outcomes['allowed']} allowed, {outcomes['refused']} refused "
        f"({outcomes['compared']} compared row by row), "
        f"{outcomes['unasserted']} left to other rules in unfrozen states"
    )
    assert problems == [], "\n".join(problems)
    # The write spy sees writes (so a refusal without any wrote nothing).
    assert outcomes["allowed with writes"] > 0.9 * outcomes["allowed"]
