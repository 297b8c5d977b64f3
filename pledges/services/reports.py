"""The members' reports: section saves with optimistic locking, evidence,
submission against the deadline, review (accept or return items) and
deadline extensions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypedDict

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from clusters.models import Term, Unit, User
from clusters.permissions import in_authority
from clusters.services import TERM_RESULTS, term_require_writable
from core.audit import audited_delete, audited_save
from core.bulk import insert_with_history, update_with_history
from core.errors import DomainError
from core.transitions import Workflow

from ..deadlines import is_late, may_submit
from ..models import (
    LARGEST_VALUE,
    CommendationFigure,
    Criterion,
    CriterionKind,
    DeadlineExtension,
    Evidence,
    Indicator,
    IndicatorResult,
    Report,
    ReportState,
    ReviewItem,
    SelfScore,
)
from ..permissions import (
    REPORTING_STATES,
    deadline_extend_refusal,
    report_fill_refusal,
    results_import_refusal,
    review_refusal,
)
from ..selectors import report_missing
from ..standings import bump_term_version
from ..uploads import removes_files_on_failure, store_checked

__all__ = [
    "REPORT_TRANSITIONS",
    "REPORT_WORKFLOW",
    "SECTIONS",
    "StaleReport",
    "deadline_extend",
    "evidence_add",
    "evidence_attach",
    "evidence_delete",
    "report_accept",
    "report_return",
    "report_save_section",
    "report_start",
    "report_submit",
    "results_apply",
    "submission_window",
]

REPORT_TRANSITIONS = {
    ReportState.DRAFT: {ReportState.SUBMITTED},
    ReportState.RETURNED: {ReportState.SUBMITTED},
    ReportState.SUBMITTED: {ReportState.ACCEPTED, ReportState.RETURNED},
    ReportState.ACCEPTED: set(),
}
REPORT_WORKFLOW = Workflow(REPORT_TRANSITIONS, versioned=True)
SECTIONS = ("indicators", "criteria", "commendations", "summary")


def _not_reporting() -> DomainError:
    return DomainError(
        _("Results are entered while the year is in progress or being reported.")
    )


class StaleReport(DomainError):
    """The report changed since the form was loaded; nothing was saved.

    Names the other officer whose change conflicts (`who`, `when`), or, when
    the only conflicting change is the actor's own (`own`), says so instead of
    blaming someone else."""

    def __init__(
        self,
        report: Report,
        *,
        who: str | None = None,
        when: datetime.datetime | None = None,
        own: bool = False,
    ) -> None:
        at = timezone.localtime(when or report.updated_at).strftime("%H:%M %d/%m/%Y")
        if own:
            message = _(
                "You changed this part of the report at %(when)s in another window "
                "or tab. Nothing was saved here: reload the page to see that change."
            ) % {"when": at}
        else:
            if who is None:
                who = report.updated_by.display_name if report.updated_by else "?"
            message = _(
                "%(who)s changed this report at %(when)s after you opened it. "
                "Nothing of yours was saved: reload the page to see their changes."
            ) % {"who": who, "when": at}
        super().__init__(message)
        self.report = report


# The history reason of a section save, so a later save with an older version
# can tell which section each newer version changed (see `_check_version`).
SECTION_REASON = "section:%s"
EVIDENCE = "evidence"


def _locked(
    report: Report,
    version: int | str | None = None,
    *,
    actor: User | None = None,
    section: str | None = None,
) -> Report:
    # Lock the report row only (PostgreSQL refuses FOR UPDATE on the nullable
    # side of an outer join); `updated_by` loads after the lock, so a stale
    # save names whoever saved last.
    report = REPORT_WORKFLOW.lock(report, related=("term", "unit"))
    if version is not None and int(version) != report.version:
        _check_version(report, int(version), actor, section)
    return report


def _part(reason: str | None) -> str | None:
    """The part of the report a history entry's reason names ("indicators",
    "indicators:12" for one criterion's indicators, "evidence"…), or None when
    the entry is no section save (a state change, an import)."""
    prefix = SECTION_REASON % ""
    if reason and reason.startswith(prefix):
        return reason[len(prefix) :]
    return None


def _overlap(part: str, other: str) -> bool:
    """Whether two parts share a field: the same part, or the whole indicator
    section and one of its criteria ("indicators" and "indicators:12")."""
    return part == other or other.startswith(f"{part}:") or part.startswith(f"{other}:")


def _check_filler(actor: User, term: Term, unit: Unit) -> None:
    """Refuse (DomainError) anyone who may not fill in `unit`'s report of
    `term` (`permissions.report_fill_refusal`)."""
    refusal = report_fill_refusal(actor, term, unit)
    if refusal:
        raise DomainError(refusal)


def _check_version(
    report: Report, version: int, actor: User | None, section: str | None
) -> None:
    """Accept a form loaded at `version` when every newer version is a section
    save by `actor` himself in another part (or, for `section` None — a
    submission — in any part): his own earlier saves from the same page are
    no conflict. A part is a section, or the indicators of one criterion
    ("indicators:12"), which overlaps the whole indicator section but not the
    other criteria. Raise StaleReport otherwise, naming the latest other
    officer whose change conflicts, or telling the actor the change was his
    own."""
    if actor is None or version > report.version:
        raise StaleReport(report)
    newer = (
        report.history.filter(version__gt=version)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    conflicts = []
    for entry in newer:
        part = _part(entry.history_change_reason)
        if (
            entry.history_user_id != actor.pk
            or part is None
            or (section is not None and _overlap(section, part))
        ):
            conflicts.append(entry)
    if not conflicts:
        return
    for entry in conflicts:
        if entry.history_user_id != actor.pk:
            who = entry.history_user.display_name if entry.history_user else "?"
            raise StaleReport(report, who=who, when=entry.history_date)
    raise StaleReport(report, when=conflicts[0].history_date, own=True)


def _bump(report: Report, actor: User, section: str | None = None) -> Report:
    """Save `report` as changed by `actor`: a new version, so forms loaded
    before this save are stale. `section` names the part a section save
    changed, kept in the history entry's reason."""
    report.version = F("version") + 1
    report.updated_by = actor
    audited_save(report, actor, SECTION_REASON % section if section else None)
    report.refresh_from_db()
    return report


