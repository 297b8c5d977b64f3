"""Reads of the award registry (every grant of every decision), the decisions,
the ranking bonus the registry feeds, and the award statistics; scoped by
authority, constant queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from clusters.models import Authority, Cluster, Term, Unit
from core.sql import fetch_rows
from pledges.models import CommendationFigure
from pledges.scoring import CENT
from pledges.selectors import ranking_leaders

from ..models import (
    AwardForm,
    BaseSalary,
    Decision,
    ExternalDecision,
    Grant,
    Proposal,
    fold,
)

UNIT_CHOICES = 150
# The award form of a cluster's (or block's) leading unit: the provincial
# emulation flag (`awards.catalogue_defaults`, Law 06/2022/QH15 art. 26).
CLUSTER_FLAG = "co-tinh"


def grants_of_authority(authority_id: int) -> QuerySet[Grant]:
    return Grant.objects.filter(authority_id=authority_id)


def registry_search(
    authority_id: int,
    *,
    query: str = "",
    year: int | None = None,
    form: int | None = None,
    unit: int | None = None,
) -> QuerySet[Grant]:
    """Grants of the authority, newest first, filtered by a text matched without
    diacritics or case at the start of a word of the unit, person, organisation,
    form or decision number ("chau thanh" finds "Châu Thành", "chau thanh a"
    only "Châu Thành A"; "ngoai he thong" the grants of decisions taken outside
    the system), by year, award form and unit. The rows carry their form, unit
    and decision, internal or external (one query per page)."""
    grants = grants_of_authority(authority_id).select_related(
        "award_form", "unit", "decision", "external"
    )
    phrase = fold(query)
    if phrase:
        grants = grants.filter(search_text__contains=f" {phrase}")
    if year:
        grants = grants.filter(year=year)
    if form:
        grants = grants.filter(award_form_id=form)
    if unit:
        grants = grants.filter(unit_id=unit)
    return grants.order_by("-year", "award_form__position", "recipient_name", "pk")


def registry_years(authority_id: int) -> list[int]:
    return list(
        grants_of_authority(authority_id)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def unit_award_history(unit: Unit) -> list[Grant]:
    """The unit's grants, newest first, with form and decision (internal or
    external)."""
    return list(
        Grant.objects.filter(unit=unit)
        .select_related("award_form", "decision", "external")
        .order_by("-year", "award_form__position", "pk")
    )


def decisions_of_authority(authority_id: int) -> QuerySet[Decision]:
    return Decision.objects.filter(authority_id=authority_id)


def decision_rows(authority_id: int, year: int | None = None) -> QuerySet[Decision]:
    """The authority's decisions, newest first, with their grant counts, total
    reward and the proposals they answer (two queries)."""
    rows = (
        decisions_of_authority(authority_id)
        .prefetch_related(
            Prefetch(
                "proposals",
                queryset=Proposal.objects.select_related("term__cluster").order_by(
                    "pk"
                ),
            )
        )
        .annotate(grant_count=Count("grants"), total=Sum("grants__amount"))
        .order_by("-date", "-number")
    )
    if year:
        rows = rows.filter(year=year)
    return rows


def decision_detail(authority_id: int, pk: int) -> Decision:
    """A decision of the authority with the proposals it answers and its
    grants (forms, units). Raises Decision.DoesNotExist."""
    return (
        decisions_of_authority(authority_id)
        .select_related("recorded_by", "authority")
        .prefetch_related(
            Prefetch(
                "proposals",
                queryset=Proposal.objects.select_related(
                    "term__cluster", "campaign"
                ).order_by("pk"),
            ),
            "grants__award_form",
            "grants__unit",
        )
        .get(pk=pk)
    )


def external_decision_of(authority_id: int, pk: int) -> ExternalDecision:
    """The decision taken outside the system `pk` of the authority. Raises
    ExternalDecision.DoesNotExist."""
    return ExternalDecision.objects.get(pk=pk, authority_id=authority_id)


def external_grant_of(authority_id: int, pk: int) -> Grant:
    """The registry entry `pk` of the authority that records a decision taken
    outside the system, with its form, unit and decision. Raises
    Grant.DoesNotExist."""
    return Grant.objects.select_related("award_form", "unit", "external").get(
        pk=pk, authority_id=authority_id, external__isnull=False
    )


def flag_leaders(term: Term) -> list[Unit]:
    """`term`'s leading units for the rotation policy “the leading unit
    chairs” (`clusters.selectors.LEADERS`): the units granted the provincial
    emulation flag (the cluster's flag, form "co-tinh") by a decision
    answering a proposal of the term, then the other members in the order of
    the published ranking; empty when no flag was granted."""
    winners = [
        cast(Unit, grant.unit)  # unit__isnull=False
        for grant in Grant.objects.filter(
            nominee__proposal__term=term,
            award_form__code=CLUSTER_FLAG,
            unit__isnull=False,
        )
        .select_related("unit__successor")
        .order_by("nominee__pk")
    ]
    if not winners:
        return []
    return [*winners, *(u for u in ranking_leaders(term) if u not in winners)]


def award_forms(authority_id: int, *, active_only: bool = False) -> QuerySet[AwardForm]:
    """The authority's award forms in catalogue order (only those in use when
    `active_only`); a read, never seeding (every authority is seeded when
    created, `awards.services.catalogue_seed`)."""
    forms = AwardForm.objects.filter(authority_id=authority_id)
    if active_only:
        forms = forms.filter(is_active=True)
    return forms.order_by("position", "name")


def award_form_of(authority_id: int, pk: int) -> AwardForm:
    """The award form `pk` of the authority. Raises AwardForm.DoesNotExist."""
    return AwardForm.objects.get(pk=pk, authority_id=authority_id)


def base_salaries_of(authority_id: int) -> QuerySet[BaseSalary]:
    """The authority's base salaries, the latest in force first."""
    return BaseSalary.objects.filter(authority_id=authority_id).order_by(
        "-effective_from"
    )


