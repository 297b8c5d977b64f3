"""Every write of the pledges app: drafting, targets, signing and amendments.

Each function is atomic, records the actor in the history and raises
`DomainError` with a translated message when a rule refuses the change."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import (
    F,
    Manager,
    Max,
    Model,
    ProtectedError,
    QuerySet,
    prefetch_related_objects,
)
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from clusters.models import Term, Unit, User
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
    Subsection,
    Target,
)
from ..permissions import pledge_draft_refusal, sign_refusal, target_refusal
from ..selectors import (
    pledge_content,
    pledge_problems,
    pledge_snapshot,
    pledge_tree,
    tree_problems,
    tree_replace_refusal,
)
from ..standings import bump_term_version

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
    "pledge_tree_replace",
    "previous_pledge",
    "row_delete",
    "row_move",
    "subsection_save",
    "section_save",
    "targets_apply",
    "template_save",
]


# The kinds of criterion each kind of section holds.
CRITERION_KINDS = {
    SectionKind.SCORED: (CriterionKind.INDICATOR, CriterionKind.ASSESSED),
    SectionKind.BONUS: (CriterionKind.BONUS,),
    SectionKind.DEDUCTION: (CriterionKind.DEDUCTION,),
}


def _check_editable(pledge: Pledge) -> None:
    if pledge.state != PledgeState.DRAFT:
        raise DomainError(
            _(
                "The pledge is %(state)s and cannot be edited; amend it to make "
                "a new version."
            )
            % {"state": PledgeState(pledge.state).label}
        )


def _check_drafter(actor: User | None, term: Term) -> None:
    """Refuse (DomainError) anyone who may not draft `term`'s pledge
    (`permissions.pledge_draft_refusal`)."""
    refusal = pledge_draft_refusal(actor, term)
    if refusal:
        raise DomainError(refusal)


def _next_position(queryset: QuerySet[Any] | Manager[Any]) -> int:
    return (queryset.aggregate(m=Max("position"))["m"] or 0) + 1


# Drafting ------------------------------------------------------------------


@transaction.atomic
def pledge_create(
    *,
    term: Term,
    actor: User,
    title: str | None = None,
    content: dict[str, Any] | None = None,
) -> Pledge:
    """Create the pledge of `term`, empty or from `content` (see
    `selectors.pledge_content`); refuses a second pledge for the term."""
    term_require_writable(term, what=TERM_RESULTS)
    _check_drafter(actor, term)
    if Pledge.objects.filter(term=term).exists():
        raise DomainError(_("This year already has a pledge."))
    pledge = audited_save(
        Pledge(
            term=term,
            title=title
            or _("Emulation pledge, %(label)s, of %(cluster)s")
            % {"label": term.page_phrase, "cluster": term.cluster.name},
        ),
        actor,
    )
    if content:
        content_load(pledge=pledge, content=content, actor=actor)
    return pledge


def previous_pledge(term: Term) -> Pledge | None:
    return (
        Pledge.objects.filter(
            term__cluster_id=term.cluster_id, term__year=term.year - 1
        )
        .select_related("term")
        .first()
    )


@transaction.atomic
def pledge_copy_previous(*, term: Term, actor: User) -> Pledge:
    """Start `term`'s pledge from last year's: criteria and indicators copied,
    targets left for the members to set."""
    term_require_writable(term, what=TERM_RESULTS)
    _check_drafter(actor, term)
    previous = previous_pledge(term)
    if previous is None:
        raise DomainError(_("Last year has no pledge to copy."))
    return pledge_create(term=term, actor=actor, content=pledge_content(previous))


@transaction.atomic
def pledge_from_template(
    *, term: Term, template: PledgeTemplate, actor: User
) -> Pledge:
    """Start `term`'s pledge from a saved template of its authority."""
    term_require_writable(term, what=TERM_RESULTS)
    _check_drafter(actor, term)
    if template.authority_id != term.cluster.authority_id:
        raise DomainError(_("The template belongs to another authority."))
    return pledge_create(term=term, actor=actor, content=template.content)