@transaction.atomic
def report_start(*, term: Term, unit: Unit, actor: User) -> Report:
    """The report of `unit` in `term`, created empty on first use; refuses a unit
    that is not a member, and anyone but its filler (`_check_filler`)."""
    term_require_writable(term, what=TERM_RESULTS)
    _check_filler(actor, term, unit)
    return _start(term, unit, actor)


def _start(term: Term, unit: Unit, actor: User) -> Report:
    """`report_start` after its rights check (the bulk import checks its own)."""
    if not term.memberships.filter(unit=unit).exists():
        raise DomainError(_("%(unit)s is not a member of this year.") % {"unit": unit})
    report = Report.objects.filter(term=term, unit=unit).first()
    if report is None:
        try:
            with transaction.atomic():
                report = audited_save(
                    Report(term=term, unit=unit, updated_by=actor), actor
                )
        except IntegrityError:  # another officer of the unit started it just now
            report = Report.objects.get(term=term, unit=unit)
    return report


def _check_value(value: Decimal | None, label: str) -> None:
    if value is not None and value < 0:
        raise DomainError(_("%(row)s: the value cannot be negative.") % {"row": label})
    if value is not None and value >= LARGEST_VALUE:
        raise DomainError(_("%(row)s: the value is too large.") % {"row": label})


