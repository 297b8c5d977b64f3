"""Measure the Excel import of results on generated data: a full term
(12 members × 40 indicators, 60 criteria) read from a workbook and applied, and
100,000 result rows (250 members × 400 indicators) through the bulk path.

It writes its data for real, so that commits are part of the timings: run it
against a throwaway database, with DEBUG off (its SQL logging slows every
query), e.g.

    export DATABASE_URL=sqlite:////tmp/bench.sqlite3 DJANGO_DEBUG=0
    python manage.py migrate && python manage.py bench_import
"""

import datetime
import io
import random
import time
from decimal import Decimal
from io import BytesIO

import openpyxl
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from clusters import services as cluster_services
from clusters.models import (
    Authority,
    Membership,
    Role,
    Term,
    TermState,
    Unit,
    UnitKind,
    User,
)
from pledges import services
from pledges.models import IndicatorResult, Report, Target
from pledges.results_excel import ACTUAL, SHEET, read_results, results_workbook

from .bench_data import bench_allowed

# (label, members, indicators, criteria, target in seconds)
FULL_TERM = ("full term", 12, 40, 60, 2.0)
BULK = ("bulk", 250, 400, 100, 10.0)
COPY_SHARE_TARGET = 0.5  # the bulk path at ≥ half of plain COPY's speed


