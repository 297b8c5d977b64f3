"""Every write of the campaigns app: one function per use case, keyword-only,
atomic, audited with the actor (and a reason where one is needed). A refused
operation raises `DomainError` with a translated message and changes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.models import Authority, Cluster, Unit, User
from clusters.services import TERM_RESULTS, term_require_writable
from core.audit import audited_delete, audited_save
from core.errors import DomainError
from core.transitions import Workflow
from pledges.models import Criterion, CriterionKind, PledgeState
from pledges.uploads import removes_files_on_failure, store_checked

from .models import (
    LARGEST_FIGURE,
    Campaign,
    CampaignAttachment,
    CampaignFigure,
    CampaignKind,
    CampaignMetric,
    CampaignReport,
    CampaignReview,
    CampaignRule,
    CampaignScope,
    CampaignState,
    Exemplar,
    ExemplarKind,
    ReportEvidence,
    ReportKind,
    ReportState,
    ReviewStage,
)
from .scope import is_in_scope

# Each campaign state's allowed next states; the mid-term review may be skipped.
CAMPAIGN_TRANSITIONS = {
    CampaignState.DRAFT: {CampaignState.LAUNCHED},
    CampaignState.LAUNCHED: {CampaignState.MIDTERM_REVIEW, CampaignState.FINAL_REVIEW},
    CampaignState.MIDTERM_REVIEW: {CampaignState.FINAL_REVIEW},
    CampaignState.FINAL_REVIEW: {CampaignState.CLOSED},
    CampaignState.CLOSED: set(),
}
REPORT_TRANSITIONS = {
    ReportState.DRAFT: {ReportState.SUBMITTED},
    ReportState.RETURNED: {ReportState.SUBMITTED},
    ReportState.SUBMITTED: {ReportState.ACCEPTED, ReportState.RETURNED},
    ReportState.ACCEPTED: set(),
}
CAMPAIGN_WORKFLOW = Workflow(CAMPAIGN_TRANSITIONS, versioned=True)
REPORT_WORKFLOW = Workflow(REPORT_TRANSITIONS, versioned=True)
# The campaign states in which units file each kind of report.
FILING_STATES = {
    ReportKind.REGISTRATION: {CampaignState.LAUNCHED, CampaignState.MIDTERM_REVIEW},
    ReportKind.MIDTERM: {CampaignState.LAUNCHED, CampaignState.MIDTERM_REVIEW},
    ReportKind.FINAL: {
        CampaignState.LAUNCHED,
        CampaignState.MIDTERM_REVIEW,
        CampaignState.FINAL_REVIEW,
    },
}
# The campaign states in which each review summary is written.
REVIEW_STATES = {
    ReviewStage.MIDTERM: {CampaignState.MIDTERM_REVIEW, CampaignState.FINAL_REVIEW},
    ReviewStage.FINAL: {CampaignState.FINAL_REVIEW},
}
DECISION_FIELDS = ("decision_number", "decision_date", "decision_signer", "launched_by")
EDITABLE_FIELDS = (
    "kind",
    "title",
    "slogan",
    *DECISION_FIELDS,
    "start_date",
    "end_date",
    "scope",
    "expected_outcomes",
    "registration_deadline",
    "midterm_deadline",
    "final_deadline",
)
DEADLINES = ("registration_deadline", "midterm_deadline", "final_deadline")
RULE_KINDS = (CriterionKind.ASSESSED, CriterionKind.BONUS)


class StaleObject(DomainError):
    """The row changed since the form was loaded; nothing was saved."""

    def __init__(self, obj: Campaign | CampaignReport) -> None:
        updated_by = getattr(obj, "updated_by", None)  # a report's, not a campaign's
        who = updated_by.display_name if updated_by else ""
        message = (
            _(
                "%(who)s changed this after you opened it. Nothing of yours was "
                "saved: reload the page to see their changes."
            )
            % {"who": who}
            if who
            else _(
                "Someone changed this after you opened it. Nothing of yours was "
                "saved: reload the page to see their changes."
            )
        )
        super().__init__(message)


def _check_version(obj: Campaign | CampaignReport, version: int | str | None) -> None:
    if version is not None and str(version) != str(obj.version):
        raise StaleObject(obj)


def _bump[M: Campaign | CampaignReport](
    obj: M, actor: User, reason: str | None = None
) -> M:
    obj.version = F("version") + 1
    if isinstance(obj, CampaignReport):  # a campaign has no `updated_by`
        obj.updated_by = actor
    audited_save(obj, actor, reason)
    obj.refresh_from_db()
    return obj


# Campaigns -----------------------------------------------------------------


def _check_fields(
    campaign: Campaign, clusters: Iterable[Cluster], units: Iterable[Unit]
) -> None:
    if not (campaign.title or "").strip():
        raise DomainError(_("Give the campaign a title."), field="title")
    if campaign.kind not in CampaignKind.values:
        raise DomainError(_("Choose the kind of campaign."), field="kind")
    if campaign.scope not in CampaignScope.values:
        raise DomainError(_("Choose whom the campaign reaches."), field="scope")
    if not (campaign.launched_by or "").strip():
        raise DomainError(_("Name the body that launched the campaign."), "launched_by")
    if campaign.start_date is None or campaign.end_date is None:
        raise DomainError(_("Give the campaign's period."), field="start_date")
    if campaign.end_date < campaign.start_date:
        raise DomainError(
            _("The campaign cannot end before it starts."), field="end_date"
        )
    if campaign.end_date.year - campaign.start_date.year > 10:
        raise DomainError(
            _("A campaign lasts at most ten years; split a longer one."),
            field="end_date",
        )
    for name in DEADLINES:
        deadline = getattr(campaign, name)
        if deadline is not None and deadline < campaign.start_date:
            raise DomainError(
                _("A deadline cannot be before the campaign starts."), field=name
            )
    if (
        campaign.midterm_deadline
        and campaign.final_deadline
        and campaign.midterm_deadline > campaign.final_deadline
    ):
        raise DomainError(
            _("The mid-term deadline must come before the final one."),
            field="midterm_deadline",
        )
    if campaign.decision_date and campaign.decision_date > campaign.end_date:
        raise DomainError(
            _("The launching decision cannot be dated after the campaign ends."),
            field="decision_date",
        )
    chosen: list[Cluster | Unit] = [*clusters, *units]
    foreign = [obj for obj in chosen if obj.authority_id != campaign.authority_id]
    if foreign:
        raise DomainError(
            _("%(object)s belongs to another authority.") % {"object": foreign[0]}
        )
    if campaign.scope == CampaignScope.CLUSTERS and not clusters:
        raise DomainError(
            _("Choose the clusters and blocks the campaign reaches."), field="clusters"
        )
    if campaign.scope == CampaignScope.UNITS and not units:
        raise DomainError(_("Choose the units the campaign reaches."), field="units")


def _sync_metrics(
    campaign: Campaign, metrics: Iterable[tuple[str, str]], actor: User
) -> None:
    """Make the campaign's figures `metrics` [(title, unit of measure)] in that
    order; refuses removing a figure that units have already reported."""
    wanted = []
    seen = set()
    for title, unit_of_measure in metrics:
        title, unit_of_measure = (title or "").strip(), (unit_of_measure or "").strip()
        if not title or not unit_of_measure:
            raise DomainError(
                _("Give each figure a name and a unit of measure."), field="metrics"
            )
        if len(title) > 200 or len(unit_of_measure) > 50:
            raise DomainError(
                _("A figure's name or unit of measure is too long."), field="metrics"
            )
        if title.casefold() in seen:
            raise DomainError(
                _("The figure “%(title)s” is listed twice.") % {"title": title},
                field="metrics",
            )
        seen.add(title.casefold())
        wanted.append((title, unit_of_measure))
    existing = {m.title.casefold(): m for m in campaign.metrics.all()}
    removed = [m for key, m in existing.items() if key not in seen]
    for gone in removed:
        if gone.values.filter(value__isnull=False).exists():
            raise DomainError(
                _("Units have already reported “%(title)s”; it cannot be removed.")
                % {"title": gone.title},
                field="metrics",
            )
        audited_delete(gone, actor)
    for position, (title, unit_of_measure) in enumerate(wanted):
        metric = existing.get(title.casefold())
        if metric is not None and (
            metric.title,
            metric.unit_of_measure,
            metric.position,
        ) == (title, unit_of_measure, position):
            continue
        metric = metric or CampaignMetric(campaign=campaign)
        metric.title, metric.unit_of_measure, metric.position = (
            title,
            unit_of_measure,
            position,
        )
        audited_save(metric, actor)


@transaction.atomic
def campaign_create(
    *,
    authority: Authority,
    actor: User,
    clusters: Iterable[Cluster] = (),
    units: Iterable[Unit] = (),
    metrics: Iterable[tuple[str, str]] = (),
    is_sample: bool = False,
    **fields: Any,
) -> Campaign:
    """Create a draft campaign of `authority` with its scope and the figures
    units will report (`is_sample` flags illustrative demo data). Refuses a
    period that ends before it starts, deadlines before the start, an empty
    chosen scope and clusters or units of another authority."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field."))
    clusters, units = list(clusters), list(units)
    campaign = Campaign(
        authority=authority, created_by=actor, is_sample=is_sample, **fields
    )
    _check_fields(campaign, clusters, units)
    try:
        with transaction.atomic():
            audited_save(campaign, actor)
    except IntegrityError as error:
        raise DomainError(
            _("A campaign with this title and start date already exists."),
            field="title",
        ) from error
    campaign.clusters.set(clusters if campaign.scope == CampaignScope.CLUSTERS else [])
    campaign.units.set(units if campaign.scope == CampaignScope.UNITS else [])
    _sync_metrics(campaign, metrics, actor)
    return campaign


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    actor: User,
    version: int | str | None = None,
    reason: str = "",
    clusters: Iterable[Cluster] | None = None,
    units: Iterable[Unit] | None = None,
    metrics: Iterable[tuple[str, str]] | None = None,
    **fields: Any,
) -> Campaign:
    """Change a campaign that is not closed. `version` is the one the form was
    loaded with (a newer campaign is refused). Once launched, changing the
    launching decision (number, date, signer, launching body) needs a reason,
    which is kept in the history."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_version(campaign, version)
    if campaign.is_closed:
        raise DomainError(_("The campaign is closed and can no longer be changed."))
    reason = (reason or "").strip()
    decision_changed = [
        name
        for name in DECISION_FIELDS
        if name in fields and fields[name] != getattr(campaign, name)
    ]
    if decision_changed and not campaign.is_draft and not reason:
        raise DomainError(
            _(
                "The campaign has been launched: give a reason for changing its "
                "launching decision."
            ),
            field="reason",
        )
    for name, value in fields.items():
        setattr(campaign, name, value)
    clusters = list(campaign.clusters.all() if clusters is None else clusters)
    units = list(campaign.units.all() if units is None else units)
    _check_fields(campaign, clusters, units)
    try:
        with transaction.atomic():
            _bump(campaign, actor, reason or None)
    except IntegrityError as error:
        raise DomainError(
            _("A campaign with this title and start date already exists."),
            field="title",
        ) from error
    campaign.clusters.set(clusters if campaign.scope == CampaignScope.CLUSTERS else [])
    campaign.units.set(units if campaign.scope == CampaignScope.UNITS else [])
    if metrics is not None:
        _sync_metrics(campaign, metrics, actor)
    return campaign


def _transition_problem(campaign: Campaign, to_state: str) -> str | None:
    if to_state == CampaignState.LAUNCHED:
        missing = [
            label
            for name, label in (
                ("decision_number", _("decision number")),
                ("decision_date", _("decision date")),
                ("decision_signer", _("signer")),
            )
            if not getattr(campaign, name)
        ]
        if missing:
            return _("Record the launching decision before launching: %(missing)s.") % {
                "missing": ", ".join(str(m) for m in missing)
            }
        if campaign.scope == CampaignScope.CLUSTERS and not campaign.clusters.exists():
            return _("Choose the clusters and blocks the campaign reaches.")
        if campaign.scope == CampaignScope.UNITS and not campaign.units.exists():
            return _("Choose the units the campaign reaches.")
    if to_state == CampaignState.CLOSED:
        if not campaign.reviews.filter(stage=ReviewStage.FINAL).exists():
            return _("Write the final review summary before closing the campaign.")
        waiting = campaign.reports.filter(state=ReportState.SUBMITTED).count()
        if waiting:
            return _(
                "%(count)s submitted reports are waiting for review; accept or "
                "return them before closing."
            ) % {"count": waiting}
    return None


@transaction.atomic
def campaign_transition(
    *, campaign: Campaign, to_state: str, actor: User, reason: str = ""
) -> Campaign:
    """Move the campaign to its next state: launch it (the decision must be
    recorded and the scope chosen), open the mid-term or final review, or close
    it (the final summary written, no report waiting for review)."""
    return CAMPAIGN_WORKFLOW.transition(
        campaign,
        to_state,
        actor=actor,
        reason=reason,
        guards=[lambda locked: _transition_problem(locked, to_state)],
        fields=(
            {"launched_at": timezone.now()}
            if to_state == CampaignState.LAUNCHED
            else {}
        ),
    )


@removes_files_on_failure
@transaction.atomic
def attachment_add(
    *, campaign: Campaign, upload: UploadedFile, actor: User
) -> CampaignAttachment:
    """Attach a checked file (PDF, Word, Excel, JPG, PNG by content) to a campaign
    that is not closed."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.is_closed:
        raise DomainError(_("The campaign is closed and can no longer be changed."))
    attachment = store_checked(CampaignAttachment(campaign=campaign), upload, actor)
    return audited_save(attachment, actor)


