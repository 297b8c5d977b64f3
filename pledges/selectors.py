"""Reads of the pledges app: content, validation, grids and versions."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from clusters.models import BAND_LABELS, Membership, Term, TermState, Unit, User
from clusters.selectors import terms_visible_to

from .deadlines import is_overdue
from .models import (
    Criterion,
    CriterionKind,
    DeadlineExtension,
    Evidence,
    Indicator,
    IndicatorResult,
    Objection,
    Pledge,
    PledgeTemplate,
    PledgeVersion,
    RankingSnapshot,
    ReplyWaiver,
    Report,
    ReportState,
    ReviewItem,
    ScoringRule,
    Section,
    SectionKind,
    SelfScore,
    Subsection,
    Target,
)
from .standings import criteria_scored_elsewhere, term_cached, term_standings
from .totals import combine, indicator_total


def pledge_tree(pledge: Pledge) -> list[Section]:
    """Sections in order, each with `.criteria_list` (all its criteria, those
    of its sub-fields in the sub-fields' order) and `.subsection_list` (its
    sub-fields, each with its own `.criteria_list`; empty when it has none),
    each criterion with `.indicator_list`. Cached by the term's data version
    (`core.cache`: one query while the term is unchanged, else 5); every call
    returns objects of its own, which the caller may change."""
    return term_cached(
        pledge.term_id, f"pledge-tree:{pledge.pk}", lambda: _pledge_tree(pledge)
    )


def _pledge_tree(pledge: Pledge) -> list[Section]:
    sections = list(
        Section.objects.filter(pledge=pledge).prefetch_related(
            Prefetch("subsections", queryset=Subsection.objects.order_by("position")),
            Prefetch(
                "criteria",
                queryset=Criterion.objects.order_by("position", "id").prefetch_related(
                    Prefetch(
                        "indicators",
                        queryset=Indicator.objects.order_by("position", "id"),
                    )
                ),
            ),
        )
    )
    for section in sections:
        criteria = list(section.criteria.all())
        section.subsection_list = list(section.subsections.all())
        for subsection in section.subsection_list:
            subsection.criteria_list = [
                c for c in criteria if c.subsection_id == subsection.pk
            ]
        # Criteria outside any sub-field (the usual case) come after them.
        section.criteria_list = [
            c for sub in section.subsection_list for c in sub.criteria_list
        ] + [c for c in criteria if c.subsection_id is None]
        for criterion in section.criteria_list:
            criterion.indicator_list = list(criterion.indicators.all())
    return sections


def tree_outline(pledge: Pledge | None) -> list[SimpleNamespace]:
    """The criteria tree of `pledge` as one list in its order, for subtotals:
    each section, then each of its sub-fields followed by its criteria, then
    its criteria outside sub-fields. Every entry has `level` ("section",
    "subsection" or "criterion"), `code`, `title` and `max_points`; a section
    or sub-field also has `codes`, those of its criteria; a criterion has
    `section` and `subsection`, their codes ("" outside sub-fields). 3
    queries of plain values; none without a pledge."""
    if pledge is None:
        return []
    fields = ("pk", "code", "title", "max_points")
    sections = Section.objects.filter(pledge=pledge).order_by("position", "id")
    subsections = Subsection.objects.filter(pledge=pledge).order_by("position", "id")
    criteria = Criterion.objects.filter(pledge=pledge).order_by("position", "id")
    criteria_of: dict[tuple[str, int | None], list[dict[str, Any]]] = {}
    for c in criteria.values(*fields, "section_id", "subsection_id"):
        criteria_of.setdefault(("section", c["section_id"]), []).append(c)
        if c["subsection_id"] is not None:
            criteria_of.setdefault(("subsection", c["subsection_id"]), []).append(c)
    subsections_of: dict[int, list[dict[str, Any]]] = {}
    for sub in subsections.values(*fields, "section_id"):
        subsections_of.setdefault(sub["section_id"], []).append(sub)

    def entry(
        level: str,
        row: dict[str, Any],
        criteria: Sequence[dict[str, Any]] = (),
        section: str = "",
        subsection: str = "",
    ) -> SimpleNamespace:
        return SimpleNamespace(
            level=level,
            code=row["code"],
            title=row["title"],
            max_points=row["max_points"],
            codes={c["code"] for c in criteria},
            section=section,
            subsection=subsection,
        )

    outline = []
    for section in sections.values(*fields):
        code = section["code"]
        outline.append(
            entry("section", section, criteria_of.get(("section", section["pk"]), []))
        )
        for sub in subsections_of.get(section["pk"], []):
            own = criteria_of.get(("subsection", sub["pk"]), [])
            outline.append(entry("subsection", sub, own))
            outline += [entry("criterion", c, (), code, sub["code"]) for c in own]
        outline += [
            entry("criterion", c, (), code)
            for c in criteria_of.get(("section", section["pk"]), [])
            if c["subsection_id"] is None
        ]
    return outline


def _number(value: Decimal | None) -> str | None:
    return (
        None if value is None else str(value.normalize() if value % 1 else int(value))
    )


def pledge_content(pledge: Pledge) -> dict[str, Any]:
    """The pledge's criteria tree as plain data (for copies, templates, versions)."""
    return tree_content(pledge_tree(pledge))


def tree_content(sections: Sequence[Section]) -> dict[str, Any]:
    """The criteria tree `sections`, shaped as `pledge_tree` gives it, saved or
    not, as plain data (`pledge_content`)."""
    return {
        "sections": [
            {
                "code": s.code,
                "title": s.title,
                "kind": s.kind,
                "max_points": _number(s.max_points),
                "subsections": [
                    {
                        "code": sub.code,
                        "title": sub.title,
                        "max_points": _number(sub.max_points),
                        "source": sub.source,
                    }
                    for sub in s.subsection_list
                ],
                "criteria": [
                    {
                        "code": c.code,
                        "title": c.title,
                        "kind": c.kind,
                        "max_points": _number(c.max_points),
                        "evidence_required": c.evidence_required,
                        "guidance": c.guidance,
                        "subsection": next(
                            (
                                sub.code
                                for sub in s.subsection_list
                                if any(x is c for x in sub.criteria_list)
                            ),
                            "",
                        ),
                        "indicators": [
                            {
                                "code": i.code,
                                "title": i.title,
                                "unit_of_measure": i.unit_of_measure,
                                "direction": i.direction,
                                "aggregation": i.aggregation,
                                "rule": i.rule,
                                "params": i.params,
                                "weight": _number(i.weight),
                            }
                            for i in c.indicator_list
                        ],
                    }
                    for c in s.criteria_list
                ],
            }
            for s in sections
        ]
    }


