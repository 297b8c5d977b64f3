"""Every write of the pledges app: drafting, targets, signing and amendments.

Each function is atomic, records the actor in the history and raises
`DomainError` with a translated message when a rule refuses the change."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Max, ProtectedError
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.services import (
    TERM_RESULTS,
    term_opened_from_previous,
    term_require_writable,
)
from core.audit import audited_delete, audited_save
from core.errors import DomainError

from ..models import (
    LARGEST_VALUE,
    Criterion,
    CriterionKind,
    Indicator,
    Pledge,
    PledgeState,
    PledgeTemplate,
    PledgeVersion,
    Section,
    SectionKind,
    Signature,
    Target,
)
from ..selectors import pledge_content, pledge_problems, pledge_snapshot

__all__ = [
    "content_load",
    "criterion_save",
    "indicator_save",
    "pledge_amend",
    "pledge_copy_previous",
    "pledge_create",
    "pledge_from_template",
    "pledge_open_signing",
    "pledge_sign",
    "previous_pledge",
    "row_delete",
    "row_move",
    "section_save",
    "targets_apply",
    "template_save",
]


def _check_editable(pledge):
    if pledge.state != PledgeState.DRAFT:
        raise DomainError(
            _(
                "The pledge is %(state)s and cannot be edited; amend it to make "
                "a new version."
            )
            % {"state": PledgeState(pledge.state).label}
        )


def _next_position(queryset):
    return (queryset.aggregate(m=Max("position"))["m"] or 0) + 1


# Drafting ------------------------------------------------------------------


@transaction.atomic
def pledge_create(*, term, actor, title=None, content=None):
    """Create the pledge of `term`, empty or from `content` (see
    `selectors.pledge_content`); refuses a second pledge for the term."""
    term_require_writable(term, what=TERM_RESULTS)
    if Pledge.objects.filter(term=term).exists():
        raise DomainError(_("This year already has a pledge."))
    pledge = audited_save(
        Pledge(
            term=term,
            title=title
            or _("Emulation pledge %(year)s of %(cluster)s")
            % {"year": term.year, "cluster": term.cluster.name},
        ),
        actor,
    )
    if content:
        content_load(pledge=pledge, content=content, actor=actor)
    return pledge


def previous_pledge(term):
    return (
        Pledge.objects.filter(
            term__cluster_id=term.cluster_id, term__year=term.year - 1
        )
        .select_related("term")
        .first()
    )


@transaction.atomic
def pledge_copy_previous(*, term, actor):
    """Start `term`'s pledge from last year's: criteria and indicators copied,
    targets left for the members to set."""
    previous = previous_pledge(term)
    if previous is None:
        raise DomainError(_("Last year has no pledge to copy."))
    return pledge_create(term=term, actor=actor, content=pledge_content(previous))


@transaction.atomic
def pledge_from_template(*, term, template, actor):
    """Start `term`'s pledge from a saved template of its authority."""
    if template.authority_id != term.cluster.authority_id:
        raise DomainError(_("The template belongs to another authority."))
    return pledge_create(term=term, actor=actor, content=template.content)


@receiver(term_opened_from_previous)
def copy_pledge_on_rollover(sender, previous, term, actor, **kwargs):
    """The year rollover carries last year's pledge into the new term."""
    if Pledge.objects.filter(term=previous).exists():
        pledge_copy_previous(term=term, actor=actor)


@transaction.atomic
def content_load(*, pledge, content, actor):
    """Add the sections, criteria and indicators of `content` to `pledge`."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_editable(pledge)
    for s_pos, s in enumerate(content.get("sections", []), start=1):
        section = audited_save(
            Section(
                pledge=pledge,
                code=s["code"],
                title=s["title"],
                kind=s.get("kind", SectionKind.SCORED),
                max_points=Decimal(str(s["max_points"])),
                position=s_pos,
            ),
            actor,
        )
        for c_pos, c in enumerate(s.get("criteria", []), start=1):
            criterion = audited_save(
                Criterion(
                    pledge=pledge,
                    section=section,
                    code=c["code"],
                    title=c["title"],
                    kind=c["kind"],
                    max_points=Decimal(str(c["max_points"])),
                    evidence_required=c.get("evidence_required", False),
                    guidance=c.get("guidance", ""),
                    position=c_pos,
                ),
                actor,
            )
            for i in c.get("indicators", []):
                audited_save(
                    Indicator(
                        pledge=pledge,
                        criterion=criterion,
                        code=i["code"],
                        title=i["title"],
                        unit_of_measure=i["unit_of_measure"],
                        direction=i.get("direction", "higher"),
                        aggregation=i.get("aggregation", "sum"),
                        rule=i.get("rule", "proportional"),
                        params=i.get("params", {}),
                        position=i.get("position", 0),
                    ),
                    actor,
                )


def _save_row(obj, actor, *, duplicate_message):
    try:
        with transaction.atomic():
            return audited_save(obj, actor)
    except IntegrityError as error:
        raise DomainError(duplicate_message, field="code") from error


@transaction.atomic
def section_save(*, pledge, actor, section=None, **fields):
    """Create or change a section of a draft pledge; codes are unique."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_editable(pledge)
    if section is None:
        section = Section(pledge=pledge, position=_next_position(pledge.sections))
    for name, value in fields.items():
        setattr(section, name, value)
    return _save_row(
        section, actor, duplicate_message=_("Another section has this code.")
    )