@transaction.atomic
def attachment_delete(*, attachment: CampaignAttachment, actor: User) -> None:
    """Remove a file from a campaign that is not closed."""
    campaign = Campaign.objects.select_for_update().get(pk=attachment.campaign_id)
    if campaign.is_closed:
        raise DomainError(_("The campaign is closed and can no longer be changed."))
    audited_delete(attachment, actor)
    # The file stays until `sweep_orphan_files` removes it after its grace
    # period, never during a backup (deploy/backup.sh holds the same lock).


# Reports -------------------------------------------------------------------


def _check_filing(campaign: Campaign, kind: str) -> None:
    if campaign.is_closed:
        raise DomainError(_("The campaign is closed; reports can no longer be filed."))
    if campaign.is_draft:
        raise DomainError(_("The campaign has not been launched yet."))
    if campaign.state not in FILING_STATES[ReportKind(kind)]:
        raise DomainError(
            _("A %(kind)s cannot be filed while the campaign is in “%(state)s”.")
            % {
                "kind": ReportKind(kind).label,
                "state": CampaignState(campaign.state).label,
            }
        )


@transaction.atomic
def report_start(
    *, campaign: Campaign, unit: Unit, kind: str, actor: User
) -> CampaignReport:
    """The unit's report of `kind`, created empty on first use. Refuses a
    campaign that does not reach the unit, one that is closed or not launched,
    and a kind of report the campaign's stage does not take."""
    if kind not in ReportKind.values:
        raise DomainError(_("Unknown kind of report."))
    campaign = Campaign.objects.get(pk=campaign.pk)
    report = CampaignReport.objects.filter(
        campaign=campaign, unit=unit, kind=kind
    ).first()
    if report is not None:
        return report
    if campaign.authority_id != unit.authority_id or not is_in_scope(campaign, unit):
        raise DomainError(
            _("The campaign does not reach %(unit)s.") % {"unit": unit.name}
        )
    _check_filing(campaign, kind)
    try:
        with transaction.atomic():
            return audited_save(
                CampaignReport(
                    campaign=campaign, unit=unit, kind=kind, updated_by=actor
                ),
                actor,
            )
    except IntegrityError:  # another officer of the unit started it just now
        return CampaignReport.objects.get(campaign=campaign, unit=unit, kind=kind)


