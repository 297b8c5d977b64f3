"""Generated years: hypothesis builds valid terms —
scale 100 or 1.000, 3–30 members, mixes of rule kinds, directions, caps, band
tables, bonus, deduction, late and award-bonus lines, reviewer scores and
objections — runs each through the services (open the year, pledge, targets,
signatures, reports, scores, objections), then checks the totals, bands, ranks
and cluster totals against an independent recomputation from the stated rules
(§5, exact fractions here), and that the term's pages render."""

import datetime
import itertools
import os
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from statistics import median

from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from clusters import services as cluster_services
from clusters.models import Role, TermState
from pledges import selectors
from pledges import services as pledge_services
from pledges.models import Objection, Report
from tests.clusters.factories import AuthorityFactory, ClusterFactory, UnitFactory
from tests.clusters.factories import officer as officer_of
from tests.clusters.factories import staff as staff_of
from tests.helpers import examples
from tests.pledges.standings_reference import canonical, reference_standings

RATIOS = [
    Fraction(0),
    Fraction(2, 5),
    Fraction(1, 2),
    Fraction(9, 10),
    Fraction(1),
    Fraction(11, 10),
    Fraction(6, 5),
    Fraction(3, 2),
]
BAND_SETS = [
    [[100, 100], [80, 60], [50, 30]],
    [[90, 80], [100, 100]],
    [[100, 100]],
]
SERIAL = itertools.count(1)


@dataclass
class IndicatorSpec:
    rule: str
    direction: str
    params: dict
    aggregation: str
    plans: list  # per member
    ratios: list  # per member: actual = plan × ratio


@dataclass
class YearSpec:
    scale: int
    members: int
    method: str
    bonus_cap: int
    deduction_cap: int
    late_deduction: int
    bands: list
    indicator_criteria: list  # of lists of IndicatorSpec
    assessed: int
    self_quarters: list  # per member, per non-indicator criterion: 0–4
    peer_quarters: list  # per member, per non-indicator criterion, 2 peers
    late: list  # per member
    reviewer: dict  # (member, criterion index) -> quarters
    objections: dict  # (member, criterion index) -> quarters or None (reject)
    award_bonus: dict  # member -> tenths of a percent of the scale
    extra: dict = field(default_factory=dict)


@st.composite
def indicator_specs(draw, members):
    rule = draw(st.sampled_from(["proportional", "threshold", "bands"]))
    params = {}
    if rule == "proportional":
        params = {"cap": draw(st.sampled_from([100, 120])), "floor": 50}
    elif rule == "bands":
        params = {"bands": draw(st.sampled_from(BAND_SETS))}
    return IndicatorSpec(
        rule=rule,
        direction=draw(st.sampled_from(["higher", "lower"])),
        params=params,
        aggregation=draw(st.sampled_from(["sum", "mean", "none"])),
        plans=draw(st.lists(st.integers(1, 5000), min_size=members, max_size=members)),
        ratios=draw(
            st.lists(st.sampled_from(RATIOS), min_size=members, max_size=members)
        ),
    )


@st.composite
def years(draw):
    # Half the years small (fast), half up to the 30-member bound.
    members = draw(st.one_of(st.integers(3, 8), st.integers(9, 30)))
    criteria = draw(
        st.lists(
            st.lists(indicator_specs(members), min_size=1, max_size=3),
            min_size=1,
            max_size=3,
        )
    )
    assessed = draw(st.integers(1, 2))
    scored = assessed + 2  # assessed criteria, one bonus, one deduction
    quarters = st.integers(0, 4)
    excellent = draw(st.integers(85, 95))
    good = draw(st.integers(75, excellent - 1))
    complete = draw(st.integers(55, good - 1))
    minimum = st.one_of(st.none(), st.sampled_from([40, 50, 70, 85]))
    bands = [
        {"band": "excellent", "min_total": excellent, "min_criterion": draw(minimum)},
        {"band": "good", "min_total": good, "min_criterion": draw(minimum)},
        {"band": "complete", "min_total": complete, "min_criterion": draw(minimum)},
    ]
    pairs = st.tuples(st.integers(0, members - 1), st.integers(0, scored - 1))
    return YearSpec(
        scale=draw(st.sampled_from([100, 1000])),
        members=members,
        method=draw(st.sampled_from(["peer_mean", "peer_median", "self"])),
        bonus_cap=draw(st.sampled_from([0, 2, 5])),
        deduction_cap=draw(st.sampled_from([1, 5])),
        late_deduction=draw(st.sampled_from([0, 1, 2])),
        bands=bands,
        indicator_criteria=criteria,
        assessed=assessed,
        self_quarters=draw(
            st.lists(
                st.lists(quarters, min_size=scored, max_size=scored),
                min_size=members,
                max_size=members,
            )
        ),
        peer_quarters=draw(
            st.lists(
                st.lists(
                    st.tuples(quarters, quarters), min_size=scored, max_size=scored
                ),
                min_size=members,
                max_size=members,
            )
        ),
        late=draw(st.lists(st.booleans(), min_size=members, max_size=members)),
        reviewer=draw(st.dictionaries(pairs, quarters, max_size=3)),
        objections=draw(
            st.dictionaries(pairs, st.one_of(st.none(), quarters), max_size=3)
        ),
        award_bonus=draw(
            st.dictionaries(st.integers(0, members - 1), st.integers(1, 40), max_size=3)
        ),
    )


