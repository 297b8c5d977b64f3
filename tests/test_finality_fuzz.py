"""Property-based: random sequences of actions by random roles go
through the services, starting from a random state of a whole year. After
every step: no unit's score is given by the unit itself, a published snapshot
never changes, and a closed term's rows (history included) stay byte-identical
unless an admin re-opened it."""

import contextlib
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awards import services as awards
from awards.models import Vote
from clusters import services as clusters
from clusters.models import Membership, Term, TermState
from core.errors import DomainError
from pledges import services as pledges
from pledges.models import (
    Criterion,
    Objection,
    Pledge,
    RankingSnapshot,
    Report,
    Score,
)
from tests.finality import build_year, set_state, term_rows
from tests.test_finality_matrix import rolled_back

ROLES = ("chair_officer", "officer", "staff", "admin")


def _term(y):
    return Term.objects.get(pk=y.term.pk)


def _report(y, n):
    reports = list(Report.objects.select_related("term").filter(term=y.term))
    return reports[n % len(reports)]


def _criterion(y, n):
    """II.1 (scored) or III.1 (not scored), or what is left after deletions."""
    codes = ("II.1", "III.1")
    wanted = y.criteria[codes[n % 2]].pk
    return (
        Criterion.objects.filter(pk=wanted).first()
        or Criterion.objects.filter(pledge=y.pledge).order_by("pk").first()
    )


def _next_state(term):
    return next(iter(clusters.TERM_TRANSITIONS[term.state]), TermState.PLANNING)


ACTIONS = {
    "next stage": lambda w, y, u, n: clusters.term_transition(
        term=_term(y), to_state=_next_state(_term(y)), actor=u
    ),
    "re-open": lambda w, y, u, n: clusters.term_reopen(
        term=_term(y), actor=u, reason="Sửa sai sót"
    ),
    "peer score": lambda w, y, u, n: pledges.peer_score_set(
        report=_report(y, n),
        criterion=_criterion(y, 0),
        scorer_unit=u.unit or w.unit_deputy,
        points=Decimal(n % 41),
        comment="",
        actor=u,
    ),
    "reviewer score": lambda w, y, u, n: pledges.reviewer_score_set(
        report=_report(y, n),
        criterion=_criterion(y, 0),
        points=Decimal(n % 41),
        reason="Điều chỉnh",
        actor=u,
    ),
    "object": lambda w, y, u, n: pledges.objection_raise(
        report=_report(y, n), criterion=_criterion(y, 0), text="Xem lại", actor=u
    ),
    "answer": lambda w, y, u, n: pledges.objection_answer(
        objection=Objection.objects.filter(report__term=y.term).first(),
        accept=n % 2 == 0,
        new_points=Decimal(n % 41),
        reason="Trả lời",
        actor=u,
    ),
    "publish": lambda w, y, u, n: pledges.ranking_publish(
        term=_term(y), actor=u, reason=f"Đính chính {n}"
    ),
    "save summary": lambda w, y, u, n: pledges.report_save_section(
        report=_report(y, n),
        actor=u,
        version=_report(y, n).version,
        section="summary",
        data=f"Tóm tắt {n}",
    ),
    "amend pledge": lambda w, y, u, n: pledges.pledge_amend(
        pledge=Pledge.objects.get(pk=y.pledge.pk), actor=u, reason="Sửa"
    ),
    "delete criterion": lambda w, y, u, n: pledges.row_delete(
        pledge=Pledge.objects.get(pk=y.pledge.pk), row=_criterion(y, n), actor=u
    ),
    "set target": lambda w, y, u, n: pledges.targets_apply(
        pledge=Pledge.objects.get(pk=y.pledge.pk),
        rows=[(y.indicators["CT1"], w.unit_a, Decimal(n), None)],
        actor=u,
    ),
    "remove member": lambda w, y, u, n: _remove_member_a(w, u),
    "close vote": lambda w, y, u, n: awards.vote_close(
        vote=Vote.objects.get(pk=y.vote.pk), actor=u
    ),
}


def _remove_member_a(world, actor):
    membership = Membership.objects.filter(pk=world.membership_a.pk).first()
    if membership is None:
        raise DomainError("already removed by an earlier step")
    clusters.membership_remove(membership=membership, actor=actor)


def _snapshots(term):
    return {
        s.pk: (s.number, s.rows, s.reason, s.published_at, s.published_by_id)
        for s in RankingSnapshot.objects.filter(term=term)
    }


def _judged_by_itself(term):
    """Scores a unit gave its own report: as a peer, or as the reviewer."""
    scores = Score.objects.filter(report__term=term).select_related(
        "report", "scored_by"
    )
    return [
        s
        for s in scores
        if (s.kind == "peer" and s.scorer_unit_id == s.report.unit_id)
        or (s.kind == "reviewer" and s.scored_by.unit_id == s.report.unit_id)
    ]


@pytest.fixture
def year(world):
    return build_year(world)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.sampled_from(list(TermState)),
    steps=st.lists(
        st.tuples(
            st.sampled_from(sorted(ACTIONS)),
            st.sampled_from(ROLES),
            st.integers(min_value=0, max_value=60),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_random_actions_keep_scores_snapshots_and_closed_years(
    world, year, start, steps
):
    with translation.override("en"), rolled_back():
        set_state(year.term, start)
        snapshots = _snapshots(year.term)
        for name, role, n in steps:
            before_state = _term(year).state
            before = term_rows(year.term) if before_state == TermState.CLOSED else None
            with contextlib.suppress(DomainError):
                ACTIONS[name](world, year, world.users[role], n)
            after_state = _term(year).state
            assert _judged_by_itself(year.term) == [], (name, role)
            now = _snapshots(year.term)
            for pk, published in snapshots.items():
                assert now.get(pk) == published, (name, role, "snapshot changed")
            snapshots = now
            if before is not None and after_state == TermState.CLOSED:
                assert term_rows(year.term) == before, (name, role, "closed changed")
