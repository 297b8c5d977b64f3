"""Turn the benchmark reference data (`manage.py bench_data`) into deadline day.

`bench_data` leaves the current year in scoring with every report submitted.
For the load test the current year's terms go back to reporting with the
report deadline today; each member's report becomes an empty draft (no actuals,
no self-scores, no evidence, no peer scores) whose first assessed criterion
needs an evidence file — so every simulated officer has to save results and
self-scores, upload a file and submit, as on the real deadline day. Rows are
changed in bulk (like `bench_data` creates them: no history rows).

    python loadtest/prepare.py prepare OUT.json   # writes the officers' journeys
    python loadtest/prepare.py verify OUT.json DONE.json
        # checks the database against the journeys the load test completed

Refused unless BENCH_ALLOW=1 (a throwaway database), as `bench_data` is.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.management.commands.bench_data import (  # noqa: E402
    AUTHORITY_NAME,
    BENCH_PASSWORD,
    bench_allowed,
)
from clusters.models import Term, TermState, User  # noqa: E402
from pledges.models import (  # noqa: E402
    Criterion,
    CriterionKind,
    Evidence,
    IndicatorResult,
    Report,
    ReportState,
    Score,
    SelfScore,
)


def current_terms():
    terms = Term.objects.filter(cluster__authority__name=AUTHORITY_NAME)
    year = terms.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        sys.exit("prepare: no benchmark data; run `manage.py bench_data` first.")
    return terms.filter(year=year)


@transaction.atomic
def prepare(out):
    terms = current_terms()
    today = timezone.localdate()
    reports = Report.objects.filter(term__in=terms)
    Score.objects.filter(report__in=reports).delete()
    IndicatorResult.objects.filter(report__in=reports).delete()
    SelfScore.objects.filter(report__in=reports).delete()
    Evidence.objects.filter(report__in=reports).delete()
    reports.update(
        state=ReportState.DRAFT, submitted_at=None, late=False, summary="", version=1
    )
    terms.update(state=TermState.REPORTING, report_deadline=today)
    journeys, by_term = [], {}
    for term in terms.select_related("pledge"):
        pledge = term.pledge
        assessed = list(
            Criterion.objects.filter(pledge=pledge)
            .exclude(kind=CriterionKind.INDICATOR)
            .order_by("section__position", "position")
            .values_list("pk", "kind", "max_points")
        )
        needs_file = next(pk for pk, kind, _max in assessed if kind == "assessed")
        Criterion.objects.filter(pledge=pledge).update(evidence_required=False)
        Criterion.objects.filter(pk=needs_file).update(evidence_required=True)
        by_term[term.pk] = {
            "points": {str(pk): str(points) for pk, _kind, points in assessed},
            "evidence_criterion": needs_file,
        }
    for report in reports.select_related("unit").order_by("term_id", "unit__name"):
        officer = (
            User.objects.filter(unit=report.unit_id, is_active=True)
            .order_by("username")
            .first()
        )
        journeys.append(
            {
                "username": officer.username,
                "password": BENCH_PASSWORD,
                "term": report.term_id,
                "unit": report.unit_id,
                **by_term[report.term_id],
            }
        )
    # Bulk updates send no signals: drop derived values cached before them.
    transaction.on_commit(cache.clear)
    Path(out).write_text(json.dumps(journeys), encoding="utf-8")
    print(
        f"prepare: {terms.count()} terms in reporting (deadline {today:%d/%m/%Y}), "
        f"{len(journeys)} draft reports, one officer each -> {out}"
    )


def verify(out, done):
    """Every journey the load test completed left a submitted report with its
    actuals, self-scores and evidence file; the others are untouched drafts."""
    journeys = {(j["term"], j["unit"]) for j in json.loads(Path(out).read_text())}
    completed = {tuple(pair) for pair in json.loads(Path(done).read_text())}
    submitted = set(
        Report.objects.filter(
            term__in=current_terms(), state=ReportState.SUBMITTED
        ).values_list("term_id", "unit_id")
    )
    problems = []
    if completed - journeys:
        problems.append(f"{len(completed - journeys)} completed journeys unknown")
    if submitted != completed:
        problems.append(
            f"{len(completed - submitted)} completed journeys without a submitted "
            f"report, {len(submitted - completed)} submitted reports not completed"
        )
    reports = Report.objects.filter(
        term__in=current_terms(), state=ReportState.SUBMITTED
    )
    files = Evidence.objects.filter(report__in=reports).count()
    results = IndicatorResult.objects.filter(
        report__in=reports, actual__isnull=False
    ).count()
    if files < len(submitted):
        problems.append(f"{files} evidence files for {len(submitted)} reports")
    for path in Evidence.objects.filter(report__in=reports).values_list(
        "file", flat=True
    )[:20]:
        if not Evidence._meta.get_field("file").storage.exists(path):
            problems.append(f"evidence file {path} is missing from the storage")
    print(
        f"verify: {len(completed)} journeys completed, {len(submitted)} reports "
        f"submitted, {results} actual values, {files} evidence files stored"
    )
    if problems:
        sys.exit("verify FAILED: " + "; ".join(problems))


if __name__ == "__main__":
    if not bench_allowed():
        sys.exit("prepare: refused; set BENCH_ALLOW=1 on a throwaway database.")
    if len(sys.argv) == 3 and sys.argv[1] == "prepare":
        prepare(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "verify":
        verify(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
