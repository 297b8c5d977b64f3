"""The transition kit (core.transitions) on a real model: the term of a cluster's
year, whose history is kept by simple_history."""

import pytest
from django.db import transaction
from django.utils import translation

from clusters.models import Term, TermState
from core.errors import DomainError
from core.transitions import IllegalMove, StaleState, Workflow
from pledges.models import Report, ReportState

CYCLE = Workflow(
    {
        TermState.PLANNING: {TermState.PLEDGING},
        TermState.PLEDGING: {TermState.IN_PROGRESS},
    },
    needs_reason={TermState.IN_PROGRESS},
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def admin(world):
    return world.users["admin"]


def test_illegal_move_is_refused_with_both_states_named(world, admin):
    with transaction.atomic(), pytest.raises(IllegalMove) as refused:
        CYCLE.transition(world.term, TermState.IN_PROGRESS, actor=admin)
    assert refused.value.message == "Cannot move from “planning” to “in progress”."
    assert Term.objects.get(pk=world.term.pk).state == TermState.PLANNING
    assert world.term.history.count() == 1


def test_illegal_move_message_is_vietnamese(world, admin):
    with translation.override("vi"), pytest.raises(IllegalMove) as refused:
        CYCLE.check(world.term, TermState.IN_PROGRESS)
    assert refused.value.message == (
        "Không thể chuyển từ “lập kế hoạch” sang “đang thực hiện”."
    )


def test_a_move_someone_else_made_first_asks_to_reload(world, admin):
    seen = Term.objects.get(pk=world.term.pk)  # the page the user loaded
    with transaction.atomic():
        CYCLE.transition(world.term, TermState.PLEDGING, actor=admin)
    with transaction.atomic(), pytest.raises(StaleState) as refused:
        CYCLE.transition(seen, TermState.PLEDGING, actor=admin)
    assert refused.value.message == (
        "Someone else has changed the state; reload the page to see it."
    )
    assert world.term.history.count() == 2


def test_a_move_still_allowed_after_another_change_goes_ahead(world, admin):
    seen = Term.objects.get(pk=world.term.pk)
    with transaction.atomic():
        CYCLE.transition(world.term, TermState.PLEDGING, actor=admin)
        moved = CYCLE.transition(
            seen, TermState.IN_PROGRESS, actor=admin, reason="Ký xong"
        )
    assert moved.state == TermState.IN_PROGRESS


def test_history_names_the_actor_and_the_reason(world, admin):
    with transaction.atomic():
        CYCLE.transition(world.term, TermState.PLEDGING, actor=admin)
        CYCLE.transition(
            world.term, TermState.IN_PROGRESS, actor=admin, reason="  Đã ký  "
        )
    latest = world.term.history.order_by("-history_id").first()
    assert latest.state == TermState.IN_PROGRESS
    assert latest.history_user == admin
    assert latest.history_change_reason == "Đã ký"


def test_a_move_that_needs_a_reason_is_refused_without_one(world, admin):
    with transaction.atomic():
        term = CYCLE.transition(world.term, TermState.PLEDGING, actor=admin)
    with transaction.atomic(), pytest.raises(DomainError) as refused:
        CYCLE.transition(term, TermState.IN_PROGRESS, actor=admin, reason=" ")
    assert (refused.value.message, refused.value.field) == ("Give a reason.", "reason")
    assert Term.objects.get(pk=term.pk).state == TermState.PLEDGING


def test_a_guard_refusal_stops_the_move(world, admin):
    with transaction.atomic(), pytest.raises(DomainError) as refused:
        CYCLE.transition(
            world.term,
            TermState.PLEDGING,
            actor=admin,
            guards=[lambda term: None, lambda term: f"{term.year} chưa sẵn sàng"],
        )
    assert refused.value.message == "2024 chưa sẵn sàng"
    assert Term.objects.get(pk=world.term.pk).state == TermState.PLANNING


def test_only_the_changed_fields_are_saved(world, admin):
    Term.objects.filter(pk=world.term.pk).update(total_points=90)
    with transaction.atomic():
        CYCLE.transition(
            world.term,
            TermState.PLEDGING,
            actor=admin,
            fields={"report_deadline": None},
        )
    term = Term.objects.get(pk=world.term.pk)
    # The caller's copy still had the old total; it was not written back.
    assert (term.state, term.total_points) == (TermState.PLEDGING, 90)


def test_side_effects_run_after_commit(
    world, admin, django_capture_on_commit_callbacks
):
    seen = []
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        CYCLE.transition(
            world.term,
            TermState.PLEDGING,
            actor=admin,
            on_commit=[lambda term: seen.append(term.state)],
        )
        assert seen == []
    assert len(callbacks) == 1
    assert seen == [TermState.PLEDGING]


def _move_then_fail(term, admin, seen):
    with transaction.atomic():
        CYCLE.transition(
            term,
            TermState.PLEDGING,
            actor=admin,
            on_commit=[lambda moved: seen.append(moved.state)],
        )
        raise RuntimeError("later step failed")


def test_side_effects_never_run_when_the_transaction_rolls_back(
    world, admin, django_capture_on_commit_callbacks
):
    seen = []
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        _move_then_fail(world.term, admin, seen)
    assert (callbacks, seen) == ([], [])
    assert Term.objects.get(pk=world.term.pk).state == TermState.PLANNING


def test_a_versioned_row_gets_a_new_version_and_its_editor(world, admin):
    report = Report.objects.create(term=world.term, unit=world.unit_a)
    flow = Workflow({ReportState.DRAFT: {ReportState.SUBMITTED}}, versioned=True)
    with transaction.atomic():
        moved = flow.transition(report, ReportState.SUBMITTED, actor=admin)
    assert (moved.version, moved.updated_by) == (2, admin)
    saved = Report.objects.get(pk=report.pk)
    assert (saved.state, saved.version, saved.updated_by) == (
        ReportState.SUBMITTED,
        2,
        admin,
    )
    assert report.history.order_by("-history_id").first().version == 2