# Building the year through the services --------------------------------------


@dataclass
class Built:
    term: object
    units: list
    officers: list
    staff: object
    chair_officer: object
    pledge: object
    indicators: list  # (criterion code, criterion max, [(Indicator, spec)])
    people: list  # Criterion rows scored by people, in spec order
    award: dict  # unit pk -> [(label, points)]


def _split(total, parts):
    """`total` points in `parts` whole shares adding up exactly."""
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


def _content(spec):
    indicator_total = spec.scale * 6 // 10
    assessed_total = spec.scale - indicator_total
    criteria = []
    for n, (points, indicators) in enumerate(
        zip(
            _split(indicator_total, len(spec.indicator_criteria)),
            spec.indicator_criteria,
            strict=True,
        ),
        start=1,
    ):
        criteria.append(
            {
                "code": f"I.{n}",
                "title": f"Tiêu chí chỉ tiêu {n}",
                "kind": "indicator",
                "max_points": str(points),
                "indicators": [
                    {
                        "code": f"CT{n}.{m}",
                        "title": f"Chỉ tiêu {n}.{m}",
                        "unit_of_measure": "%" if i.direction == "lower" else "tỷ đồng",
                        "direction": i.direction,
                        "aggregation": i.aggregation,
                        "rule": i.rule,
                        "params": i.params,
                        "position": m,
                    }
                    for m, i in enumerate(indicators, start=1)
                ],
            }
        )
    assessed = [
        {
            "code": f"II.{n}",
            "title": f"Tiêu chí đánh giá {n}",
            "kind": "assessed",
            "max_points": str(points),
        }
        for n, points in enumerate(_split(assessed_total, spec.assessed), start=1)
    ]
    extra = spec.scale // 10
    return {
        "sections": [
            {
                "code": "I",
                "title": "Chỉ tiêu",
                "max_points": str(indicator_total),
                "criteria": criteria,
            },
            {
                "code": "II",
                "title": "Đánh giá",
                "max_points": str(assessed_total),
                "criteria": assessed,
            },
            {
                "code": "III",
                "title": "Điểm thưởng",
                "kind": "bonus",
                "max_points": str(extra),
                "criteria": [
                    {
                        "code": "III.1",
                        "title": "Mô hình hay",
                        "kind": "bonus",
                        "max_points": str(extra),
                    }
                ],
            },
            {
                "code": "IV",
                "title": "Điểm trừ",
                "kind": "deduction",
                "max_points": str(extra),
                "criteria": [
                    {
                        "code": "IV.1",
                        "title": "Vi phạm",
                        "kind": "deduction",
                        "max_points": str(extra),
                    }
                ],
            },
        ]
    }


def _quarter(criterion, quarters):
    return Decimal(criterion.max_points) * quarters / 4