@transaction.atomic
def criterion_save(*, pledge, actor, criterion=None, **fields):
    """Create or change a criterion; its kind must fit its section's kind."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_editable(pledge)
    section = fields.get("section") or criterion.section
    if section.pledge_id != pledge.pk:
        raise DomainError(_("Choose a section of this pledge."), field="section")
    kind = fields.get("kind") or criterion.kind
    allowed = {
        SectionKind.SCORED: {CriterionKind.INDICATOR, CriterionKind.ASSESSED},
        SectionKind.BONUS: {CriterionKind.BONUS},
        SectionKind.DEDUCTION: {CriterionKind.DEDUCTION},
    }[SectionKind(section.kind)]
    if kind not in allowed:
        raise DomainError(
            _("A criterion “%(kind)s” does not belong in a section “%(section)s”.")
            % {
                "kind": CriterionKind(kind).label,
                "section": SectionKind(section.kind).label,
            },
            field="kind",
        )
    if criterion is None:
        criterion = Criterion(pledge=pledge, position=_next_position(section.criteria))
    for name, value in fields.items():
        setattr(criterion, name, value)
    return _save_row(
        criterion, actor, duplicate_message=_("Another criterion has this code.")
    )


@transaction.atomic
def indicator_save(*, pledge, actor, indicator=None, **fields):
    """Create or change an indicator; it feeds an indicator criterion and its
    rule's parameters must make sense."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_editable(pledge)
    criterion = fields.get("criterion") or indicator.criterion
    if criterion.pledge_id != pledge.pk or criterion.kind != CriterionKind.INDICATOR:
        raise DomainError(
            _("An indicator feeds a criterion of kind “computed from indicators”."),
            field="criterion",
        )
    if indicator is None:
        indicator = Indicator(pledge=pledge, position=_next_position(pledge.indicators))
    for name, value in fields.items():
        setattr(indicator, name, value)
    return _save_row(
        indicator, actor, duplicate_message=_("Another indicator has this code.")
    )


@transaction.atomic
def row_delete(*, pledge, row, actor):
    """Delete a section, criterion or indicator of a draft pledge (with what it
    contains); refuses (DomainError, nothing deleted) a row that members'
    scores, results, evidence or objections rest on."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_editable(pledge)
    if row.pledge_id != pledge.pk:
        raise DomainError(_("This row belongs to another pledge."))
    try:
        with transaction.atomic():
            audited_delete(row, actor)
    except ProtectedError as error:
        raise DomainError(
            _(
                "%(row)s cannot be deleted: scores, results, evidence or "
                "objections of the members rest on it."
            )
            % {"row": row.code}
        ) from error


@transaction.atomic
def row_move(*, pledge, row, offset, actor):
    """Move a section, criterion or indicator up (−1) or down (+1) among its
    siblings."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_editable(pledge)
    siblings = {
        Section: lambda: pledge.sections.all(),
        Criterion: lambda: row.section.criteria.all(),
        Indicator: lambda: pledge.indicators.all(),
    }[type(row)]()
    ordered = list(siblings.order_by("position", "id"))
    index = [r.pk for r in ordered].index(row.pk)
    target = index + offset
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            audited_save(item, actor, update_fields=["position"])


# Targets -------------------------------------------------------------------


