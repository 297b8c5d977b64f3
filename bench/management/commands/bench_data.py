"""Generate the reference data for the benchmark, reproducibly.

A authorities, each with N clusters of M members (or of a range of sizes,
`--members 6-12`), each term with a pledge of C criteria and I indicators, the
closed years plus the current one, S peer scorers per criterion scored by
people; optionally one more cluster of the first authority with a single large
current term (`--large-term 96`). `--profile national` is the national scale:
34 authorities × 12 clusters of 6–12 members, 60 criteria, 40
indicators, 6 years, and one term of 96 members. The first authority is named
AUTHORITY_NAME and has the staff account "bench-staff". Rows are bulk-created
(no history rows; the large tables by COPY through core.bulk.insert_rows, with
the same keys and values bulk_create gave them); the closed terms' rankings
are stored as publishing stores them, so that the pages showing published
rankings have real snapshots.

Writes data: use a throwaway database. Refused unless settings.DEMO_ALLOWED or
the environment has BENCH_ALLOW=1 (how `make bench` runs it under production
settings against a throwaway PostgreSQL).
"""

import datetime
import os
import random
import time
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from awards.models import (
    Decision,
    Grant,
    Nominee,
    NomineeOutcome,
    Proposal,
    ProposalState,
    SigningCapacity,
)
from awards.models.decisions import fold
from awards.services import catalogue_for
from clusters.models import (
    Authority,
    Cluster,
    MemberRole,
    Membership,
    Role,
    Term,
    TermState,
    Unit,
    UnitKind,
    User,
)
from core.bulk import insert_rows
from pledges.models import (
    Criterion,
    CriterionKind,
    Indicator,
    IndicatorResult,
    Pledge,
    PledgeState,
    RankingSnapshot,
    Report,
    ReportState,
    Score,
    Section,
    SectionKind,
    SelfScore,
    Target,
)
from pledges.selectors import snapshot_rows

BENCH_PASSWORD = "bench"  # noqa: S105  (generated benchmark accounts)
AUTHORITY_NAME = "Đo hiệu năng"
VALID_FROM = datetime.date(2004, 1, 1)


def bench_allowed():
    return settings.DEMO_ALLOWED or os.environ.get("BENCH_ALLOW") == "1"


def _split(total, count):
    """`count` Decimal shares of `total` (2 places) adding up exactly."""
    if count <= 0:
        return []
    share = (Decimal(total) / count).quantize(Decimal("0.01"))
    return [share] * (count - 1) + [Decimal(total) - share * (count - 1)]


DEFAULTS = {
    "authorities": 1,
    "clusters": 30,
    "members": "12",
    "criteria": 60,
    "indicators": 40,
    "years": 6,
    "large_term": 0,
}
PROFILES = {
    "national": {
        "authorities": 34,
        "clusters": 12,
        "members": "6-12",
        "criteria": 60,
        "indicators": 40,
        "years": 6,
        "large_term": 96,
    },
}


def member_counts(spec, clusters):
    """The member count of each of `clusters` clusters: `spec` is a number
    ("12") or a range ("6-12") walked through in turn."""
    low, _sep, high = str(spec).partition("-")
    low, high = int(low), int(high or low)
    if not 2 <= low <= high:
        raise CommandError(f"--members {spec}: at least 2 members, low-high.")
    return [low + n % (high - low + 1) for n in range(clusters)]