def authority_by_pk(pk: int) -> Authority:
    """The authority `pk`. Raises Authority.DoesNotExist."""
    return Authority.objects.get(pk=pk)


def clusters_of_authority(authority_id: int) -> QuerySet[Cluster]:
    """The authority's clusters and blocks, by kind and name."""
    return Cluster.objects.filter(authority_id=authority_id).order_by("kind", "name")


def units_of_authority(authority_id: int) -> QuerySet[Unit]:
    """The authority's units by name (for a form's choices)."""
    return Unit.objects.filter(authority_id=authority_id).order_by("name")


def registry_units(authority_id: int) -> list[Unit] | None:
    """The units with a grant in the authority's registry, by name: the
    registry's unit filter. None when there are more than `UNIT_CHOICES`, a
    list too long to choose from or to send to a phone (the registry's search
    finds a unit by its name). One query."""
    units = list(
        Unit.objects.filter(
            pk__in=grants_of_authority(authority_id).values("unit_id")
        ).order_by("name")[: UNIT_CHOICES + 1]
    )
    return None if len(units) > UNIT_CHOICES else units


# (unit id, form name, year, ranking bonus as text) of the grants of an
# authority's forms with a ranking bonus, of a year, to the members of a term.
BONUS_SQL = """
    SELECT g.unit_id, f.name, g.year, CAST(f.ranking_bonus AS TEXT)
    FROM awards_grant g JOIN awards_awardform f ON f.id = g.award_form_id
    WHERE g.authority_id = %s AND g.year = %s AND f.ranking_bonus > 0
        AND g.unit_id IN (SELECT unit_id FROM clusters_membership WHERE term_id = %s)
    ORDER BY f.position, g.id"""


def award_bonus(term: Term) -> dict[int, list[tuple[str, Decimal]]]:
    """{unit id: [(label, points)]}: the automatic ranking bonus of `term`'s
    members from the registry — every grant of a form with a ranking bonus
    awarded for the previous year ("the unit already holds a
    provincial flag or a government flag"). One query whatever the size, in
    plain SQL (it runs with every cold computation of the standings, and the
    ORM took longer to build it than the database to run it); the bonus cap is
    applied by the ranking."""
    rows = fetch_rows(BONUS_SQL, [term.cluster.authority_id, term.year - 1, term.pk])
    bonus: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for unit_id, form, year, points in rows:
        label = _("%(form)s %(year)s") % {"form": form, "year": year}
        # To the cent as the field holds it (SQLite gives "1" for 1.00).
        bonus[unit_id].append((label, Decimal(points).quantize(CENT)))
    return dict(bonus)


# Statistics ------------------------------------------------------------------


@dataclass
class Tally:
    collectives: int = 0
    individuals: int = 0
    amount: Decimal = Decimal(0)

    @property
    def total(self) -> int:
        return self.collectives + self.individuals


@dataclass
class Statistics:
    """Grants by form and year, by cluster and year, by unit; and the units' own
    commendation figures by form (from their reports)."""

    years: list
    forms: list
    by_form: dict  # (form id, year) → Tally
    form_totals: dict  # form id → Tally
    year_totals: dict  # year → Tally
    clusters: list  # (cluster name, {year: Tally})
    units: list  # (unit, {year: Tally}, Tally)
    own_forms: list  # (form name, collectives, individuals)
    own_units: list  # (unit name, collectives, individuals)
    own_years: list  # (year, collectives, individuals)
    own_total: Tally = field(default_factory=Tally)

    @property
    def form_rows(self) -> list[tuple[AwardForm, list[Tally | None], Tally]]:
        """(form, [Tally or None for each year], total Tally) in catalogue order."""
        return [
            (
                form,
                [self.by_form.get((form.pk, year)) for year in self.years],
                self.form_totals[form.pk],
            )
            for form in self.forms
        ]