@receiver(term_opened_from_previous)
def copy_pledge_on_rollover(
    sender: object, previous: Term, term: Term, actor: User, **kwargs: Any
) -> None:
    """The year rollover carries last year's pledge into the new term."""
    if Pledge.objects.filter(term=previous).exists():
        pledge_copy_previous(term=term, actor=actor)


@transaction.atomic
def content_load(*, pledge: Pledge, content: dict[str, Any], actor: User) -> None:
    """Add the sections, criteria and indicators of `content` to `pledge`, each
    with its "created" history entry naming `actor` (one bulk insert per level
    of the tree), and raise the term's data version."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_drafter(actor, pledge.term)
    _check_editable(pledge)
    specs = content.get("sections", [])
    sections = _created(
        Section,
        [
            Section(
                pledge=pledge,
                kind=s.get("kind", SectionKind.SCORED),
                **_node(s, s_pos),
            )
            for s_pos, s in enumerate(specs, start=1)
        ],
        actor,
    )
    # Contents from before sub-fields have none (`pledge_content`).
    subsections = _created(
        Subsection,
        [
            Subsection(
                pledge=pledge,
                section=section,
                source=sub.get("source", ""),
                **_node(sub, sub_pos),
            )
            for section, s in zip(sections, specs, strict=True)
            for sub_pos, sub in enumerate(s.get("subsections", []), start=1)
        ],
        actor,
    )
    subsection_of = {(sub.section_id, sub.code): sub for sub in subsections}
    criterion_specs = [
        (section, c_pos, c)
        for section, s in zip(sections, specs, strict=True)
        for c_pos, c in enumerate(s.get("criteria", []), start=1)
    ]
    criteria = _created(
        Criterion,
        [
            Criterion(
                pledge=pledge,
                section=section,
                subsection=subsection_of.get((section.pk, c.get("subsection") or "")),
                kind=c["kind"],
                evidence_required=c.get("evidence_required", False),
                guidance=c.get("guidance", ""),
                **_node(c, c_pos),
            )
            for section, c_pos, c in criterion_specs
        ],
        actor,
    )
    _created(
        Indicator,
        [
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
                weight=Decimal(str(i.get("weight", 1))),
                position=i.get("position", 0),
            )
            for criterion, (_section, _pos, c) in zip(
                criteria, criterion_specs, strict=True
            )
            for i in c.get("indicators", [])
        ],
        actor,
    )
    bump_term_version(pledge.term_id)


def _node(spec: dict[str, Any], position: int) -> dict[str, Any]:
    """The fields a section, sub-field and criterion of `spec` share."""
    return {
        "code": spec["code"],
        "title": spec["title"],
        "max_points": Decimal(str(spec["max_points"])),
        "position": position,
    }


def _created[M: Model](model: type[M], rows: list[M], actor: User) -> list[M]:
    """Insert `rows` of `model` with a "created" history entry each naming
    `actor`; returns them with their primary keys, in order."""
    return bulk_create_with_history(rows, model, default_user=actor)


def _weight(value: object) -> Decimal:
    """An indicator's weight as a Decimal above 0 that the column can hold;
    raises DomainError otherwise."""
    try:
        weight = Decimal(str(value))
    except ArithmeticError:
        weight = None
    if (
        weight is None
        or not weight.is_finite()
        or weight <= 0
        or weight >= 10**4
        or weight != weight.quantize(Decimal("0.0001"))
    ):
        raise DomainError(
            _("The weight is a number above 0 and below 10000, at most 4 decimals."),
            field="weight",
        )
    return weight


def _save_row[M: Model](obj: M, actor: User, *, duplicate_message: str) -> M:
    try:
        with transaction.atomic():
            return audited_save(obj, actor)
    except IntegrityError as error:
        raise DomainError(duplicate_message, field="code") from error


@transaction.atomic
def section_save(
    *, pledge: Pledge, actor: User, section: Section | None = None, **fields: Any
) -> Section:
    """Create or change a section of a draft pledge; codes are unique."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_drafter(actor, pledge.term)
    _check_editable(pledge)
    if section is None:
        section = Section(pledge=pledge, position=_next_position(pledge.sections))
    for name, value in fields.items():
        setattr(section, name, value)
    return _save_row(
        section, actor, duplicate_message=_("Another section has this code.")
    )