@transaction.atomic
def report_save_section(
    *,
    report: Report,
    actor: User,
    version: int | str,
    section: str,
    data: Any,
    criterion: Criterion | None = None,
) -> Report:
    """Save one section of a draft or returned report, leaving the others as
    they are. `version` is the one the form was loaded with: a newer report
    raises StaleReport and nothing is saved.

    `data` by section: "indicators" {indicator: (actual, note)}; "criteria"
    {criterion: (points, explanation)}; "commendations" [(form, collectives,
    individuals)]; "summary" text. Indicators left out of `data` keep their
    saved values. With `criterion`, only that criterion's indicators are saved
    (any other in `data` is refused), and the save conflicts only with newer
    saves of the same indicators (see `_check_version`): the report page saves
    each criterion's indicators by themselves.

    Only the unit's own officers fill in its report; an admin may too (support,
    recorded in the history under the admin's name)."""
    term_require_writable(report.term_id, what=TERM_RESULTS)
    _check_filler(actor, report.term, report.unit)
    part = section
    if criterion is not None:
        if section != "indicators":
            raise DomainError(_("Unknown section."))
        part = f"{section}:{criterion.pk}"
    report = _locked(report, version, actor=actor, section=part)
    if not report.is_editable:
        raise DomainError(
            _("The report is %(state)s and can no longer be changed.")
            % {"state": ReportState(report.state).label}
        )
    if report.term.state not in REPORTING_STATES:
        raise _not_reporting()
    pledge = report.term.pledge
    if section == "indicators":
        if criterion is not None and criterion.pledge_id != pledge.pk:
            raise DomainError(_("The indicator belongs to another pledge."))
        existing = {r.indicator_id: r for r in report.results.all()}
        for indicator, (actual, note) in data.items():
            if indicator.pledge_id != pledge.pk:
                raise DomainError(_("The indicator belongs to another pledge."))
            if criterion is not None and indicator.criterion_id != criterion.pk:
                raise DomainError(
                    _("%(code)s is not an indicator of %(criterion)s.")
                    % {"code": indicator.code, "criterion": criterion.code}
                )
            _check_value(actual, indicator.code)
            row = existing.get(indicator.pk) or IndicatorResult(
                report=report, indicator=indicator
            )
            if row.pk and (row.actual, row.note) == (actual, note):
                continue
            row.actual, row.note = actual, note
            audited_save(row, actor)
    elif section == "criteria":
        scores = {s.criterion_id: s for s in report.self_scores.all()}
        for criterion, (points, explanation) in data.items():
            if (
                criterion.pledge_id != pledge.pk
                or criterion.kind == CriterionKind.INDICATOR
            ):
                raise DomainError(_("Choose a criterion scored by people."))
            if points is not None and not (0 <= points <= criterion.max_points):
                raise DomainError(
                    _("%(code)s: points go from 0 to %(max)s.")
                    % {"code": criterion.code, "max": criterion.max_points}
                )
            score = scores.get(criterion.pk) or SelfScore(
                report=report, criterion=criterion
            )
            if score.pk and (score.points, score.explanation) == (points, explanation):
                continue
            score.points, score.explanation = points, explanation
            audited_save(score, actor)
    elif section == "commendations":
        forms = [form.strip() for form, _c, _i in data]
        if len(set(forms)) != len(forms) or not all(forms):
            raise DomainError(_("Name each form of commendation once."))
        for figure in report.commendations.all():
            audited_delete(figure, actor)
        for form, collectives, individuals in data:
            audited_save(
                CommendationFigure(
                    report=report,
                    form=form.strip(),
                    collectives=collectives,
                    individuals=individuals,
                ),
                actor,
            )
    elif section == "summary":
        report.summary = data
    else:
        raise DomainError(_("Unknown section."))
    return _bump(report, actor, part)


@removes_files_on_failure
@transaction.atomic
def evidence_add(
    *,
    report: Report,
    criterion: Criterion,
    upload: UploadedFile,
    actor: User,
    version: int | str | None = None,
) -> Evidence:
    """Attach a checked file (see `pledges.uploads.check_evidence`) to a
    criterion of an editable report, by one of its fillers (`_check_filler`)."""
    term_require_writable(report.term_id, what=TERM_RESULTS)
    _check_filler(actor, report.term, report.unit)
    report = _locked(report, version, actor=actor, section="criteria")
    if not report.is_editable:
        raise DomainError(_("The report can no longer be changed."))
    if report.term.state not in REPORTING_STATES:
        raise _not_reporting()
    if criterion.pledge_id != report.term.pledge.pk:
        raise DomainError(_("Choose a criterion of this pledge."))
    evidence = store_checked(
        Evidence(report=report, criterion=criterion), upload, actor
    )
    audited_save(evidence, actor)
    _bump(report, actor, EVIDENCE)
    return evidence