@transaction.atomic
def targets_apply(*, pledge, rows, actor, reason=None):
    """Set targets from `rows` of (indicator, unit, planned, last_actual); units
    must be members and values non-negative and below LARGEST_VALUE. Returns how
    many targets changed; applying the same rows again changes nothing. `reason`
    (e.g. an import) goes into the history."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_editable(pledge)
    members = set(pledge.term.memberships.values_list("unit_id", flat=True))
    existing = {
        (t.indicator_id, t.unit_id): t
        for t in Target.objects.filter(indicator__pledge=pledge).select_for_update()
    }
    changed = 0
    for indicator, unit, planned, last_actual in rows:
        if indicator.pledge_id != pledge.pk:
            raise DomainError(_("The indicator belongs to another pledge."))
        if unit.pk not in members:
            raise DomainError(
                _("%(unit)s is not a member of this year.") % {"unit": unit}
            )
        for value in (planned, last_actual):
            if value is not None and value < 0:
                raise DomainError(_("Targets cannot be negative."))
            if value is not None and value >= LARGEST_VALUE:
                raise DomainError(_("The value is too large."))
        target = existing.get((indicator.pk, unit.pk))
        if target is None:
            target = Target(indicator=indicator, unit=unit)
        elif (target.planned, target.last_actual) == (planned, last_actual):
            continue
        target.planned, target.last_actual = planned, last_actual
        audited_save(target, actor, reason)
        changed += 1
    return changed


# Signing and amendments ----------------------------------------------------


@transaction.atomic
def pledge_open_signing(*, pledge, actor):
    """Freeze the draft as a version for every member to sign.

    Refuses while `selectors.pledge_problems` finds anything."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    pledge = Pledge.objects.select_for_update().select_related("term").get(pk=pledge.pk)
    _check_editable(pledge)
    problems = pledge_problems(pledge)
    if problems:
        raise DomainError(
            _("The pledge cannot be opened for signing: %(problems)s")
            % {"problems": " ".join(problems)}
        )
    PledgeVersion.objects.create(
        pledge=pledge,
        number=pledge.version,
        snapshot=pledge_snapshot(pledge),
        reason=pledge.amendment_reason,
        opened_at=timezone.now(),
    )
    pledge.state = PledgeState.SIGNING
    return audited_save(pledge, actor, update_fields=["state"])


@transaction.atomic
def pledge_sign(
    *, pledge, unit, actor, signer_name, signer_title, signed_on, signs_for=""
):
    """Sign the open version for `unit`; when every member has signed the pledge
    takes effect and locks. The signer (name, title and, for a deputy, the head
    signed for) is the unit's leader as entered, possibly blank: the document
    then leaves the lines to fill in, never `actor`'s name."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    pledge = Pledge.objects.select_for_update().select_related("term").get(pk=pledge.pk)
    if pledge.state != PledgeState.SIGNING:
        raise DomainError(_("The pledge is not open for signing."))
    members = set(pledge.term.memberships.values_list("unit_id", flat=True))
    if unit.pk not in members:
        raise DomainError(_("%(unit)s is not a member of this year.") % {"unit": unit})
    version = pledge.versions.get(number=pledge.version)
    if version.signatures.filter(unit=unit).exists():
        raise DomainError(
            _("%(unit)s has already signed this version.") % {"unit": unit}
        )
    audited_save(
        Signature(
            version=version,
            unit=unit,
            signer_name=signer_name.strip(),
            signer_title=signer_title.strip(),
            signs_for=signs_for.strip(),
            signed_on=signed_on,
            signed_by=actor,
        ),
        actor,
    )
    if members <= set(version.signatures.values_list("unit_id", flat=True)):
        version.in_force_at = timezone.now()
        version.save(update_fields=["in_force_at"])
        pledge.state = PledgeState.IN_FORCE
        audited_save(pledge, actor, update_fields=["state"])
    return pledge


@transaction.atomic
def pledge_amend(*, pledge, actor, reason):
    """Reopen a signed (or signing) pledge as a new draft version; every member
    signs it again. Earlier versions stay as they were."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.state == PledgeState.DRAFT:
        raise DomainError(_("The pledge is already a draft."))
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the amendment."), field="reason")
    pledge.state = PledgeState.DRAFT
    pledge.version = F("version") + 1
    pledge.amendment_reason = reason.strip()
    audited_save(
        pledge,
        actor,
        pledge.amendment_reason,
        update_fields=["state", "version", "amendment_reason"],
    )
    pledge.refresh_from_db()
    return pledge


@transaction.atomic
def template_save(*, pledge, name, actor):
    """Save the pledge's content as a template of its authority."""
    authority = pledge.term.cluster.authority
    if PledgeTemplate.objects.filter(authority=authority, name=name).exists():
        raise DomainError(_("A template with this name exists."), field="name")
    return audited_save(
        PledgeTemplate(authority=authority, name=name, content=pledge_content(pledge)),
        actor,
    )