def build(spec, monkeypatch):
    serial = next(SERIAL)
    authority = AuthorityFactory(name=f"UBND tỉnh Sinh {serial}")
    admin = staff_of(authority, role=Role.ADMIN, username=f"gen{serial}_admin")
    staff = staff_of(authority, username=f"gen{serial}_staff")
    cluster = ClusterFactory(authority=authority, name=f"Cụm sinh {serial}")
    units = [
        UnitFactory(authority=authority, name=f"Phường {serial}-{n:02d}")
        for n in range(spec.members)
    ]
    officers = [
        officer_of(unit, username=f"gen{serial}_u{n}") for n, unit in enumerate(units)
    ]
    term = cluster_services.term_create(
        cluster=cluster,
        year=2025,
        actor=admin,
        units=units,
        chair=units[0],
        deputy=units[1],
        total_points=spec.scale,
        assessed_method=spec.method,
        bonus_cap=Decimal(spec.bonus_cap),
        deduction_cap=Decimal(spec.deduction_cap),
        late_deduction=Decimal(spec.late_deduction),
        bands=spec.bands,
    )
    pledge = pledge_services.pledge_create(
        term=term, actor=admin, content=_content(spec)
    )
    rows, indicators = [], []
    criteria = {c.code: c for c in pledge.criteria.all()}
    by_code = {i.code: i for i in pledge.indicators.all()}
    for n, specs in enumerate(spec.indicator_criteria, start=1):
        pairs = []
        for m, ispec in enumerate(specs, start=1):
            indicator = by_code[f"CT{n}.{m}"]
            pairs.append((indicator, ispec))
            for unit, plan in zip(units, ispec.plans, strict=True):
                rows.append((indicator, unit, Decimal(plan), Decimal(plan) * 9 / 10))
        indicators.append((f"I.{n}", criteria[f"I.{n}"].max_points, pairs))
    pledge_services.targets_apply(pledge=pledge, rows=rows, actor=admin)
    cluster_services.term_transition(
        term=term, to_state=TermState.PLEDGING, actor=admin
    )
    pledge_services.pledge_open_signing(pledge=pledge, actor=admin)
    for member, unit in enumerate(units):
        pledge_services.pledge_sign(
            pledge=pledge,
            unit=unit,
            actor=officers[member],
            signer_name="Nguyễn Văn A",
            signer_title="Chủ tịch UBND",
            signed_on=datetime.date(2025, 2, 1),
        )
    for state in (TermState.IN_PROGRESS, TermState.REPORTING):
        cluster_services.term_transition(term=term, to_state=state, actor=admin)
    people = [criteria[f"II.{n}"] for n in range(1, spec.assessed + 1)]
    people += [criteria["III.1"], criteria["IV.1"]]
    reports = []
    for member, unit in enumerate(units):
        report = pledge_services.report_start(
            term=term, unit=unit, actor=officers[member]
        )
        actuals = {
            indicator: (
                Decimal(ispec.plans[member]) * _decimal(ispec.ratios[member]),
                "",
            )
            for _code, _max, pairs in indicators
            for indicator, ispec in pairs
        }
        pledge_services.report_save_section(
            report=report,
            actor=officers[member],
            version=report.version,
            section="indicators",
            data=actuals,
        )
        report.refresh_from_db()
        selfs = {
            c: (_quarter(c, q), "Tự chấm")
            for c, q in zip(people, spec.self_quarters[member], strict=True)
        }
        pledge_services.report_save_section(
            report=report,
            actor=officers[member],
            version=report.version,
            section="criteria",
            data=selfs,
        )
        report.refresh_from_db()
        reports.append(report)
    # On-time reports first; then the deadline passes and the late ones
    # submit with an extension.
    for member, report in enumerate(reports):
        if not spec.late[member]:
            pledge_services.report_submit(
                report=report, actor=officers[member], version=report.version
            )
    today = timezone.localdate()
    cluster_services.term_update(
        term=term, actor=admin, report_deadline=today - datetime.timedelta(days=1)
    )
    for member, report in enumerate(reports):
        if spec.late[member]:
            pledge_services.deadline_extend(
                term=term, unit=units[member], until=today, reason="Ốm", actor=admin
            )
            pledge_services.report_submit(
                report=report, actor=officers[member], version=report.version
            )
    for report in reports:
        pledge_services.report_accept(
            report=Report.objects.get(pk=report.pk), actor=staff
        )
    cluster_services.term_transition(term=term, to_state=TermState.SCORING, actor=admin)
    reports = [Report.objects.select_related("term").get(pk=r.pk) for r in reports]
    for member, report in enumerate(reports):
        for c, (first, second) in zip(people, spec.peer_quarters[member], strict=True):
            for offset, quarters in ((1, first), (2, second)):
                scorer = (member + offset) % spec.members
                pledge_services.peer_score_set(
                    report=report,
                    criterion=c,
                    scorer_unit=units[scorer],
                    points=_quarter(c, quarters),
                    comment="",
                    actor=officers[scorer],
                )
    for (member, index), quarters in sorted(spec.reviewer.items()):
        pledge_services.reviewer_score_set(
            report=reports[member],
            criterion=people[index],
            points=_quarter(people[index], quarters),
            reason="Điều chỉnh theo minh chứng",
            actor=staff,
        )
    for user in (staff, officers[0], officers[2]):
        _page_ok(user, "peer_scoring", term)
    cluster_services.term_update(
        term=term, actor=admin, reply_deadline=today + datetime.timedelta(days=3)
    )
    cluster_services.term_transition(term=term, to_state=TermState.REPLY, actor=admin)
    for (member, index), quarters in sorted(spec.objections.items()):
        objection = pledge_services.objection_raise(
            report=Report.objects.select_related("term").get(pk=reports[member].pk),
            criterion=people[index],
            text="Đề nghị xem lại",
            actor=officers[member],
        )
        pledge_services.objection_answer(
            objection=Objection.objects.get(pk=objection.pk),
            accept=quarters is not None,
            reason="Trả lời khiếu nại",
            actor=staff,
            new_points=None if quarters is None else _quarter(people[index], quarters),
        )
    award = {
        units[member].pk: [
            ("Cờ thi đua 2024", _decimal(Fraction(tenths * spec.scale, 1000)))
        ]
        for member, tenths in spec.award_bonus.items()
    }
    # The award registry's bonus, as the awards app contributes it.
    monkeypatch.setattr(
        "pledges.standings.contributions.BONUS_LINES", [lambda term: award]
    )
    term.refresh_from_db()
    return Built(
        term=term,
        units=units,
        officers=officers,
        staff=staff,
        chair_officer=officers[0],
        pledge=pledge,
        indicators=indicators,
        people=people,
        award=award,
    )