def award_statistics(
    authority_id: int, *, year: int | None = None, cluster: int | None = None
) -> Statistics:
    """Award statistics of the authority (all years or one; all clusters or
    one): six queries whatever the number of grants, units and reports."""
    grants = grants_of_authority(authority_id)
    if year:
        grants = grants.filter(year=year)
    if cluster:
        grants = grants.filter(nominee__proposal__term__cluster_id=cluster)
    collective = Q(unit__isnull=False)
    rows = (
        grants.values(
            "award_form_id",
            "year",
            "unit_id",
            "nominee__proposal__term__cluster__name",
        )
        .annotate(
            collectives=Count("pk", filter=collective),
            individuals=Count("pk", filter=~collective),
            amount=Sum("amount"),
        )
        .order_by()
    )
    forms = list(
        AwardForm.objects.filter(authority_id=authority_id).order_by("position", "name")
    )
    by_form: defaultdict[Any, Tally]
    form_totals: defaultdict[Any, Tally]
    year_totals: defaultdict[Any, Tally]
    clusters: defaultdict[Any, defaultdict[Any, Tally]]
    units: defaultdict[Any, defaultdict[Any, Tally]]
    by_form, form_totals, year_totals = (
        defaultdict(Tally),
        defaultdict(Tally),
        defaultdict(Tally),
    )
    clusters, units = (
        defaultdict(lambda: defaultdict(Tally)),
        defaultdict(lambda: defaultdict(Tally)),
    )
    years = set()
    for row in rows:
        tallies = [
            by_form[(row["award_form_id"], row["year"])],
            form_totals[row["award_form_id"]],
            year_totals[row["year"]],
        ]
        cluster_name = row["nominee__proposal__term__cluster__name"]
        if cluster_name:
            tallies.append(clusters[cluster_name][row["year"]])
        if row["unit_id"]:
            tallies.append(units[row["unit_id"]][row["year"]])
        for tally in tallies:
            tally.collectives += row["collectives"]
            tally.individuals += row["individuals"]
            tally.amount += row["amount"] or 0
        years.add(row["year"])
    unit_objects = Unit.objects.in_bulk(list(units))
    unit_rows = []
    for unit_id, per_year in units.items():
        total = Tally()
        for tally in per_year.values():
            total.collectives += tally.collectives
            total.amount += tally.amount
        unit_rows.append((unit_objects[unit_id], dict(per_year), total))
    unit_rows.sort(key=lambda row: row[0].name)
    figures = CommendationFigure.objects.filter(
        report__term__cluster__authority_id=authority_id
    )
    if year:
        figures = figures.filter(report__term__year=year)
    if cluster:
        figures = figures.filter(report__term__cluster_id=cluster)
    own_years = list(
        figures.values_list("report__term__year")
        .annotate(c=Sum("collectives"), i=Sum("individuals"))
        .order_by("-report__term__year")
    )
    own_forms = list(
        figures.values_list("form")
        .annotate(c=Sum("collectives"), i=Sum("individuals"))
        .order_by("form")
    )
    own_units = list(
        figures.values_list("report__unit__name")
        .annotate(c=Sum("collectives"), i=Sum("individuals"))
        .order_by("report__unit__name")
    )
    own_total = Tally(
        collectives=sum(c or 0 for _f, c, _i in own_forms),
        individuals=sum(i or 0 for _f, _c, i in own_forms),
    )
    used = {form_id for form_id, _year in by_form}
    return Statistics(
        years=sorted(years, reverse=True),
        forms=[form for form in forms if form.pk in used],
        by_form=dict(by_form),
        form_totals=dict(form_totals),
        year_totals=dict(year_totals),
        clusters=sorted(
            ((name, dict(per_year)) for name, per_year in clusters.items()),
            key=lambda row: row[0],
        ),
        units=unit_rows,
        own_forms=own_forms,
        own_units=own_units,
        own_years=own_years,
        own_total=own_total,
    )


__all__ = [
    "Statistics",
    "Tally",
    "award_bonus",
    "award_form_of",
    "award_forms",
    "award_statistics",
    "authority_by_pk",
    "base_salaries_of",
    "clusters_of_authority",
    "decision_detail",
    "decision_rows",
    "decisions_of_authority",
    "external_decision_of",
    "external_grant_of",
    "flag_leaders",
    "grants_of_authority",
    "registry_search",
    "registry_units",
    "registry_years",
    "unit_award_history",
    "units_of_authority",
]