@transaction.atomic
def subsection_save(
    *, pledge: Pledge, actor: User, subsection: Subsection | None = None, **fields: Any
) -> Subsection:
    """Create or change a sub-field of a section of a draft pledge; codes are
    unique in the pledge. Moving it to another section takes its criteria
    along."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_drafter(actor, pledge.term)
    _check_editable(pledge)
    # A new sub-field comes with its section.
    section = fields.get("section") or cast(Subsection, subsection).section
    if section.pledge_id != pledge.pk:
        raise DomainError(_("Choose a section of this pledge."), field="section")
    if subsection is None:
        subsection = Subsection(
            pledge=pledge, position=_next_position(section.subsections)
        )
    for name, value in fields.items():
        setattr(subsection, name, value)
    saved = _save_row(
        subsection, actor, duplicate_message=_("Another sub-field has this code.")
    )
    for criterion in saved.criteria.exclude(section=section):
        criterion.section = section
        audited_save(criterion, actor, update_fields=["section"])
    return saved


@transaction.atomic
def criterion_save(
    *, pledge: Pledge, actor: User, criterion: Criterion | None = None, **fields: Any
) -> Criterion:
    """Create or change a criterion; its kind must fit its section's kind and
    its sub-field, if any, must be one of its section's."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_drafter(actor, pledge.term)
    _check_editable(pledge)
    # A new criterion comes with its section and kind.
    section = fields.get("section") or cast(Criterion, criterion).section
    if section.pledge_id != pledge.pk:
        raise DomainError(_("Choose a section of this pledge."), field="section")
    current = criterion.subsection if criterion is not None else None
    subsection = fields.get("subsection", current)
    if subsection is not None and subsection.section_id != section.pk:
        raise DomainError(
            _("Choose a sub-field of the criterion's section, or none."),
            field="subsection",
        )
    kind = fields.get("kind") or cast(Criterion, criterion).kind
    if kind not in CRITERION_KINDS[SectionKind(section.kind)]:
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
def indicator_save(
    *, pledge: Pledge, actor: User, indicator: Indicator | None = None, **fields: Any
) -> Indicator:
    """Create or change an indicator; it feeds an indicator criterion and its
    rule's parameters must make sense."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_drafter(actor, pledge.term)
    _check_editable(pledge)
    # A new indicator comes with its criterion.
    criterion = fields.get("criterion") or cast(Indicator, indicator).criterion
    if criterion.pledge_id != pledge.pk or criterion.kind != CriterionKind.INDICATOR:
        raise DomainError(
            _("An indicator feeds a criterion of kind “computed from indicators”."),
            field="criterion",
        )
    if "weight" in fields:
        fields["weight"] = _weight(fields["weight"])
    if indicator is None:
        indicator = Indicator(pledge=pledge, position=_next_position(pledge.indicators))
    for name, value in fields.items():
        setattr(indicator, name, value)
    return _save_row(
        indicator, actor, duplicate_message=_("Another indicator has this code.")
    )


@transaction.atomic
def pledge_tree_replace(
    *, pledge: Pledge, content: dict[str, Any], actor: User, reason: str | None = None
) -> int:
    """Replace the whole criteria tree of a draft pledge by `content` (shaped
    as `selectors.pledge_content`), all or nothing. Every row goes through
    `section_save`, `subsection_save`, `criterion_save` and `indicator_save`,
    so their rules hold; raises DomainError, with nothing changed, while
    `tree_replace_refusal` finds a reason or when the new tree has
    `tree_problems`. Returns how many
    rows were written: 0, writing nothing, when `content` is the current tree.
    `reason` (e.g. an import) goes into the history of the removed rows."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    pledge = Pledge.objects.select_for_update().select_related("term").get(pk=pledge.pk)
    # Every row's save checks the drafter again, on these members.
    prefetch_related_objects([pledge.term], "memberships")
    _check_drafter(actor, pledge.term)
    _check_editable(pledge)
    if content == pledge_content(pledge):
        return 0
    refusal = tree_replace_refusal(pledge)
    if refusal:
        raise DomainError(refusal)
    try:
        with transaction.atomic():
            for section in pledge.sections.all():
                audited_delete(section, actor, reason)
    except ProtectedError as error:
        raise DomainError(
            _(
                "Results or scores of the members rest on the current criteria, "
                "so the tree can no longer be replaced."
            )
        ) from error
    written = 0
    for s in content["sections"]:
        section = section_save(
            pledge=pledge,
            actor=actor,
            code=s["code"],
            title=s["title"],
            kind=s["kind"],
            max_points=Decimal(str(s["max_points"])),
        )
        written += 1
        subsections = {}
        for sub in s.get("subsections", []):
            subsections[sub["code"]] = subsection_save(
                pledge=pledge,
                actor=actor,
                section=section,
                code=sub["code"],
                title=sub["title"],
                max_points=Decimal(str(sub["max_points"])),
                source=sub.get("source", ""),
            )
            written += 1
        for c in s["criteria"]:
            sub_code = c.get("subsection") or ""
            if sub_code and sub_code not in subsections:
                raise DomainError(
                    _("Criterion %(code)s: its section has no sub-field %(sub)s.")
                    % {"code": c["code"], "sub": sub_code}
                )
            criterion = criterion_save(
                pledge=pledge,
                actor=actor,
                section=section,
                subsection=subsections.get(sub_code),
                code=c["code"],
                title=c["title"],
                kind=c["kind"],
                max_points=Decimal(str(c["max_points"])),
                evidence_required=c.get("evidence_required", False),
                guidance=c.get("guidance", ""),
            )
            written += 1
            for i in c["indicators"]:
                indicator_save(pledge=pledge, actor=actor, criterion=criterion, **i)
                written += 1
    problems = tree_problems(pledge_tree(pledge), pledge.term.total_points)
    if problems:
        raise DomainError(
            _("The criteria were not replaced: %(problems)s")
            % {"problems": " ".join(message for _row, message in problems)}
        )
    return written