def _decimal(fraction):
    return Decimal(fraction.numerator) / Decimal(fraction.denominator)


# The stated rules, recomputed independently ----------------------------------


def _cents(value):
    """Round an exact value to the cent, half to even (the stated rounding)."""
    return Fraction(
        Decimal(value.numerator / Decimal(value.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_EVEN
        )
    )


def expected_indicator(ispec, share, member):
    plan = Fraction(ispec.plans[member])
    actual = plan * ispec.ratios[member]
    if ispec.direction == "lower":
        achieved = None if actual == 0 else plan / actual * 100
    else:
        achieved = actual / plan * 100
    infinite = achieved is None  # a perfect 0 when lower is better

    def at_least(level):
        return infinite or achieved >= level

    if ispec.rule == "threshold":
        return _cents(share) if at_least(100) else Fraction(0)
    if ispec.rule == "bands":
        best = max(
            (Fraction(s) for low, s in ispec.params["bands"] if at_least(low)),
            default=Fraction(0),
        )
        return _cents(min(share * best / 100, share))
    cap = Fraction(ispec.params["cap"])
    if not at_least(50):
        return Fraction(0)
    counted = cap if infinite else min(achieved, cap)
    return _cents(share * counted / 100)


def expected_people(spec, built, member, index, final_reviewer):
    criterion = built.people[index]
    if final_reviewer is not None:
        return Fraction(_quarter(criterion, final_reviewer))
    if spec.method == "self":
        return Fraction(_quarter(criterion, spec.self_quarters[member][index]))
    peers = [
        Fraction(_quarter(criterion, q)) for q in spec.peer_quarters[member][index]
    ]
    value = Fraction(median(peers)) if spec.method == "peer_median" else sum(peers) / 2
    return _cents(value)


def expected_standings(spec, built):
    scale = Fraction(spec.scale)
    reviewer = dict(spec.reviewer)
    for key, quarters in spec.objections.items():
        if quarters is not None:
            reviewer[key] = quarters
    rows = {}
    for member, unit in enumerate(built.units):
        criteria = []  # (points, max) of indicator and assessed criteria
        indicator_points = Fraction(0)
        for _code, maximum, pairs in built.indicators:
            share = Fraction(maximum) / len(pairs)
            earned = sum(
                (expected_indicator(ispec, share, member) for _i, ispec in pairs),
                Fraction(0),
            )
            points = min(earned, Fraction(maximum))
            criteria.append((points, Fraction(maximum)))
            indicator_points += points
        people = [
            expected_people(spec, built, member, index, reviewer.get((member, index)))
            for index in range(len(built.people))
        ]
        for index in range(spec.assessed):
            criteria.append((people[index], Fraction(built.people[index].max_points)))
        award = sum(
            (Fraction(p) for _label, p in built.award.get(unit.pk, [])), Fraction(0)
        )
        bonus = min(people[-2] + award, scale * spec.bonus_cap / 100)
        late = scale * spec.late_deduction / 100 if spec.late[member] else 0
        deduction = min(people[-1] + late, scale * spec.deduction_cap / 100)
        total = sum((p for p, _m in criteria), Fraction(0)) + bonus - deduction
        band = "not_complete"
        for row in spec.bands:
            shares_ok = row["min_criterion"] is None or all(
                p / m * 100 >= row["min_criterion"] for p, m in criteria
            )
            if total / scale * 100 >= row["min_total"] and shares_ok:
                band = row["band"]
                break
        rows[unit.pk] = {
            "total": _cents(total),
            "indicator_points": indicator_points,
            "band": band,
            "full": sum(1 for p, m in criteria if p >= m),
        }
    return rows


def expected_totals(spec, built):
    rows = {}
    for _code, _max, pairs in built.indicators:
        for indicator, ispec in pairs:
            plans = [Fraction(p) for p in ispec.plans]
            actuals = [p * r for p, r in zip(plans, ispec.ratios, strict=True)]
            plan, actual = sum(plans), sum(actuals)
            # A share ("%") is averaged, never summed; "none" has no total.
            if ispec.aggregation == "mean" or indicator.unit_of_measure == "%":
                plan, actual = plan / len(plans), actual / len(actuals)
            if ispec.aggregation == "none":
                plan = actual = percent = None
            elif ispec.direction == "lower":
                percent = None if actual == 0 else plan / actual * 100
            else:
                percent = actual / plan * 100
            if ispec.direction == "lower":
                met = [a <= p for p, a in zip(plans, actuals, strict=True)]
            else:
                met = [a >= p for p, a in zip(plans, actuals, strict=True)]
            rows[indicator.code] = (plan, actual, percent, met.count(True))
    return rows


# The test ----------------------------------------------------------------------


def _close(value, exact, places=6):
    if value is None or exact is None:
        return value is None and exact is None
    return abs(Fraction(value) - exact) < Fraction(1, 10**places)


@settings(
    max_examples=examples(int(os.environ.get("GENERATED_YEARS", "5"))),
    deadline=None,
    # Each example opens a whole year through the services: report the failing
    # year as generated rather than spend minutes shrinking it.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(spec=years())
def test_generated_years_follow_the_stated_rules(db, monkeypatch, spec):
    with translation.override("en"):
        built = build(spec, monkeypatch)
        term = built.term
        standings = selectors.term_standings(term)
        # The lean computation equals the straightforward one in every digit.
        assert canonical(standings) == canonical(reference_standings(term))
        expected = expected_standings(spec, built)
        assert len(standings) == spec.members
        for standing in standings:
            want = expected[standing.unit.pk]
            assert Fraction(standing.total) == want["total"], standing.unit.name
            assert _close(standing.indicator_points, want["indicator_points"], 1)
            assert standing.band == want["band"], (standing.unit.name, want)
            assert standing.full_criteria == want["full"]
        # Ranks follow the totals; equal totals never outrank each other.
        for before, after in itertools.pairwise(standings):
            assert before.total >= after.total
            if before.total > after.total:
                assert after.rank > before.rank
        assert standings[0].rank == 1

        totals = selectors.cluster_totals(term)
        assert (totals.submitted, totals.members) == (spec.members, spec.members)
        want_totals = expected_totals(spec, built)
        for row in totals.rows:
            plan, actual, percent, met = want_totals[row["indicator"].code]
            assert _close(row["plan"], plan)
            assert _close(row["actual"], actual)
            assert _close(row["percent_of_plan"], percent, 4)
            assert (row["above"], row["below"]) == (met, spec.members - met)

        _pages_render(built)


def _page_ok(user, name, term):
    client = Client()
    client.force_login(user)
    response = client.get(reverse(name, args=[term.pk]))
    assert response.status_code == 200, (name, user.username)


def _pages_render(built):
    """The reply-stage pages for staff, the chair's officer and a member's
    officer (peer scoring was opened in the scoring stage, see `build`); a
    member sees only its own rank page."""
    term = built.term
    member = built.officers[2]
    for user in (built.staff, built.chair_officer, member):
        client = Client()
        client.force_login(user)
        for name in ("term_ranking", "cluster_totals", "reply", "peer_scoring"):
            if name == "peer_scoring" and user is member:
                continue  # a member scores in the scoring stage only
            response = client.get(reverse(name, args=[term.pk]))
            assert response.status_code == 200, (name, user.username)
        for unit in built.units:
            response = client.get(reverse("rank_detail", args=[term.pk, unit.pk]))
            own = user.unit_id == unit.pk
            sees_all = user is not member
            assert response.status_code == (200 if own or sees_all else 403), (
                unit.name,
                user.username,
            )