def _content(indicators, criteria):
    """A pledge with `indicators` spread over the first criteria of section I
    and the remaining criteria assessed by people in section II."""
    with_indicators = min(indicators, criteria)
    per_criterion = -(-indicators // with_indicators)
    codes = iter(range(1, indicators + 1))
    section_i = []
    for c in range(1, with_indicators + 1):
        batch = [next(codes, None) for _ in range(per_criterion)]
        section_i.append(
            {
                "code": f"I.{c}",
                "title": f"Tiêu chí {c}",
                "kind": "indicator",
                "max_points": "1",
                "indicators": [
                    {
                        "code": f"CT{n}",
                        "title": f"Chỉ tiêu {n}",
                        "unit_of_measure": "tỷ đồng",
                        "position": n,
                    }
                    for n in batch
                    if n is not None
                ],
            }
        )
    section_ii = [
        {
            "code": f"II.{c}",
            "title": f"Tiêu chí {c}",
            "kind": "assessed",
            "max_points": "1",
        }
        for c in range(1, criteria - with_indicators + 1)
    ]
    sections = [
        {"code": "I", "title": "Chỉ tiêu", "max_points": "1", "criteria": section_i}
    ]
    if section_ii:
        sections.append(
            {
                "code": "II",
                "title": "Đánh giá",
                "max_points": "1",
                "criteria": section_ii,
            }
        )
    return {"sections": sections}


class Command(BaseCommand):
    help = (
        "Time the Excel import of results on generated data. Writes data: "
        "use a throwaway database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument(
            "--skip-bulk", action="store_true", help="only the full-term case"
        )

    def handle(self, *args, **options):
        if not bench_allowed():
            raise CommandError(
                "The benchmark writes generated data and is refused under these "
                "settings (DEMO_ALLOWED is off); set BENCH_ALLOW=1 on a throwaway "
                "database."
            )
        if settings.DEBUG:
            self.stderr.write(
                "DEBUG is on: SQL logging slows the timings (set DJANGO_DEBUG=0)."
            )
        self.random = random.Random(options["seed"])  # noqa: S311  (not a secret)
        run = Authority.objects.filter(name__startswith="Đo hiệu năng").count() + 1
        self.authority = Authority.objects.create(
            name=f"Đo hiệu năng {options['seed']}-{run}",
            short_name="Đo hiệu năng",
            place_name="Thử nghiệm",
        )
        self.actor = User.objects.create(
            username=f"bench-{options['seed']}-{run}",
            authority=self.authority,
            full_name="Đo hiệu năng",
            role=Role.ADMIN,
        )
        lines = self.full_term(*FULL_TERM)
        if not options["skip_bulk"]:
            lines += self.bulk(*BULK)
        vendor = connection.vendor
        self.stdout.write(f"Results import on {vendor}, seed {options['seed']}")
        self.stdout.write(
            f"{'case':<38} {'rows':>8} {'changed':>8} {'seconds':>8} {'target':>7}"
        )
        for case, rows, changed, seconds, target in lines:
            mark = "" if target is None else ("ok" if seconds <= target else "SLOW")
            limit = "" if target is None else f"≤ {target:g}"
            self.stdout.write(
                f"{case:<38} {rows:>8} {changed:>8} {seconds:>8.2f} {limit:>7} {mark}"
            )
        ratio = getattr(self, "copy_ratio", None)
        if ratio is not None:
            verdict = "ok" if ratio >= COPY_SHARE_TARGET else "SLOW"
            self.stdout.write(
                f"apply (new) at {ratio:.0%} of COPY's speed "
                f"(target ≥ {COPY_SHARE_TARGET:.0%}) {verdict}"
            )

    # Data ---------------------------------------------------------------------

    def term(self, label, members, indicators, criteria):
        """A term in the reporting stage with `members` units and a pledge of
        `indicators` indicators; units and memberships are bulk-created."""
        cluster = cluster_services.cluster_create(
            actor=self.actor, authority=self.authority, name=f"Cụm {label}"
        )
        term = cluster_services.term_create(
            cluster=cluster, year=2024, actor=self.actor
        )
        units = Unit.objects.bulk_create(
            Unit(
                authority=self.authority,
                name=f"Đơn vị {label} {n:03}",
                short_name=f"ĐV {n:03}",
                kind=UnitKind.DISTRICT,
                valid_from=datetime.date(2004, 1, 1),
            )
            for n in range(1, members + 1)
        )
        Membership.objects.bulk_create(Membership(term=term, unit=u) for u in units)
        pledge = services.pledge_create(
            term=term, actor=self.actor, content=_content(indicators, criteria)
        )
        Term.objects.filter(pk=term.pk).update(state=TermState.REPORTING)
        term = Term.objects.select_related("pledge").get(pk=term.pk)
        units = list(Unit.objects.filter(memberships__term=term).order_by("name"))
        return term, units, list(pledge.indicators.order_by("position"))

    def value(self):
        return Decimal(self.random.randrange(0, 10**8)) / 100

    # Cases --------------------------------------------------------------------

    def full_term(self, label, members, indicators, criteria, target):
        """Read and apply a whole term's workbook filled in by the chair."""
        term, units, pledge_indicators = self.term(label, members, indicators, criteria)
        Target.objects.bulk_create(
            Target(indicator=i, unit=u, planned=self.value(), last_actual=self.value())
            for i in pledge_indicators
            for u in units
        )
        started = time.perf_counter()
        template = results_workbook(term, units)
        export = time.perf_counter() - started
        workbook = openpyxl.load_workbook(BytesIO(template))
        sheet = workbook[SHEET]
        for row in range(3, sheet.max_row + 1):
            sheet.cell(row, ACTUAL).value = float(self.value())
        out = BytesIO()
        workbook.save(out)
        data = out.getvalue()
        size = len(pledge_indicators) * len(units)
        name = f"{members} × {indicators}"
        lines = [(f"{name}: export workbook", size, 0, export, None)]
        for case in ("read + apply (new)", "read + apply again"):
            started = time.perf_counter()
            result = read_results(term, data, units)
            read = time.perf_counter() - started
            if result.errors:
                raise CommandError(
                    f"The generated workbook has errors: {result.errors}"
                )
            changed = services.results_apply(
                term=term, rows=result.changed_rows, actor=self.actor
            )
            total = time.perf_counter() - started
            lines.append(
                (f"{name}: {case} (read {read:.2f})", size, changed, total, target)
            )
        return lines

    def bulk(self, label, members, indicators, criteria, target):
        """Apply generated rows straight to the service: new, again, changed;
        on PostgreSQL also the same new rows COPied straight into the results
        and history tables of a twin term (the floor: the service
        must reach half of its speed)."""
        term, units, pledge_indicators = self.term(label, members, indicators, criteria)
        name = f"{members} × {indicators}"
        lines = []
        rows = [(i, u, self.value(), "") for u in units for i in pledge_indicators]
        changed_rows = [(i, u, self.value(), "ghi chú") for i, u, _v, _n in rows]
        for case, batch in (
            ("apply (new)", rows),
            ("apply again", rows),
            ("apply (every value changed)", changed_rows),
        ):
            started = time.perf_counter()
            changed = services.results_apply(term=term, rows=batch, actor=self.actor)
            seconds = time.perf_counter() - started
            lines.append((f"{name}: {case}", len(batch), changed, seconds, target))
        if connection.vendor == "postgresql":
            twin, twin_units, twin_indicators = self.term(
                f"{label} COPY", members, indicators, criteria
            )
            seconds = self.copy_floor(twin, twin_units, twin_indicators)
            lines.append(
                (f"{name}: COPY of rows + history", len(rows), len(rows), seconds, None)
            )
            self.copy_ratio = seconds / lines[0][3]
        return lines

    def copy_floor(self, term, units, pledge_indicators):
        """Seconds to write the rows that `results_apply` writes for a new
        import — results and one history row per result — with nothing but
        COPY in one transaction (keys drawn from the sequence; the reports
        exist beforehand)."""
        now = timezone.now()
        reports = [
            Report(term=term, unit=u, updated_by=self.actor, updated_at=now)
            for u in units
        ]
        Report.objects.bulk_create(reports)
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                "FROM generate_series(1, %s)",
                [IndicatorResult._meta.db_table, len(units) * len(pledge_indicators)],
            )
            ids = iter(pk for (pk,) in cursor.fetchall())
            results, history = io.StringIO(), io.StringIO()
            for report in reports:
                for indicator in pledge_indicators:
                    pk, value = next(ids), self.value()
                    results.write(f"{pk}\t{report.pk}\t{indicator.pk}\t{value}\t\n")
                    history.write(
                        f"{pk}\t{report.pk}\t{indicator.pk}\t{value}\t\t"
                        f"{now.isoformat()}\tbench\t+\t{self.actor.pk}\n"
                    )
            results.seek(0)
            history.seek(0)
            cursor.cursor.copy_expert(
                f"COPY {IndicatorResult._meta.db_table} "
                "(id, report_id, indicator_id, actual, note) FROM STDIN",
                results,
            )
            cursor.cursor.copy_expert(
                f"COPY {IndicatorResult.history.model._meta.db_table} "
                "(id, report_id, indicator_id, actual, note, history_date, "
                "history_change_reason, history_type, history_user_id) FROM STDIN",
                history,
            )
        return time.perf_counter() - started