def pledge_snapshot(pledge: Pledge) -> dict[str, Any]:
    """Content plus every member's targets, keyed by indicator code and unit name."""
    content = pledge_content(pledge)
    targets: dict[str, dict[str, str | None]] = {}
    for t in Target.objects.filter(indicator__pledge=pledge).select_related(
        "indicator", "unit"
    ):
        targets.setdefault(t.indicator.code, {})[t.unit.name] = _number(t.planned)
    content["targets"] = targets
    return content


def members_of(pledge: Pledge) -> list[Unit]:
    return _members_of_term(pledge.term_id)


def pledge_problems(pledge: Pledge) -> list[str]:
    """What stops the pledge from opening for signing, as sentences (empty when
    it is ready): the tree's own problems (`tree_problems`) and every member
    having a target for every indicator."""
    sections = pledge_tree(pledge)
    problems = [
        message for _row, message in tree_problems(sections, pledge.term.total_points)
    ]
    members = members_of(pledge)
    indicators = [
        i for s in sections for c in s.criteria_list for i in c.indicator_list
    ]
    set_targets, last_actuals = {}, {}
    for t in Target.objects.filter(indicator__pledge=pledge):
        set_targets[t.indicator_id, t.unit_id] = t.planned
        last_actuals[t.indicator_id, t.unit_id] = t.last_actual
    for indicator in indicators:
        missing = [
            u.name for u in members if set_targets.get((indicator.pk, u.pk)) is None
        ]
        if missing:
            problems.append(
                _("Indicator %(code)s has no target for: %(units)s.")
                % {"code": indicator.code, "units": ", ".join(missing)}
            )
        if indicator.rule == ScoringRule.GROWTH:
            no_base = [
                u.name
                for u in members
                if last_actuals.get((indicator.pk, u.pk)) is None
            ]
            if no_base:
                problems.append(
                    _(
                        "Indicator %(code)s is scored on growth over last year, "
                        "which needs last year's actual for: %(units)s."
                    )
                    % {"code": indicator.code, "units": ", ".join(no_base)}
                )
        zero = [
            u.name
            for u in members
            if set_targets.get((indicator.pk, u.pk)) == 0
            and indicator.rule == ScoringRule.PROPORTIONAL
        ]
        if zero:
            problems.append(
                _(
                    "Indicator %(code)s is scored in proportion to its target, "
                    "which cannot be 0 for: %(units)s."
                )
                % {"code": indicator.code, "units": ", ".join(zero)}
            )
    return problems


def tree_problems(
    sections: Sequence[Section], scale: int | Decimal
) -> list[tuple[Any, str]]:
    """(row, sentence) of what is wrong with the criteria tree `sections`,
    shaped as `pledge_tree` gives it, saved or not, on a scale of `scale`
    points: scored sections add up to the scale, criteria (or sub-fields) to
    their section, criteria to their sub-field, indicator criteria have
    indicators, rule parameters make sense. `row` is the section, sub-field,
    criterion or indicator concerned, None for the whole tree."""
    problems: list[tuple[Any, str]] = []
    scored = [s for s in sections if s.kind == SectionKind.SCORED]
    total = sum((s.max_points for s in scored), Decimal(0))
    if not scored:
        problems.append((None, _("The pledge has no scored section.")))
    elif total != scale:
        problems.append(
            (
                None,
                _("The scored sections add up to %(total)s points, not %(scale)s.")
                % {"total": _number(total), "scale": scale},
            )
        )
    for section in sections:
        problems.extend(_subsection_problems(section))
        criteria_total = sum((c.max_points for c in section.criteria_list), Decimal(0))
        if (
            section.kind == SectionKind.SCORED
            # With sub-fields, they add up instead (`_subsection_problems`).
            and not getattr(section, "subsection_list", None)
            and criteria_total != section.max_points
        ):
            problems.append(
                (
                    section,
                    _("Section %(code)s: its criteria add up to %(sum)s, not %(max)s.")
                    % {
                        "code": section.code,
                        "sum": _number(criteria_total),
                        "max": _number(section.max_points),
                    },
                )
            )
        for criterion in section.criteria_list:
            if (
                criterion.kind == CriterionKind.INDICATOR
                and not criterion.indicator_list
            ):
                problems.append(
                    (
                        criterion,
                        _("Criterion %(code)s has no indicator.")
                        % {"code": criterion.code},
                    )
                )
            for indicator in criterion.indicator_list:
                problems.extend(
                    (indicator, message)
                    for message in indicator_rule_problems(indicator)
                )
    return problems


def _subsection_problems(section: Section) -> list[tuple[Any, str]]:
    """(row, sentence) of what is wrong with the sub-fields of `section`
    (shaped as `pledge_tree` gives it): its criteria are all in sub-fields or
    none, and in a scored section the sub-fields add up to the section and
    each sub-field's criteria to the sub-field."""
    subsections = getattr(section, "subsection_list", None) or []
    if not subsections:
        return []
    problems = []
    inside = {id(c) for sub in subsections for c in sub.criteria_list}
    loose = [c.code for c in section.criteria_list if id(c) not in inside]
    if loose:
        problems.append(
            (
                section,
                _(
                    "Section %(code)s has sub-fields, so every criterion of it "
                    "belongs to one; %(criteria)s do not."
                )
                % {"code": section.code, "criteria": ", ".join(loose)},
            )
        )
    if section.kind != SectionKind.SCORED:
        return problems
    total = sum((sub.max_points for sub in subsections), Decimal(0))
    if total != section.max_points:
        problems.append(
            (
                section,
                _("Section %(code)s: its sub-fields add up to %(sum)s, not %(max)s.")
                % {
                    "code": section.code,
                    "sum": _number(total),
                    "max": _number(section.max_points),
                },
            )
        )
    for sub in subsections:
        criteria_total = sum((c.max_points for c in sub.criteria_list), Decimal(0))
        if criteria_total != sub.max_points:
            problems.append(
                (
                    sub,
                    _(
                        "Sub-field %(code)s: its criteria add up to %(sum)s, "
                        "not %(max)s."
                    )
                    % {
                        "code": sub.code,
                        "sum": _number(criteria_total),
                        "max": _number(sub.max_points),
                    },
                )
            )
    return problems