@transaction.atomic
def evidence_attach(
    *, term: Term, unit: Unit, criterion: Criterion, upload: UploadedFile, actor: User
) -> Evidence:
    """The upload button's save, all or nothing: start `unit`'s report of
    `term` when it has none (`report_start`) and attach the file to
    `criterion` (`evidence_add`, with its refusals)."""
    report = report_start(term=term, unit=unit, actor=actor)
    return evidence_add(report=report, criterion=criterion, upload=upload, actor=actor)


@transaction.atomic
def evidence_delete(*, evidence: Evidence, actor: User) -> None:
    """Remove a file from an editable report, by one of its fillers
    (`_check_filler`)."""
    term_require_writable(evidence.report.term_id, what=TERM_RESULTS)
    report = _locked(evidence.report)
    _check_filler(actor, report.term, report.unit)
    if not report.is_editable:
        raise DomainError(_("The report can no longer be changed."))
    audited_delete(evidence, actor)
    # The file stays until `sweep_orphan_files` removes it after its grace
    # period, never during a backup (deploy/backup.sh holds the same lock).


def submission_window(
    term: Term, unit: Unit, today: datetime.date | None = None
) -> tuple[bool, bool]:
    """(open, late): whether `unit` may submit today and whether that is after
    the deadline (allowed only with an extension until today or later; the rule
    is `pledges.deadlines`)."""
    today = today or timezone.localdate()
    deadline = term.report_deadline
    if not is_late(deadline, today):
        return True, False
    extended_until = max(
        DeadlineExtension.objects.filter(term=term, unit=unit).values_list(
            "until", flat=True
        ),
        default=None,
    )
    return may_submit(deadline, extended_until, today), True


@transaction.atomic
def report_submit(*, report: Report, actor: User, version: int | str) -> Report:
    """Submit a complete report; afterwards it is read-only to the unit.

    Refuses an incomplete report (see `selectors.report_missing`), a stale form,
    and a submission after the deadline without an extension (which marks the
    report late), and anyone but its fillers (`_check_filler`). A form older
    than the officer's own section saves is not stale."""
    term_require_writable(report.term_id, what=TERM_RESULTS)
    _check_filler(actor, report.term, report.unit)
    report = _locked(report, version, actor=actor)
    missing = report_missing(report)
    if missing:
        raise DomainError(
            _("The report is not complete: %(missing)s")
            % {"missing": " ".join(message for message, _anchor in missing)}
        )
    allowed, late = submission_window(report.term, report.unit)
    if not allowed:
        raise DomainError(_("The deadline has passed; ask the admin for an extension."))
    now = timezone.now()
    report.review_items.filter(resolved_at__isnull=True).update(resolved_at=now)
    return REPORT_WORKFLOW.move(
        report,
        ReportState.SUBMITTED,
        actor=actor,
        fields={"submitted_at": now, "late": late},
    )


def _check_reviewer(report: Report, actor: User) -> None:
    """Refuse anyone but `report`'s reviewers (`permissions.review_refusal`)
    of its term's authority: never its own unit; the deputy chair (or
    province staff) for the chair's."""
    if not in_authority(actor, report.term.cluster.authority_id):
        raise DomainError(
            _("Only the chair unit or province staff review the members' reports.")
        )
    refusal = review_refusal(actor, report)
    if refusal:
        raise DomainError(refusal)


@transaction.atomic
def report_accept(*, report: Report, actor: User) -> Report:
    """Accept a submitted report; a unit never reviews its own."""
    term_require_writable(report.term_id, what=TERM_RESULTS)
    report = _locked(report)
    _check_reviewer(report, actor)
    return REPORT_WORKFLOW.move(report, ReportState.ACCEPTED, actor=actor)