@transaction.atomic
def row_delete(
    *, pledge: Pledge, row: Section | Subsection | Criterion | Indicator, actor: User
) -> None:
    """Delete a section, sub-field, criterion or indicator of a draft pledge
    (with what it contains); refuses (DomainError, nothing deleted) a row that members'
    scores, results, evidence or objections rest on."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_drafter(actor, pledge.term)
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
def row_move(
    *,
    pledge: Pledge,
    row: Section | Subsection | Criterion | Indicator,
    offset: int,
    actor: User,
) -> None:
    """Move a section, sub-field, criterion or indicator up (−1) or down (+1)
    among its siblings (a criterion among those of its sub-field)."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_drafter(actor, pledge.term)
    _check_editable(pledge)
    siblings: (
        QuerySet[Section]
        | QuerySet[Subsection]
        | QuerySet[Criterion]
        | QuerySet[Indicator]
    )
    match row:
        case Section():
            siblings = pledge.sections.all()
        case Subsection():
            siblings = row.section.subsections.all()
        case Criterion():
            siblings = (
                row.subsection.criteria.all()
                if row.subsection is not None
                else row.section.criteria.filter(subsection=None)
            )
        case Indicator():
            siblings = pledge.indicators.all()
    ordered: list[Section | Subsection | Criterion | Indicator] = list(
        siblings.order_by("position", "id")
    )
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
def targets_apply(
    *,
    pledge: Pledge,
    rows: Iterable[tuple[Indicator, Unit, Decimal | None, Decimal | None]],
    actor: User,
    reason: str | None = None,
) -> int:
    """Set targets from `rows` of (indicator, unit, planned, last_actual); units
    must be members and values non-negative and below LARGEST_VALUE; of two rows
    for one target the last counts. Returns how many targets changed (written
    in bulk, each with its history entry); applying the same rows again changes
    nothing. `reason`
    (e.g. an import) goes into the history. Refuses (nothing saved) a row of a
    unit whose targets `actor` may not set (`permissions.target_refusal`)."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    _check_editable(pledge)
    term = (
        Term.objects.select_related("cluster")
        .prefetch_related("memberships")
        .get(pk=pledge.term_id)
    )
    members = {m.unit_id for m in term.memberships.all()}
    allowed: set[int] = set()
    existing = {
        (t.indicator_id, t.unit_id): t
        for t in Target.objects.filter(indicator__pledge=pledge).select_for_update()
    }
    # The last row for an (indicator, unit) wins.
    wanted: dict[
        tuple[int, int], tuple[Indicator, Unit, Decimal | None, Decimal | None]
    ] = {}
    for indicator, unit, planned, last_actual in rows:
        if indicator.pledge_id != pledge.pk:
            raise DomainError(_("The indicator belongs to another pledge."))
        if unit.pk not in members:
            raise DomainError(
                _("%(unit)s is not a member of this year.") % {"unit": unit}
            )
        if unit.pk not in allowed:
            refusal = target_refusal(actor, term, unit)
            if refusal:
                raise DomainError(refusal)
            allowed.add(unit.pk)
        for value in (planned, last_actual):
            if value is not None and value < 0:
                raise DomainError(_("Targets cannot be negative."))
            if value is not None and value >= LARGEST_VALUE:
                raise DomainError(_("The value is too large."))
        wanted[indicator.pk, unit.pk] = (indicator, unit, planned, last_actual)
    new: list[Target] = []
    changed: list[Target] = []
    for key, (indicator, unit, planned, last_actual) in wanted.items():
        target = existing.get(key)
        if target is None:
            new.append(
                Target(
                    indicator=indicator,
                    unit=unit,
                    planned=planned,
                    last_actual=last_actual,
                )
            )
        elif (target.planned, target.last_actual) != (planned, last_actual):
            target.planned, target.last_actual = planned, last_actual
            changed.append(target)
    history: dict[str, Any] = {"default_user": actor, "default_change_reason": reason}
    bulk_create_with_history(new, Target, **history)
    bulk_update_with_history(changed, Target, ["planned", "last_actual"], **history)
    if new or changed:
        bump_term_version(pledge.term_id)
    return len(new) + len(changed)


# Signing and amendments ----------------------------------------------------


@transaction.atomic
def pledge_open_signing(*, pledge: Pledge, actor: User) -> Pledge:
    """Freeze the draft as a version for every member to sign.

    Refuses while `selectors.pledge_problems` finds anything."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    pledge = Pledge.objects.select_for_update().select_related("term").get(pk=pledge.pk)
    _check_drafter(actor, pledge.term)
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
    *,
    pledge: Pledge,
    unit: Unit,
    actor: User,
    signer_name: str,
    signer_title: str,
    signed_on: datetime.date,
    signs_for: str = "",
) -> Pledge:
    """Sign the open version for `unit`; when every member has signed the pledge
    takes effect and locks. The signer (name, title and, for a deputy, the head
    signed for) is the unit's leader as entered, possibly blank: the document
    then leaves the lines to fill in, never `actor`'s name. Only an officer
    of `unit` signs for it (`permissions.sign_refusal`)."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    pledge = Pledge.objects.select_for_update().select_related("term").get(pk=pledge.pk)
    refusal = sign_refusal(actor, pledge.term, unit)
    if refusal:
        raise DomainError(refusal)
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
def pledge_amend(*, pledge: Pledge, actor: User, reason: str) -> Pledge:
    """Reopen a signed (or signing) pledge as a new draft version; every member
    signs it again. Earlier versions stay as they were."""
    term_require_writable(pledge.term_id, what=TERM_RESULTS)
    pledge = Pledge.objects.select_for_update().select_related("term").get(pk=pledge.pk)
    _check_drafter(actor, pledge.term)
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
def template_save(*, pledge: Pledge, name: str, actor: User) -> PledgeTemplate:
    """Save the pledge's content as a template of its authority; by those who
    draft the pledge."""
    _check_drafter(actor, pledge.term)
    authority = pledge.term.cluster.authority
    if PledgeTemplate.objects.filter(authority=authority, name=name).exists():
        raise DomainError(_("A template with this name exists."), field="name")
    return audited_save(
        PledgeTemplate(authority=authority, name=name, content=pledge_content(pledge)),
        actor,
    )