def _locked(report: CampaignReport, version: int | str | None = None) -> CampaignReport:
    report = REPORT_WORKFLOW.lock(report, related=("campaign", "unit"))
    _check_version(report, version)
    return report


def _check_editable(report: CampaignReport) -> None:
    if report.campaign.is_closed:
        raise DomainError(_("The campaign is closed; reports can no longer be filed."))
    if not report.is_editable:
        raise DomainError(
            _("The report is %(state)s and can no longer be changed.")
            % {"state": ReportState(report.state).label}
        )


def _clean_exemplars(exemplars: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for item in exemplars:
        name = (item.get("name") or "").strip()
        achievement = (item.get("achievement") or "").strip()
        if not name and not achievement:
            continue
        if item.get("kind") not in ExemplarKind.values:
            raise DomainError(
                _("Say whether each exemplar is a collective or an individual."),
                field="exemplars",
            )
        if not name or not achievement:
            raise DomainError(
                _("Give each exemplar a name and an achievement."), field="exemplars"
            )
        rows.append(
            {
                "kind": item["kind"],
                "name": name[:200],
                "position": (item.get("position") or "").strip()[:200],
                "achievement": achievement,
            }
        )
    return rows


@transaction.atomic
def report_save(
    *,
    report: CampaignReport,
    actor: User,
    version: int | str | None = None,
    commitment: str | None = None,
    activities: str | None = None,
    figures: Mapping[CampaignMetric, Decimal | None] | None = None,
    exemplars: Iterable[Mapping[str, Any]] | None = None,
) -> CampaignReport:
    """Save a draft or returned report: the commitment (registration), the
    activities, figures {metric: value or None} and exemplars (a list of dicts
    kind, name, position, achievement; replacing the earlier list). `version`
    is the one the form was loaded with: a newer report is refused."""
    report = _locked(report, version)
    _check_editable(report)
    if figures is not None:
        existing = {f.metric_id: f for f in report.figures.all()}
        for metric, value in figures.items():
            if metric.campaign_id != report.campaign_id:
                raise DomainError(_("The figure belongs to another campaign."))
            if value is not None and value < 0:
                raise DomainError(
                    _("%(figure)s cannot be negative.") % {"figure": metric.title},
                    field=f"m{metric.pk}",
                )
            if value is not None and value >= LARGEST_FIGURE:
                raise DomainError(
                    _("%(figure)s is too large.") % {"figure": metric.title},
                    field=f"m{metric.pk}",
                )
            row = existing.get(metric.pk) or CampaignFigure(
                report=report, metric=metric
            )
            if row.pk and row.value == value:
                continue
            row.value = value
            audited_save(row, actor)
    if exemplars is not None:
        cleaned = _clean_exemplars(exemplars)
        for old in report.exemplars.all():
            audited_delete(old, actor)
        for fields in cleaned:
            audited_save(Exemplar(report=report, **fields), actor)
    if commitment is not None:
        report.commitment = commitment.strip()
    if activities is not None:
        report.activities = activities.strip()
    return _bump(report, actor)


@transaction.atomic
def report_file(
    *,
    campaign: Campaign,
    unit: Unit,
    kind: str,
    actor: User,
    upload: UploadedFile | None = None,
    **content: Any,
) -> CampaignReport:
    """The report page's save, all or nothing: start the unit's report of
    `kind` when it has none (`report_start`), save its `content` (the keyword
    arguments of `report_save`: version, commitment, activities, figures,
    exemplars; a stale version is refused) and attach `upload` when given
    (`evidence_add`). Returns the report."""
    report = report_start(campaign=campaign, unit=unit, kind=kind, actor=actor)
    report = report_save(report=report, actor=actor, **content)
    if upload is not None:
        evidence_add(report=report, upload=upload, actor=actor)
    return report


def report_missing(report: CampaignReport) -> list[str]:
    """What stops `report` from being submitted, as sentences (empty when none)."""
    missing = []
    if report.kind == ReportKind.REGISTRATION:
        if not report.commitment.strip():
            missing.append(_("Say what the unit commits to."))
        return missing
    if not report.activities.strip():
        missing.append(_("Describe the activities and results."))
    values = {f.metric_id: f.value for f in report.figures.all() if f.value is not None}
    missing.extend(
        _("Give the figure “%(figure)s” (0 if none).") % {"figure": metric.title}
        for metric in report.campaign.metrics.all()
        if metric.pk not in values
    )
    return missing


def deadline_of(campaign: Campaign, kind: str) -> datetime.date | None:
    return getattr(
        campaign,
        {
            ReportKind.REGISTRATION: "registration_deadline",
            ReportKind.MIDTERM: "midterm_deadline",
            ReportKind.FINAL: "final_deadline",
        }[ReportKind(kind)],
    )


@transaction.atomic
def report_submit(
    *, report: CampaignReport, actor: User, version: int | str | None = None
) -> CampaignReport:
    """Submit a draft or returned report for review. Refuses a report with
    missing required content (listed in the message), a closed campaign, a
    stage that no longer takes this kind of report and a stale form. After the
    deadline the report is marked late."""
    report = _locked(report, version)
    _check_editable(report)
    _check_filing(report.campaign, report.kind)
    missing = report_missing(report)
    if missing:
        raise DomainError(
            _("The report cannot be submitted yet: %(missing)s")
            % {"missing": " ".join(str(m) for m in missing)}
        )
    deadline = deadline_of(report.campaign, report.kind)
    return REPORT_WORKFLOW.move(
        report,
        ReportState.SUBMITTED,
        actor=actor,
        fields={
            "submitted_at": timezone.now(),
            "late": deadline is not None and timezone.localdate() > deadline,
            "return_reason": "",
        },
    )


@transaction.atomic
def report_accept(*, report: CampaignReport, actor: User) -> CampaignReport:
    """Accept a submitted report; refuses one of a closed campaign."""
    report = _locked(report)
    if report.campaign.is_closed:
        raise DomainError(_("The campaign is closed and can no longer be changed."))
    return REPORT_WORKFLOW.move(
        report,
        ReportState.ACCEPTED,
        actor=actor,
        fields={"reviewed_by": actor, "reviewed_at": timezone.now()},
    )


@transaction.atomic
def report_return(
    *, report: CampaignReport, actor: User, reason: str
) -> CampaignReport:
    """Return a submitted report to its unit with a reason, shown to the unit."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the report is returned."), field="reason")
    report = _locked(report)
    if report.campaign.is_closed:
        raise DomainError(_("The campaign is closed and can no longer be changed."))
    return REPORT_WORKFLOW.move(
        report,
        ReportState.RETURNED,
        actor=actor,
        reason=reason,
        fields={
            "reviewed_by": actor,
            "reviewed_at": timezone.now(),
            "return_reason": reason,
        },
    )


@removes_files_on_failure
@transaction.atomic
def evidence_add(
    *,
    report: CampaignReport,
    upload: UploadedFile,
    actor: User,
    version: int | str | None = None,
) -> ReportEvidence:
    """Attach a checked file to an editable report."""
    report = _locked(report, version)
    _check_editable(report)
    evidence = store_checked(ReportEvidence(report=report), upload, actor)
    audited_save(evidence, actor)
    _bump(report, actor)
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: ReportEvidence, actor: User) -> None:
    """Remove a file from an editable report."""
    report = _locked(evidence.report)
    _check_editable(report)
    audited_delete(evidence, actor)
    _bump(report, actor)
    # The file stays until `sweep_orphan_files` removes it after its grace
    # period, never during a backup (deploy/backup.sh holds the same lock).


# Reviews -------------------------------------------------------------------


@transaction.atomic
def review_save(
    *,
    campaign: Campaign,
    stage: str,
    actor: User,
    summary: str,
    highlights: str = "",
    shortcomings: str = "",
    held_on: datetime.date | None = None,
) -> CampaignReview:
    """Write the mid-term or final summary of a campaign, during that review
    (the mid-term one also later) and never once closed."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if stage not in ReviewStage.values:
        raise DomainError(_("Unknown review."))
    if campaign.is_closed:
        raise DomainError(_("The campaign is closed and can no longer be changed."))
    if campaign.state not in REVIEW_STATES[ReviewStage(stage)]:
        raise DomainError(
            _("The %(stage)s summary is written once the campaign reaches it.")
            % {"stage": ReviewStage(stage).label}
        )
    summary = (summary or "").strip()
    if not summary:
        raise DomainError(_("Write the summary."), field="summary")
    if held_on is not None and held_on < campaign.start_date:
        raise DomainError(
            _("The review cannot be before the campaign starts."), field="held_on"
        )
    review = CampaignReview.objects.filter(campaign=campaign, stage=stage).first()
    review = review or CampaignReview(campaign=campaign, stage=stage)
    review.summary = summary
    review.highlights = (highlights or "").strip()
    review.shortcomings = (shortcomings or "").strip()
    review.held_on = held_on
    review.updated_by = actor
    return audited_save(review, actor)


# Rules linking campaigns to a pledge ---------------------------------------


def _check_rule_editable(criterion: Criterion) -> None:
    if criterion.pledge.state != PledgeState.DRAFT:
        raise DomainError(
            _(
                "The pledge is open for signing or in force; amend it to change how "
                "campaigns are counted."
            )
        )


@transaction.atomic
def rule_save(
    *,
    criterion: Criterion,
    actor: User,
    points_per_campaign: Decimal,
    kinds: Iterable[str] = (),
) -> CampaignRule:
    """Make `criterion` (assessed or bonus, of a draft pledge) count campaigns:
    `points_per_campaign` for each counted campaign, capped at the criterion's
    maximum; `kinds` limits the kinds counted (empty: all)."""
    term_require_writable(criterion.pledge.term_id, what=TERM_RESULTS)
    _check_rule_editable(criterion)
    if criterion.kind not in RULE_KINDS:
        raise DomainError(
            _("Only criteria scored by people or bonus criteria can count campaigns.")
        )
    if points_per_campaign is None or points_per_campaign <= 0:
        raise DomainError(
            _("Give the points per campaign (more than 0)."),
            field="points_per_campaign",
        )
    if points_per_campaign > criterion.max_points:
        raise DomainError(
            _("A campaign cannot earn more than the criterion's %(max)s points.")
            % {"max": criterion.max_points.normalize()},
            field="points_per_campaign",
        )
    kinds = sorted(set(kinds))
    if any(kind not in CampaignKind.values for kind in kinds):
        raise DomainError(_("Unknown kind of campaign."), field="kinds")
    rule = CampaignRule.objects.filter(criterion=criterion).first()
    rule = rule or CampaignRule(criterion=criterion)
    rule.points_per_campaign = points_per_campaign
    rule.kinds = kinds
    return audited_save(rule, actor)


@transaction.atomic
def rule_delete(*, criterion: Criterion, actor: User) -> None:
    """Stop `criterion` counting campaigns (while the pledge is a draft)."""
    term_require_writable(criterion.pledge.term_id, what=TERM_RESULTS)
    _check_rule_editable(criterion)
    rule = CampaignRule.objects.filter(criterion=criterion).first()
    if rule is not None:
        audited_delete(rule, actor)