def indicator_rule_problems(indicator: Indicator) -> list[str]:
    """What is wrong with an indicator's rule parameters (empty when nothing)."""
    params = indicator.params or {}
    code = indicator.code
    if indicator.rule == ScoringRule.PROPORTIONAL:
        cap, floor = params.get("cap", 100), params.get("floor", 50)
        if not (_is_number(cap) and _is_number(floor) and 0 <= floor < cap):
            return [
                _("Indicator %(code)s: the floor must be at least 0 and below the cap.")
                % {"code": code}
            ]
    if indicator.rule == ScoringRule.GROWTH:
        full = params.get("full", 10)
        if not (_is_number(full) and full > 0):
            return [
                _(
                    "Indicator %(code)s: the growth that earns full points must "
                    "be above 0%%."
                )
                % {"code": code}
            ]
    if indicator.rule == ScoringRule.BANDS:
        bands = params.get("bands") or []
        valid = bool(bands) and all(
            isinstance(b, list | tuple)
            and len(b) == 2
            and all(_is_number(x) and x >= 0 for x in b)
            and b[1] <= 100
            for b in bands
        )
        if not valid:
            return [
                _(
                    "Indicator %(code)s: bands are pairs of minimum achievement "
                    "and share of points (0–100)."
                )
                % {"code": code}
            ]
    return []


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def targets_grid(
    pledge: Pledge,
) -> tuple[
    list[Unit],
    list[Indicator],
    dict[tuple[int, int], Target],
    dict[int, Decimal | None],
]:
    """(members, indicators, {(indicator_id, unit_id): Target}) for the grid,
    and the cluster total of planned values per indicator as `pledges.totals`
    forms it — a percentage is averaged, never summed (3 queries)."""
    members = members_of(pledge)
    indicators = list(
        Indicator.objects.filter(pledge=pledge)
        .select_related("criterion__section")
        .order_by("criterion__section__position", "criterion__position", "position")
    )
    targets = {
        (t.indicator_id, t.unit_id): t
        for t in Target.objects.filter(indicator__pledge=pledge)
    }
    totals = {
        i.pk: combine(
            [t.planned for (i_pk, _u), t in targets.items() if i_pk == i.pk],
            indicator_total(i),
        )
        for i in indicators
    }
    return members, indicators, targets, totals


def pledge_of_term(term: Term) -> Pledge | None:
    return Pledge.objects.filter(term=term).first()


def tree_replace_refusal(pledge: Pledge) -> str | None:
    """Why the criteria tree of `pledge` cannot be replaced as a whole, as a
    sentence, or None: only a draft whose indicators have no target and whose
    rows no result or score rests on can be (at most 4 queries)."""
    from .models import Score

    if not pledge.is_editable:
        return _(
            "The pledge is not a draft; amend it before its criteria can be replaced."
        )
    if Target.objects.filter(indicator__pledge=pledge).exists():
        return _(
            "The members' targets rest on the current criteria, so the tree can no "
            "longer be replaced as a whole; edit its rows instead."
        )
    if (
        IndicatorResult.objects.filter(indicator__pledge=pledge).exists()
        or SelfScore.objects.filter(criterion__pledge=pledge).exists()
        or Score.objects.filter(criterion__pledge=pledge).exists()
    ):
        return _(
            "Results or scores of the members rest on the current criteria, so "
            "the tree can no longer be replaced."
        )
    return None