@transaction.atomic
def report_return(
    *,
    report: Report,
    actor: User,
    items: Iterable[tuple[str, Indicator | None, Criterion | None, str]],
) -> Report:
    """Return a submitted report with `items`, each (part, indicator, criterion,
    reason); the unit corrects them and resubmits. Every item needs a reason; a
    unit never reviews its own report."""
    term_require_writable(report.term_id, what=TERM_RESULTS)
    report = _locked(report)
    _check_reviewer(report, actor)
    if not items:
        raise DomainError(_("Choose at least one item to return."))
    for part, indicator, criterion, reason in items:
        if not (reason or "").strip():
            raise DomainError(_("Give a reason for every returned item."))
        audited_save(
            ReviewItem(
                report=report,
                part=part,
                indicator=indicator,
                criterion=criterion,
                reason=reason.strip(),
                created_by=actor,
            ),
            actor,
        )
    return REPORT_WORKFLOW.move(report, ReportState.RETURNED, actor=actor)


@transaction.atomic
def deadline_extend(
    *, term: Term, unit: Unit, until: datetime.date, reason: str, actor: User
) -> DeadlineExtension:
    """Let `unit` submit until `until`, after the term's deadline; only an
    admin of the term's authority (`permissions.deadline_extend_refusal`)."""
    term_require_writable(term, what=TERM_RESULTS)
    refusal = deadline_extend_refusal(actor, term)
    if refusal:
        raise DomainError(refusal)
    if not term.memberships.filter(unit=unit).exists():
        raise DomainError(_("%(unit)s is not a member of this year.") % {"unit": unit})
    if term.report_deadline and until <= term.report_deadline:
        raise DomainError(_("An extension ends after the deadline."), field="until")
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the extension."), field="reason")
    return audited_save(
        DeadlineExtension(
            term=term, unit=unit, until=until, reason=reason.strip(), granted_by=actor
        ),
        actor,
    )


def _reports_create(
    term: Term, units: Iterable[Unit], actor: User
) -> dict[int, Report]:
    """{unit id: report}: the empty reports of `units` in `term`, as
    `report_start` creates them, in one bulk write with their history; one by
    one through `report_start` when an officer started one meanwhile."""
    if not units:
        return {}
    try:
        with transaction.atomic():
            created = bulk_create_with_history(
                [Report(term=term, unit=unit, updated_by=actor) for unit in units],
                Report,
                default_user=actor,
            )
    except IntegrityError:
        created = [_start(term, unit, actor) for unit in units]
    return {report.unit_id: report for report in created}


class _ChangedResult(TypedDict):
    """A saved result `results_apply` rewrites: every concrete field."""

    id: int
    report_id: int
    indicator_id: int
    actual: Decimal | None
    note: str