def pledge_layout(criteria, indicators):
    """How `criteria` and `indicators` are laid out: (indicator criteria,
    assessed, bonus, deduction); two indicators per indicator criterion."""
    with_indicators = min(criteria, max(1, -(-indicators // 2))) if indicators else 0
    rest = criteria - with_indicators
    extra = 2 if rest >= 6 else 0  # bonus and deduction criteria, when room
    return with_indicators, rest - 2 * extra, extra, extra


class Command(BaseCommand):
    help = (
        "Generate the benchmark reference data (seeded). Writes data: use a "
        "throwaway database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--profile", choices=sorted(PROFILES), help="preset sizes")
        parser.add_argument("--authorities", type=int, help="default 1")
        parser.add_argument("--clusters", type=int, help="per authority, default 30")
        parser.add_argument(
            "--members", help="per cluster: a number or a range 6-12; default 12"
        )
        parser.add_argument(
            "--large-term",
            type=int,
            help="members of one more cluster's current term (default 0: none)",
        )
        parser.add_argument("--criteria", type=int, help="default 60")
        parser.add_argument("--indicators", type=int, help="default 40")
        parser.add_argument(
            "--years", type=int, help="closed years + the current one; default 6"
        )
        parser.add_argument(
            "--closed-clusters",
            type=int,
            default=None,
            help="clusters that also get the closed years (default: all)",
        )
        parser.add_argument("--scorers", type=int, default=3)
        parser.add_argument(
            "--year", type=int, default=None, help="current year (default: today's)"
        )

    def handle(self, *args, **o):
        if not bench_allowed():
            raise CommandError(
                "The benchmark data is refused under these settings (DEMO_ALLOWED "
                "is off); set BENCH_ALLOW=1 on a throwaway database."
            )
        if Authority.objects.filter(name=AUTHORITY_NAME).exists():
            raise CommandError(
                "Benchmark data is already in this database; use a fresh one."
            )
        # Sizes not given: the profile's, else the defaults.
        preset = PROFILES.get(o["profile"], {})
        for name, default in DEFAULTS.items():
            if o[name] is None:
                o[name] = preset.get(name, default)
        self.o = o
        self.random = random.Random(o["seed"])  # noqa: S311  (not a secret)
        self.password = make_password(BENCH_PASSWORD)
        self.sizes = member_counts(o["members"], o["clusters"])
        self.phases = Counter()  # seconds per phase, printed at the end
        started = time.perf_counter()
        current = o["year"] or timezone.localdate().year
        closed_clusters = (
            o["clusters"] if o["closed_clusters"] is None else o["closed_clusters"]
        )
        closed_clusters = min(closed_clusters, o["clusters"])
        for number in range(1, o["authorities"] + 1):
            self.authority_data(number, current, closed_clusters)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # The planner's statistics of the new rows, as autovacuum would
            # gather them in a while: measured right after the generation, the
            # same queries otherwise ran on guessed statistics (SQL floors of
            # 28–33 ms against 16 ms a few minutes later). (A test's
            # transaction cannot hold a VACUUM.)
            with self.phase("statistics"), connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
        seconds = time.perf_counter() - started
        self.stdout.write(f"{self.describe(current, closed_clusters)}")
        self.stdout.write(f"Generated in {seconds:.1f} s (seed {o['seed']}).")
        self.stdout.write(
            "Phases: "
            + ", ".join(f"{name} {spent:.1f} s" for name, spent in self.phases.items())
            + " (rows and closed years: with their commit)"
        )

    @contextmanager
    def phase(self, name):
        """Adds the time spent in the block to phase `name`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] += time.perf_counter() - started

    def authority_data(self, number, current, closed_clusters):
        """Authority `number` (1: AUTHORITY_NAME) with its clusters and terms."""
        o = self.o
        self.tag = "" if number == 1 else f"-{number:02}"
        suffix = "" if number == 1 else f" – {number:02}"
        self.decisions = 0
        with self.phase("rows"), transaction.atomic():
            self.authority = Authority.objects.create(
                name=AUTHORITY_NAME + suffix,
                short_name="Đo hiệu năng",
                place_name=f"Thử nghiệm{suffix}",
            )
            self.admin = self.user(f"bench-admin{self.tag}", Role.ADMIN)
            self.staff = self.user(f"bench-staff{self.tag}", Role.PROVINCE_STAFF)
            clusters = self.clusters(self.sizes)
            terms = []
            for year in range(current - o["years"] + 1, current + 1):
                count = o["clusters"] if year == current else closed_clusters
                for cluster, units in clusters[:count]:
                    terms.append(self.term(cluster, units, year, year == current))
            if number == 1 and o["large_term"]:
                ((cluster, units),) = self.clusters(
                    [o["large_term"]], name="Cụm thi đua lớn", first=len(clusters) + 1
                )
                terms.append(self.term(cluster, units, current, True))
        with self.phase("closed years"), transaction.atomic():
            for term in terms:
                if term.state == TermState.CLOSED:
                    # Closed years generated as closed: their published
                    # ranking is stored as publishing stores it.
                    with self.phase("rankings"):
                        rows = snapshot_rows(term)
                    with self.phase("registry"):
                        snapshot = RankingSnapshot.objects.create(
                            term=term, number=1, rows=rows, published_by=self.staff
                        )
                        self.grants(term, snapshot)

    def grants(self, term, snapshot):
        """The award registry of a closed year, bulk-created: a decided proposal
        and a decision granting the provincial flag to the first-ranked unit and
        certificates of merit to the next two (the registry page's data)."""
        forms = {f.code: f for f in catalogue_for(self.authority)}
        units = {u.name: u for u in Unit.objects.filter(memberships__term=term)}
        self.decisions = getattr(self, "decisions", 0) + 1
        decision = Decision.objects.create(
            authority=self.authority,
            number=self.decisions,
            year=term.year + 1,
            date=datetime.date(term.year + 1, 1, 15),
            issuing_body="Ủy ban nhân dân tỉnh",
            subject=f"Khen thưởng năm {term.year}",
            signer_name="Người ký",
            capacity=SigningCapacity.ON_BEHALF,
            legal_bases="Căn cứ Luật Thi đua, khen thưởng;",
            recorded_by=self.admin,
        )
        proposal = Proposal.objects.create(
            authority=self.authority,
            term=term,
            year=term.year,
            title=f"Đề nghị khen thưởng năm {term.year}",
            state=ProposalState.DECIDED,
            created_by=self.admin,
            decision=decision,
        )
        for row, code in zip(
            snapshot.rows, ("co-tinh", "bk-tinh", "bk-tinh"), strict=False
        ):
            form, unit = forms[code], units[row["unit"]]
            nominee = Nominee.objects.create(
                proposal=proposal,
                award_form=form,
                unit=unit,
                achievements="Dẫn đầu phong trào thi đua.",
                outcome=NomineeOutcome.GRANTED,
            )
            Grant.objects.create(
                decision=decision,
                nominee=nominee,
                authority=self.authority,
                award_form=form,
                year=term.year,
                unit=unit,
                recipient_name=unit.name,
                search_text=" " + fold(f"{unit.name} {form.name}"),
            )

    def describe(self, current, closed_clusters):
        o = self.o
        closed = o["years"] - 1
        large = (
            f"; one more current term of {o['large_term']} members"
            if o["large_term"]
            else ""
        )
        return (
            f"{o['authorities']} authorit{'y' if o['authorities'] == 1 else 'ies'}, "
            f"each {o['clusters']} clusters × {o['members']} members, "
            f"pledge of {o['criteria']} criteria and {o['indicators']} indicators, "
            f"{o['scorers']} peer scorers per criterion; current year {current} for "
            f"all {o['clusters']} clusters, {closed} closed year(s) "
            f"({current - closed}–{current - 1}) for {closed_clusters} cluster(s)"
            f"{large}"
        )

    # Rows ---------------------------------------------------------------------

    def user(self, username, role, unit=None):
        return User.objects.create(
            username=username,
            password=self.password,
            authority=self.authority,
            unit=unit,
            role=role,
            full_name=username,
        )

    def clusters(self, sizes, name="Cụm thi đua số", first=1):
        """Clusters of `sizes` members with their units (the same units every
        year) and officers."""
        numbers = range(first, first + len(sizes))
        clusters = Cluster.objects.bulk_create(
            Cluster(authority=self.authority, name=f"{name} {n:02}") for n in numbers
        )
        units = Unit.objects.bulk_create(
            Unit(
                authority=self.authority,
                name=f"Đơn vị {c:02}-{m:02}",
                short_name=f"ĐV {c:02}-{m:02}",
                kind=UnitKind.DISTRICT,
                valid_from=VALID_FROM,
            )
            for c, size in zip(numbers, sizes, strict=True)
            for m in range(1, size + 1)
        )
        officers = User.objects.bulk_create(
            User(
                username=f"bench{self.tag}-{u.short_name[3:]}",
                password=self.password,
                authority=self.authority,
                unit=u,
                role=Role.UNIT_OFFICER,
                full_name=f"Cán bộ {u.short_name}",
            )
            for u in units
        )
        self.officer = getattr(self, "officer", {})
        self.officer.update({user.unit_id: user for user in officers})
        result, start = [], 0
        for cluster, size in zip(clusters, sizes, strict=True):
            result.append((cluster, units[start : start + size]))
            start += size
        return result

    def value(self, low=10, high=10**6):
        return Decimal(self.random.randrange(low * 100, high * 100)) / 100

    def term(self, cluster, units, year, current):
        o = self.o
        term = Term.objects.create(
            cluster=cluster,
            year=year,
            state=TermState.SCORING if current else TermState.CLOSED,
            report_deadline=datetime.date(year, 12, 15),
        )
        now = timezone.now()
        roles = {0: MemberRole.CHAIR, 1: MemberRole.DEPUTY}
        insert_rows(
            Membership,
            (
                {
                    "term_id": term.pk,
                    "unit_id": u.pk,
                    "role": roles.get(n, MemberRole.MEMBER),
                }
                for n, u in enumerate(units)
            ),
            date=now,
        )
        pledge = Pledge.objects.create(
            term=term, title=f"Giao ước thi đua {year}", state=PledgeState.IN_FORCE
        )
        with_ind, assessed, bonus, deduction = pledge_layout(
            o["criteria"], o["indicators"]
        )
        plan = [
            ("I", "Nhiệm vụ kinh tế - xã hội", SectionKind.SCORED, with_ind),
            ("II", "Công tác khác", SectionKind.SCORED, assessed),
            ("III", "Điểm thưởng", SectionKind.BONUS, bonus),
            ("IV", "Điểm trừ", SectionKind.DEDUCTION, deduction),
        ]
        plan = [p for p in plan if p[3]]
        scored = [p for p in plan if p[2] == SectionKind.SCORED]
        scored_points = iter(_split(term.total_points, len(scored)))
        sections = Section.objects.bulk_create(
            Section(
                pledge=pledge,
                code=code,
                title=title,
                kind=kind,
                max_points=next(scored_points)
                if kind == SectionKind.SCORED
                else Decimal(5),
                position=n,
            )
            for n, (code, title, kind, _count) in enumerate(plan)
        )
        kinds = {
            "I": CriterionKind.INDICATOR,
            "II": CriterionKind.ASSESSED,
            "III": CriterionKind.BONUS,
            "IV": CriterionKind.DEDUCTION,
        }
        criteria = Criterion.objects.bulk_create(
            Criterion(
                pledge=pledge,
                section=section,
                code=f"{section.code}.{n}",
                title=f"Tiêu chí {section.code}.{n}",
                kind=kinds[section.code],
                max_points=points,
                position=n,
            )
            for section, (_c, _t, _k, count) in zip(sections, plan, strict=True)
            for n, points in enumerate(_split(section.max_points, count), start=1)
        )
        with_indicators = [c for c in criteria if c.kind == CriterionKind.INDICATOR]
        indicators = Indicator.objects.bulk_create(
            Indicator(
                pledge=pledge,
                criterion=with_indicators[(n - 1) // 2 % len(with_indicators)],
                code=f"CT{n}",
                title=f"Chỉ tiêu {n}",
                unit_of_measure="tỷ đồng",
                params={"cap": 120},
                position=n,
            )
            for n in range(1, o["indicators"] + 1)
        )
        # The rows by the hundred thousand are streamed with COPY (core/bulk.py),
        # in the order (and so with the keys and values) bulk_create gave them.
        insert_rows(
            Target,
            (
                {
                    "indicator_id": i.pk,
                    "unit_id": u.pk,
                    "planned": self.value(),
                    "last_actual": self.value(),
                }
                for i in indicators
                for u in units
            ),
            date=now,
        )
        reports = insert_rows(
            Report,
            (
                {
                    "term_id": term.pk,
                    "unit_id": u.pk,
                    "state": ReportState.SUBMITTED if current else ReportState.ACCEPTED,
                    "summary": "Báo cáo kết quả thực hiện giao ước thi đua.",
                    "submitted_at": now,
                    "updated_by_id": self.officer[u.pk].pk,
                }
                for u in units
            ),
            date=now,
        )
        insert_rows(
            IndicatorResult,
            (
                {"report_id": r, "indicator_id": i.pk, "actual": self.value()}
                for r in reports
                for i in indicators
            ),
            date=now,
        )
        by_people = [c for c in criteria if c.kind != CriterionKind.INDICATOR]
        insert_rows(
            SelfScore,
            (
                {"report_id": r, "criterion_id": c.pk, "points": c.max_points}
                for r in reports
                for c in by_people
            ),
            date=now,
        )
        scorers = min(o["scorers"], len(units) - 1)
        insert_rows(
            Score,
            (
                {
                    "report_id": r,
                    "criterion_id": c.pk,
                    "kind": "peer",
                    "scorer_unit_id": units[(n + k) % len(units)].pk,
                    "points": (
                        c.max_points * self.random.randint(60, 100) / 100
                    ).quantize(Decimal("0.01")),
                    "scored_by_id": self.officer[units[(n + k) % len(units)].pk].pk,
                }
                for n, r in enumerate(reports)
                for c in by_people
                if c.kind == CriterionKind.ASSESSED
                for k in range(1, scorers + 1)
            ),
            date=now,
        )
        return term