def _flatten(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """{label: value} for every field of every row of a snapshot."""
    flat = {}
    for section in snapshot.get("sections", []):
        prefix = section["code"]
        flat[f"{prefix} · {section['title']}"] = section["max_points"]
        # Versions from before sub-fields and weights have neither: none, 1.
        for sub in section.get("subsections", []):
            flat[f"{sub['code']} · {sub['title']}"] = sub["max_points"]
        for criterion in section.get("criteria", []):
            flat[f"{criterion['code']} · {criterion['title']}"] = criterion[
                "max_points"
            ] + (f" ({criterion['subsection']})" if criterion.get("subsection") else "")
            for indicator in criterion.get("indicators", []):
                weight = indicator.get("weight", "1")
                flat[f"{indicator['code']} · {indicator['title']}"] = (
                    f"{indicator['rule']} {indicator['params']}"
                ) + (f" ×{weight}" if weight != "1" else "")
    for code, by_unit in snapshot.get("targets", {}).items():
        for unit, value in by_unit.items():
            flat[f"{code} · {unit}"] = value
    return flat


def snapshot_diff(
    older: Mapping[str, Any], newer: Mapping[str, Any]
) -> list[tuple[str, Any, Any]]:
    """Readable changes between two versions: (row, before, after), with None for
    a row that was added or removed."""
    before, after = _flatten(older), _flatten(newer)
    return [
        (label, before.get(label), after.get(label))
        for label in sorted(before.keys() | after.keys())
        if before.get(label) != after.get(label)
    ]


# Reports ---------------------------------------------------------------------


def report_rows(
    report_or_none: Report | None, pledge: Pledge, unit: Unit
) -> tuple[list[Section], dict[tuple[str, Any], list[Any]]]:
    """The report form's content, computed in a constant number of queries:
    sections of criteria, each indicator with the unit's target, last year's
    actual, this year's actual, achievement and points (by `scoring`), each
    scored-by-people criterion with its self-score and evidence, and the open
    returned items keyed by row."""
    from . import scoring

    sections = pledge_tree(pledge)
    targets = {
        t.indicator_id: t
        for t in Target.objects.filter(indicator__pledge=pledge, unit=unit)
    }
    evidence: dict[int, list[Any]]
    returned: dict[tuple[str, Any], list[Any]]
    results, scores, evidence, returned = {}, {}, {}, {}
    if report_or_none is not None:
        report = report_or_none
        results = {r.indicator_id: r for r in report.results.all()}
        scores = {s.criterion_id: s for s in report.self_scores.all()}
        for item in report.evidence.all():
            evidence.setdefault(item.criterion_id, []).append(item)
        for review_item in report.review_items.all():
            if review_item.resolved_at is None:
                key = (
                    review_item.indicator_id
                    or review_item.criterion_id
                    or review_item.part
                )
                returned.setdefault((review_item.part, key), []).append(review_item)
    # The form's figures, set on the tree's rows for the template (not fields).
    for section in sections:
        for criterion in section.criteria_list:
            shares = scoring.indicator_shares(
                criterion.max_points, [i.weight for i in criterion.indicator_list]
            )
            criterion.self_score = scores.get(criterion.pk)  # type: ignore[attr-defined]
            criterion.files = evidence.get(criterion.pk, [])  # type: ignore[attr-defined]
            criterion.returned = returned.get(  # type: ignore[attr-defined]
                ("criterion", criterion.pk), []
            )
            for indicator, share in zip(criterion.indicator_list, shares, strict=True):
                target = targets.get(indicator.pk)
                result = results.get(indicator.pk)
                indicator.target = target  # type: ignore[attr-defined]
                indicator.result = result  # type: ignore[attr-defined]
                indicator.share = share  # type: ignore[attr-defined]
                achieved, points = scoring.indicator_points(
                    indicator,
                    share,
                    target.planned if target else None,
                    result.actual if result else None,
                    target.last_actual if target else None,
                )
                indicator.achieved = achieved  # type: ignore[attr-defined]
                indicator.points = points  # type: ignore[attr-defined]
                indicator.returned = returned.get(  # type: ignore[attr-defined]
                    ("indicator", indicator.pk), []
                )
    return sections, returned


def _needs_evidence(criterion: Criterion, points: Decimal | None) -> bool:
    """Whether a criterion marked “evidence required” needs a file given the
    unit's self-score: only for points claimed (> 0). A bonus or deduction left
    empty or at 0 claims nothing; an assessed criterion not yet scored still
    needs its file."""
    if not criterion.evidence_required:
        return False
    if criterion.kind in (CriterionKind.BONUS, CriterionKind.DEDUCTION):
        return points is not None and points > 0
    if criterion.kind == CriterionKind.ASSESSED:
        return points is None or points > 0
    return True


def report_missing(
    report: Report, *, tree: list[Section] | None = None
) -> list[tuple[str, str]]:
    """What stops `report` from being submitted: (message, anchor) for every
    indicator without an actual, every scored-by-people criterion without a
    self-score (unless it counts campaigns), and every criterion needing
    evidence without a file (evidence backs claimed points, so a criterion
    scored 0 needs none). `tree` is the pledge's `pledge_tree` when the
    caller has it already (the report page); the figures are always read
    afresh."""
    pledge = report.term.pledge
    sections = pledge_tree(pledge) if tree is None else tree
    # Criteria scored from another app's data (campaigns) are not scored by people.
    counted = criteria_scored_elsewhere(pledge)
    actuals = dict(report.results.values_list("indicator_id", "actual"))
    points = dict(report.self_scores.values_list("criterion_id", "points"))
    with_files = set(report.evidence.values_list("criterion_id", flat=True))
    missing = []
    for section in sections:
        for c in section.criteria_list:
            for i in c.indicator_list:
                if actuals.get(i.pk) is None:
                    missing.append(
                        (
                            _("%(code)s has no actual value.") % {"code": i.code},
                            f"i-{i.pk}",
                        )
                    )
            if (
                c.kind == CriterionKind.ASSESSED
                and c.pk not in counted
                and points.get(c.pk) is None
            ):
                missing.append(
                    (_("%(code)s has no self-score.") % {"code": c.code}, f"c-{c.pk}")
                )
            if _needs_evidence(c, points.get(c.pk)) and c.pk not in with_files:
                missing.append(
                    (
                        _("%(code)s needs an evidence file.") % {"code": c.code},
                        f"c-{c.pk}",
                    )
                )
    return missing


def report_status_rows(term: Term) -> list[tuple[Unit, Report | None]]:
    """Every member of `term` with its report (or None), for the “who has not
    submitted” panel (2 queries)."""
    from .models import Report

    reports = {
        r.unit_id: r
        for r in Report.objects.filter(term=term).select_related("updated_by")
    }
    return [(unit, reports.get(unit.pk)) for unit in _members_of_term(term)]


def report_list_rows(term: Term, today: datetime.date) -> list[SimpleNamespace]:
    """The rows of the report list: every member of `term` with its report (or
    None), its latest deadline extension (or None) and whether the report is
    overdue on `today` — still to be submitted after the last day to submit
    (`pledges.deadlines`). 3 queries whatever the number of members."""
    extensions = {}
    for granted in DeadlineExtension.objects.filter(term=term).order_by("until"):
        extensions[granted.unit_id] = granted
    rows = []
    for unit, report in report_status_rows(term):
        extension = extensions.get(unit.pk)
        rows.append(
            SimpleNamespace(
                unit=unit,
                report=report,
                extension=extension,
                overdue=(report is None or report.is_editable)
                and is_overdue(
                    term.report_deadline,
                    extension.until if extension else None,
                    today,
                ),
            )
        )
    return rows


def term_member_units(term: Term) -> QuerySet[Unit]:
    """The units of `term` by name, as a queryset (for a form's choices)."""
    return Unit.objects.filter(memberships__term=term).order_by("name")


def _members_of_term(term: Term | int) -> list[Unit]:
    """The units of `term` (a Term or its id) by name."""
    return [
        m.unit
        for m in Membership.objects.filter(term=term)
        .select_related("unit")
        .order_by("unit__name")
    ]


# Scoring and ranking ---------------------------------------------------------


def _with_band_labels(snapshot: RankingSnapshot) -> RankingSnapshot:
    """Give each row of `snapshot` its classification's label (`band_label`),
    which the stored rows do not carry (they keep the band's name)."""
    for row in snapshot.rows:
        row["band_label"] = BAND_LABELS.get(row.get("band"), "")
    return snapshot


def published_ranking(term: Term, number: int | None = None) -> RankingSnapshot | None:
    """The latest published snapshot of `term` (or its version `number`), with
    band labels on its rows, or None."""
    from .models import RankingSnapshot

    snapshots = RankingSnapshot.objects.filter(term=term).select_related("published_by")
    if number is not None:
        snapshots = snapshots.filter(number=number)
    snapshot = snapshots.first()
    return _with_band_labels(snapshot) if snapshot is not None else None


def ranking_leaders(term: Term) -> list[Unit]:
    """`term`'s members in the order of its latest published ranking, leading
    first (empty before publication): the source of the rotation policy “the
    leading unit chairs” (`clusters.selectors.LEADERS`)."""
    snapshot = published_ranking(term)
    if snapshot is None:
        return []
    ids = [
        row["unit_id"]
        for row in sorted(snapshot.rows, key=lambda row: row["rank"])
        if row.get("unit_id")
    ]
    units = Unit.objects.select_related("successor").in_bulk(ids)
    return [units[pk] for pk in ids if pk in units]


def ranking_versions(term: Term) -> list[Mapping[str, Any]]:
    """Every published version of `term`'s ranking, newest first, without
    their rows: number, time, reason (one query)."""
    from .models import RankingSnapshot

    return list(
        RankingSnapshot.objects.filter(term=term)
        .order_by("-number")
        .values("number", "published_at", "reason")
    )


def snapshot_rows(term: Term) -> list[dict[str, Any]]:
    """The rows a published snapshot of `term` stores: every member's rank,
    totals, band, tie note, last year's rank and points by criterion, each
    line with the codes of its section and sub-field ("" when none, or for a
    line outside the tree; snapshots from before sub-fields lack both keys),
    from the current standings."""
    before = previous_ranks(term)
    place = {
        entry.code: (entry.section, entry.subsection)
        for entry in tree_outline(pledge_of_term(term))
        if entry.level == "criterion"
    }
    return [
        {
            "unit": s.unit.name,
            "unit_id": s.unit.pk,
            "rank": s.rank,
            "shared": s.shared,
            "total": str(s.total),
            "bonus": str(s.bonus),
            "deduction": str(s.deduction),
            "band": s.band,
            "tie_note": str(s.tie_note),
            "previous_rank": before.get(s.unit.name),
            "lines": [
                {
                    "code": line.code,
                    "kind": line.kind,
                    "max": str(line.max_points),
                    "points": None if line.points is None else str(line.points),
                    "section": place.get(line.code, ("", ""))[0],
                    "subsection": place.get(line.code, ("", ""))[1],
                }
                for line in s.lines
            ],
        }
        for s in term_standings(term)
    ]


@dataclass
class PublishCheck:
    """What publishing `term`'s ranking would make final, and what blocks it."""

    term: Term
    correction: bool
    latest: RankingSnapshot | None
    blockers: list[str]
    unanswered: int
    deadline: datetime.date | None
    deadline_passed: bool
    waived: list
    not_waived: list
    missing: list  # (unit, report or None) without an accepted report or absence
    absences: list  # recorded absences, with unit


def publish_check(term: Term, today: datetime.date | None = None) -> PublishCheck:
    """Whether `term`'s ranking may be published now (first publication, from
    the right-of-reply stage) or corrected (republished, from the ranked stage
    on), and every reason it may not: the stage, the objection deadline not
    passed while some member has not waived, unanswered objections, reports
    neither accepted nor recorded absent. A fixed number of queries."""
    from django.utils import timezone

    from .models import (
        Objection,
        RankingSnapshot,
        ReplyWaiver,
        Report,
        ReportAbsence,
        ReportState,
    )

    today = today or timezone.localdate()
    latest = (
        RankingSnapshot.objects.filter(term=term)
        .only("number", "published_at", "term_id")
        .first()
    )
    correction = latest is not None
    members = _members_of_term(term)
    blockers = []
    if correction:
        if term.state in (TermState.CLOSED,):
            blockers.append(
                _("The year is closed; an admin re-opens it before a correction.")
            )
    elif term.state != TermState.REPLY:
        blockers.append(
            _("The ranking is published at the end of the right-of-reply stage.")
        )
    waivers = {
        w.unit_id: w
        for w in ReplyWaiver.objects.filter(term=term).select_related("waived_by")
    }
    waived = [u for u in members if u.pk in waivers]
    not_waived = [u for u in members if u.pk not in waivers]
    deadline = term.reply_deadline
    deadline_passed = deadline is not None and today > deadline
    unanswered = Objection.objects.filter(report__term=term, answer="").count()
    reports = {r.unit_id: r for r in Report.objects.filter(term=term)}
    absences = list(
        ReportAbsence.objects.filter(term=term)
        .select_related("unit", "recorded_by")
        .order_by("unit__name")
    )
    absent = {a.unit_id for a in absences}
    missing = [
        (u, reports.get(u.pk))
        for u in members
        if u.pk not in absent
        and (u.pk not in reports or reports[u.pk].state != ReportState.ACCEPTED)
    ]
    if not correction:
        if not deadline_passed and not_waived:
            if deadline is None:
                blockers.append(
                    _(
                        "No objection deadline is set and %(count)s members have "
                        "not waived their right of reply."
                    )
                    % {"count": len(not_waived)}
                )
            else:
                blockers.append(
                    _(
                        "The objection deadline (%(date)s) has not passed and "
                        "%(count)s members have not waived their right of reply."
                    )
                    % {
                        "date": deadline.strftime("%d/%m/%Y"),
                        "count": len(not_waived),
                    }
                )
        if unanswered:
            blockers.append(
                _("%(count)s objections are not answered yet.") % {"count": unanswered}
            )
        if missing:
            blockers.append(
                _(
                    "The reports of %(units)s are not accepted and their absence "
                    "is not recorded."
                )
                % {"units": ", ".join(u.name for u, _r in missing)}
            )
    return PublishCheck(
        term=term,
        correction=correction,
        latest=latest,
        blockers=blockers,
        unanswered=unanswered,
        deadline=deadline,
        deadline_passed=deadline_passed,
        waived=[(u, waivers[u.pk]) for u in waived],
        not_waived=not_waived,
        missing=missing,
        absences=absences,
    )


def previous_ranks(term: Term) -> dict[str, int]:
    """{unit name: rank} from last year's latest published ranking."""
    from .models import RankingSnapshot

    snapshot = (
        RankingSnapshot.objects.filter(
            term__cluster_id=term.cluster_id, term__year=term.year - 1
        )
        .order_by("-number")
        .first()
    )
    return {row["unit"]: row["rank"] for row in snapshot.rows} if snapshot else {}


SUBMITTED_STATES = ("submitted", "accepted")


@dataclass
class ClusterTotals:
    """Rows of `cluster_totals` and whose figures they hold: `submitted` of the
    `members` have submitted (or had accepted) their report; `own_draft` when
    the viewer's unit's unsubmitted figures are counted too, `drafts` when every
    unit's draft is."""

    rows: list
    submitted: int
    members: int
    own_draft: bool = False
    drafts: bool = False


def cluster_totals(
    term: Term, *, viewer_unit_id: int | None = None, include_drafts: bool = False
) -> ClusterTotals:
    """`_cluster_totals`, cached by the term's data version (`core.cache`):
    one query while nothing in the term changes."""
    return term_cached(
        term.pk,
        f"cluster-totals:{term.pk}:{viewer_unit_id}:{int(include_drafts)}",
        lambda: _cluster_totals(
            term, viewer_unit_id=viewer_unit_id, include_drafts=include_drafts
        ),
    )


def _cluster_totals(
    term: Term, *, viewer_unit_id: int | None, include_drafts: bool
) -> ClusterTotals:
    """Per indicator: the cluster total of actuals (sum or mean) against the
    targets of the same units as % of plan (by `scoring.achievement`, so plan /
    actual when lower is better), growth on the same units' last-year actuals,
    and how many members are on or better than plan and how many below
    (`scoring.meets_plan`).

    Only submitted or accepted reports count, plus the viewer's unit's report
    whatever its state; `include_drafts` counts every report (province staff).
    Returns a `ClusterTotals` (4 queries after the indicators)."""
    from . import scoring
    from .models import Aggregation, Report

    members = Membership.objects.filter(term=term).count()
    pledge = Pledge.objects.filter(term=term).first()
    if pledge is None:
        return ClusterTotals([], 0, members, drafts=include_drafts)
    indicators = list(
        Indicator.objects.filter(pledge=pledge).order_by(
            "criterion__section__position", "criterion__position", "position"
        )
    )
    reports = Report.objects.filter(term=term)
    if not include_drafts:
        shown = Q(state__in=SUBMITTED_STATES)
        if viewer_unit_id is not None:
            shown |= Q(unit_id=viewer_unit_id)
        reports = reports.filter(shown)
    counted = dict(reports.values_list("unit_id", "state"))
    submitted = sum(1 for state in counted.values() if state in SUBMITTED_STATES)
    own_draft = (
        not include_drafts
        and viewer_unit_id in counted
        and counted[viewer_unit_id] not in SUBMITTED_STATES
    )
    plans: dict[int, dict[int, Decimal | None]]
    lasts: dict[int, dict[int, Decimal | None]]
    plans, lasts = {}, {}
    for t in Target.objects.filter(indicator__pledge=pledge):
        plans.setdefault(t.indicator_id, {})[t.unit_id] = t.planned
        lasts.setdefault(t.indicator_id, {})[t.unit_id] = t.last_actual
    actuals: dict[int, dict[int, Decimal | None]] = {}
    for indicator_id, unit_id, value in IndicatorResult.objects.filter(
        report__term=term, report__unit_id__in=list(counted)
    ).values_list("indicator_id", "report__unit_id", "actual"):
        actuals.setdefault(indicator_id, {})[unit_id] = value
    rows = []
    for indicator in indicators:
        plan = {u: v for u, v in plans.get(indicator.pk, {}).items() if v is not None}
        actual = {
            u: v for u, v in actuals.get(indicator.pk, {}).items() if v is not None
        }
        last = {u: v for u, v in lasts.get(indicator.pk, {}).items() if v is not None}

        how = indicator_total(indicator)

        def total(
            values: Mapping[Any, Decimal | None], how: str = how
        ) -> Decimal | None:
            return combine(values.values(), how)

        # Plan, actual and last year over the same units: those whose figures
        # count (a unit yet to report neither lowers nor flatters the total).
        if actual:
            plan = {u: v for u, v in plan.items() if u in actual}
            last = {u: v for u, v in last.items() if u in actual}
        plan_total, actual_total, last_total = total(plan), total(actual), total(last)
        percent = scoring.achievement(indicator.direction, plan_total, actual_total)
        met = [
            scoring.meets_plan(indicator.direction, plan[u], v)
            for u, v in actual.items()
            if u in plan
        ]
        rows.append(
            {
                "indicator": indicator,
                "plan": plan_total,
                "actual": actual_total,
                "percent_of_plan": percent
                if percent is not None and percent.is_finite()
                else None,
                "lower_is_better": indicator.direction == "lower",
                "growth": ((actual_total / last_total - 1) * 100)
                if actual_total is not None and last_total
                else None,
                "above": met.count(True),
                "below": met.count(False),
                "show_total": how != Aggregation.NONE,
            }
        )
    return ClusterTotals(
        rows, submitted, members, own_draft=own_draft, drafts=include_drafts
    )


def peer_scoring_board(
    term: Term, scorer_unit: Unit
) -> tuple[list[tuple[Report, list[tuple[Any, ...]]]], int, int]:
    """For `scorer_unit`: every other member's submitted report with the
    criteria scored by people, the unit's self-score and evidence, and the
    scorer's own score so far; plus its progress (scored, to score)."""
    from .models import Evidence, Report, Score

    pledge = Pledge.objects.filter(term=term).first()
    if pledge is None:
        return [], 0, 0
    criteria = list(
        Criterion.objects.filter(pledge=pledge)
        .exclude(kind=CriterionKind.INDICATOR)
        .order_by("section__position", "position")
    )
    reports = list(
        Report.objects.filter(term=term, state__in=["submitted", "accepted"])
        .exclude(unit=scorer_unit)
        .select_related("unit")
        .order_by("unit__name")
    )
    selfs = {
        (s.report_id, s.criterion_id): s
        for s in SelfScore.objects.filter(report__in=reports)
    }
    files: dict[tuple[int, int], list[Any]] = {}
    for e in Evidence.objects.filter(report__in=reports):
        files.setdefault((e.report_id, e.criterion_id), []).append(e)
    mine = {
        (s.report_id, s.criterion_id): s
        for s in Score.objects.filter(
            report__in=reports, kind="peer", scorer_unit=scorer_unit
        )
    }
    board = [
        (
            report,
            [
                (
                    c,
                    selfs.get((report.pk, c.pk)),
                    files.get((report.pk, c.pk), []),
                    mine.get((report.pk, c.pk)),
                )
                for c in criteria
            ],
        )
        for report in reports
    ]
    return board, len(mine), len(reports) * len(criteria)


def peer_progress(term: Term) -> list[tuple[Unit, int, int]]:
    """For the chair: each member unit with how many peer scores it has given
    out of how many it owes."""
    from .models import Report, Score

    pledge = Pledge.objects.filter(term=term).first()
    if pledge is None:
        return []
    criteria = (
        Criterion.objects.filter(pledge=pledge)
        .exclude(kind=CriterionKind.INDICATOR)
        .count()
    )
    reported = set(
        Report.objects.filter(
            term=term, state__in=["submitted", "accepted"]
        ).values_list("unit_id", flat=True)
    )
    given = dict(
        Score.objects.filter(report__term=term, kind="peer")
        .values_list("scorer_unit")
        .annotate(n=Count("id"))
    )
    return [
        (
            unit,
            given.get(unit.pk, 0),
            criteria * len(reported - {unit.pk}),
        )
        for unit in _members_of_term(term)
    ]


def term_objections(term: Term) -> list[Objection]:
    """Every objection of `term` with report unit, criterion and who answered."""
    from .models import Objection

    return list(
        Objection.objects.filter(report__term=term)
        .select_related("report__unit", "criterion", "raised_by", "answered_by")
        .order_by("answer", "raised_at")
    )


def rank_evidence(term: Term, unit: Unit) -> dict[str, dict[str, Any]]:
    """What backs `unit`'s points in `term`, by criterion code: its own
    explanation, its evidence files, and the comments of peers and the reviewer
    (without the scorer's name) — three queries whatever the size."""
    from .models import Evidence, Score, SelfScore

    found: dict[str, dict[str, Any]] = {}

    def entry(code: str) -> dict[str, Any]:
        return found.setdefault(code, {"explanation": "", "files": [], "comments": []})

    for code, text in (
        SelfScore.objects.filter(report__term=term, report__unit=unit)
        .exclude(explanation="")
        .values_list("criterion__code", "explanation")
    ):
        entry(code)["explanation"] = text
    for evidence in (
        Evidence.objects.filter(report__term=term, report__unit=unit)
        .select_related("criterion")
        .order_by("uploaded_at", "pk")
    ):
        entry(evidence.criterion.code)["files"].append(evidence)
    for code, kind, comment in (
        Score.objects.filter(report__term=term, report__unit=unit)
        .exclude(comment="")
        .order_by("kind", "pk")
        .values_list("criterion__code", "kind", "comment")
    ):
        entry(code)["comments"].append((kind, comment))
    return found


def reasons_for(term: Term, unit: Unit) -> dict[int, list[Any]]:
    """Peer comments and reviewer reasons on `unit`'s criteria, keyed by
    criterion id, for the right of reply."""
    from .models import Score

    reasons: dict[int, list[Any]] = {}
    for s in Score.objects.filter(report__term=term, report__unit=unit).exclude(
        comment=""
    ):
        reasons.setdefault(s.criterion_id, []).append(s)
    return reasons


def term_with_pledge(user: User, pk: int, *, member_units: bool = True) -> Term | None:
    """The term `pk` if `user` sees it, with cluster, authority, pledge and
    memberships (by name, with their units unless `member_units` is false:
    who may act reads only their unit ids and roles) loaded, or None."""
    memberships = Membership.objects.order_by("unit__name")
    if member_units:
        memberships = memberships.select_related("unit")
    return (
        terms_visible_to(user)
        .select_related("cluster__authority", "pledge")
        .prefetch_related(Prefetch("memberships", queryset=memberships))
        .filter(pk=pk)
        .first()
    )


def pledge_templates(authority_id: int) -> QuerySet[PledgeTemplate]:
    """The authority's pledge templates."""
    from .models import PledgeTemplate

    return PledgeTemplate.objects.filter(authority_id=authority_id)


def current_version(pledge: Pledge) -> PledgeVersion | None:
    """The version of `pledge` opened for signing now, or None."""
    return pledge.versions.filter(number=pledge.version).first()


def published_terms() -> QuerySet[Term]:
    """Every term with a published ranking, newest year first, with cluster
    and authority (for the public list)."""
    return (
        Term.objects.filter(rankings__isnull=False)
        .select_related("cluster__authority")
        .distinct()
        .order_by("-year", "cluster__name")
    )


def published_term(pk: int) -> Term:
    """The term `pk` if its ranking is published, with cluster and authority.
    Raises Term.DoesNotExist."""
    from django.db.models import Exists, OuterRef

    from .models import RankingSnapshot

    return (
        Term.objects.select_related("cluster__authority")
        .filter(Exists(RankingSnapshot.objects.filter(term=OuterRef("pk"))))
        .get(pk=pk)
    )


def evidence_with_report(pk: int) -> Evidence | None:
    """The evidence file `pk` with its report and criterion, or None."""
    from .models import Evidence

    return Evidence.objects.select_related("report", "criterion").filter(pk=pk).first()


def scoring_targets(term: Term) -> tuple[dict[int, Report], dict[int, Criterion]]:
    """({report id: report}, {criterion id: criterion}) of `term`, each report
    carrying the loaded `term` (2 queries): what the scoring pages score."""
    from .models import Report

    reports = {r.pk: r for r in Report.objects.filter(term=term)}
    for report in reports.values():
        report.term = term
    criteria = {c.pk: c for c in Criterion.objects.filter(pledge__term=term)}
    return reports, criteria


def criteria_by_code(term: Term) -> dict[str, Criterion]:
    """{code: criterion} of `term`'s pledge."""
    return {c.code: c for c in Criterion.objects.filter(pledge__term=term)}


def own_report(term: Term, unit: Unit) -> Report | None:
    """`unit`'s report of `term` with its term, or None."""
    from .models import Report

    return Report.objects.select_related("term").filter(term=term, unit=unit).first()


def term_criterion(term: Term, pk: int) -> Criterion | None:
    """The criterion `pk` of `term`'s pledge, or None."""
    return Criterion.objects.filter(pledge__term=term, pk=pk).first()


def term_objection(term: Term, pk: int) -> Objection | None:
    """The objection `pk` raised in `term`, or None."""
    from .models import Objection

    return Objection.objects.filter(report__term=term, pk=pk).first()


def reply_waiver(term: Term, unit_id: int | None) -> ReplyWaiver | None:
    """`unit_id`'s waiver of its right of reply in `term`, or None."""
    from .models import ReplyWaiver

    if unit_id is None:
        return None
    return (
        ReplyWaiver.objects.filter(term=term, unit_id=unit_id)
        .select_related("waived_by")
        .first()
    )


def reviewer_rows(term: Term) -> list[tuple[Report, Criterion, Decimal | None]]:
    """(report, criterion, current final points) for every submitted report and
    criterion scored by people, for the reviewer's adjustments."""
    from .models import Report

    standings = {s.unit.pk: s for s in term_standings(term)}
    criteria = list(
        Criterion.objects.filter(pledge__term=term)
        .exclude(kind=CriterionKind.INDICATOR)
        .order_by("section__position", "position")
    )
    rows: list[tuple[Report, Criterion, Decimal | None]] = []
    for report in (
        Report.objects.filter(term=term, state__in=["submitted", "accepted"])
        .select_related("unit")
        .order_by("unit__name")
    ):
        standing = standings.get(report.unit_id)
        points = {line.code: line.points for line in standing.lines} if standing else {}
        rows.extend((report, c, points.get(c.code)) for c in criteria)
    return rows


# Province dashboard: read from per-term summary rows (pledges.dashboard).
from .dashboard import BAND_ORDER, dashboard  # noqa: E402, F401


def pledge_not_in_force(term: Term) -> str | None:
    """Why `term` cannot leave pledging yet (its pledge is not signed by every
    member), or None."""
    pledge = Pledge.objects.filter(term=term).only("state").first()
    if pledge is None or pledge.state != "in_force":
        return str(
            _("The pledge must be signed by every member before the year starts.")
        )
    return None


# The report page's reads (pledges.views.reports) ------------------------------


def report_for_page(term: Term, unit: Unit) -> Report | None:
    """`unit`'s report of `term` with everything the report page shows — who
    saved it last, its results, self-scores, commendation figures, evidence
    (oldest first) and review items with who returned them — or None; a
    fixed number of queries."""
    return (
        Report.objects.filter(term=term, unit=unit)
        .select_related("updated_by")
        .prefetch_related(
            "results",
            "self_scores",
            "commendations",
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at")),
            Prefetch(
                "review_items",
                queryset=ReviewItem.objects.select_related(
                    "created_by", "indicator", "criterion"
                ),
            ),
        )
        .first()
    )


def report_values(term: Term, unit: Unit) -> Report | None:
    """`unit`'s report of `term` with its results and self-scores (what the
    live preview computes from), or None. Reads only."""
    return (
        Report.objects.filter(term=term, unit=unit)
        .prefetch_related("results", "self_scores")
        .first()
    )


def report_with_editor(term: Term, unit: Unit) -> Report:
    """`unit`'s report of `term` with who saved it last; raises
    `Report.DoesNotExist` when there is none."""
    return Report.objects.select_related("updated_by").get(term=term, unit=unit)


def report_state_changes(report: Report) -> list[Any]:
    """The history entries where `report`'s state changed (submitted,
    returned, accepted), oldest first, each with who made the change."""
    changes, previous = [], None
    for entry in report.history.select_related("history_user").order_by(
        "history_date", "history_id"
    ):
        if entry.state != previous:
            changes.append(entry)
            previous = entry.state
    return [c for c in changes if c.state != ReportState.DRAFT]


def latest_extension(term: Term, unit: Unit) -> DeadlineExtension | None:
    """The deadline extension of `unit` in `term` that ends last, or None."""
    return (
        DeadlineExtension.objects.filter(term=term, unit=unit)
        .order_by("-until")
        .first()
    )


def term_years(authority_id: int) -> list[int]:
    """The years in which `authority_id` has a term, newest first."""
    return list(
        Term.objects.filter(cluster__authority_id=authority_id)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def pledge_versions(pledge: Pledge) -> list[PledgeVersion]:
    """Every version of `pledge`, oldest first, with its signatures and their
    units."""
    return list(pledge.versions.prefetch_related("signatures__unit").order_by("number"))