@transaction.atomic
def results_apply(
    *,
    term: Term,
    rows: Iterable[tuple[Indicator, Unit, Decimal | None, str]],
    actor: User,
    reason: str | None = None,
) -> int:
    """Set indicator results from `rows` of (indicator, unit, actual, note), all
    or nothing, and return how many results changed.

    Rows equal to what is saved (a missing result counts as no value and no
    note) are skipped, so applying the same rows again returns 0. Reports are
    created (`report_start`) when missing; each report with a change gets its
    version bumped once. History names `actor` and `reason` ("Imported from
    Excel" by default). Raises DomainError, saving nothing, when the year is not
    being reported, an indicator belongs to another pledge, a unit is not a
    member, a row repeats, a value is negative or too large, a note is too long,
    or a change touches a submitted or accepted report, or `actor` may not
    enter a row's unit's results (`permissions.results_import_refusal`).

    This is the bulk path: a fixed number of queries whatever the number of rows
    (plus `report_start` for each new report). New results and their history
    are bulk-created; changed ones are written with one upsert on the primary
    key and their history bulk-created, because `bulk_update` builds a CASE per
    row and is over ten times slower (see `bench_import`)."""
    term_require_writable(term, what=TERM_RESULTS)
    reason = reason or _("Imported from Excel")
    term = (
        Term.objects.select_for_update(of=("self",))
        .select_related("cluster")
        .prefetch_related("memberships")
        .get(pk=term.pk)
    )
    if term.state not in REPORTING_STATES:
        raise _not_reporting()
    if not rows:
        return 0
    pledge_id = term.pledge.pk
    members = {m.unit_id: m.unit for m in term.memberships.select_related("unit")}
    reports = {
        r.unit_id: r for r in Report.objects.select_for_update().filter(term=term)
    }
    units_by_report = {r.pk: unit_id for unit_id, r in reports.items()}
    saved = {
        (indicator_id, units_by_report[report_id]): (pk, report_id, actual, note)
        for pk, report_id, indicator_id, actual, note in IndicatorResult.objects.filter(
            report__term=term
        ).values_list("pk", "report_id", "indicator_id", "actual", "note")
    }
    note_length = IndicatorResult._meta.get_field("note").max_length
    assert note_length is not None  # noqa: S101 (a CharField's)
    seen: set[tuple[int, int]] = set()
    new: list[tuple[int, int, Decimal | None, str]] = []
    changed: list[_ChangedResult] = []
    allowed: set[int] = set()
    for indicator, unit, actual, note in rows:
        note = note or ""
        key = (indicator.pk, unit.pk)
        if indicator.pledge_id != pledge_id:
            raise DomainError(_("The indicator belongs to another pledge."))
        if unit.pk not in members:
            raise DomainError(
                _("%(unit)s is not a member of this year.") % {"unit": unit}
            )
        if unit.pk not in allowed:
            refusal = results_import_refusal(actor, term, unit)
            if refusal:
                raise DomainError(refusal)
            allowed.add(unit.pk)
        if key in seen:
            raise DomainError(
                _("%(code)s of %(unit)s appears more than once.")
                % {"code": indicator.code, "unit": unit}
            )
        seen.add(key)
        _check_value(actual, indicator.code)
        if len(note) > note_length:
            raise DomainError(
                _("%(row)s: the note is longer than %(count)s characters.")
                % {"row": indicator.code, "count": note_length}
            )
        old = saved.get(key)
        if old is None:
            if actual is not None or note:
                new.append((unit.pk, indicator.pk, actual, note))
        elif (old[2], old[3]) != (actual, note):
            changed.append(
                {
                    "id": old[0],
                    "report_id": old[1],
                    "indicator_id": indicator.pk,
                    "actual": actual,
                    "note": note,
                }
            )
    touched = {unit_id for unit_id, *_rest in new}
    touched |= {units_by_report[r["report_id"]] for r in changed}
    for unit_id in sorted(touched):
        report = reports.get(unit_id)
        if report is not None and not report.is_editable:
            raise DomainError(
                _("The report of %(unit)s is %(state)s; it can no longer be changed.")
                % {
                    "unit": members[unit_id],
                    "state": ReportState(report.state).label,
                }
            )
    missing = [members[u] for u in sorted(touched) if reports.get(u) is None]
    reports.update(_reports_create(term, missing, actor))
    now = timezone.now()
    # COPY on PostgreSQL, batched bulk writes elsewhere (core.bulk; measured
    # with `bench_import`).
    written: dict[str, Any] = {"user": actor, "reason": reason, "date": now}
    insert_with_history(
        IndicatorResult,
        (
            {
                "report_id": reports[unit_id].pk,
                "indicator_id": indicator_id,
                "actual": actual,
                "note": note,
            }
            for unit_id, indicator_id, actual, note in new
        ),
        **written,
    )
    update_with_history(IndicatorResult, changed, ["actual", "note"], **written)
    history = {
        "batch_size": 500,
        "default_user": actor,
        "default_change_reason": reason,
        "default_date": now,
    }
    bumped = [reports[unit_id] for unit_id in sorted(touched)]
    for report in bumped:
        report.version += 1
        report.updated_by = actor
        report.updated_at = now
    bulk_update_with_history(
        bumped, Report, ["version", "updated_by", "updated_at"], **history
    )
    bump_term_version(term.pk)
    return len(new) + len(changed)
