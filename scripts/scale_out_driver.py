"""Driver of scripts/scale-out.sh: two app servers (SCALE_SERVERS: two ports on
127.0.0.1) sharing one PostgreSQL and one Redis (REDIS_URL), on the tiny data
of `bench_data`. Server B renders a term's ranking (which stores it in Redis)
and serves it again from Redis; an officer then saves a result through server
A; the next ranking from server B shows the unit's new total at once, and both
servers then show the same ranking. Exits non-zero on the first deviation."""

import os
import re
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402

from bench.management.commands.bench import Session  # noqa: E402
from bench.management.commands.bench_data import AUTHORITY_NAME  # noqa: E402
from clusters.models import Term, TermState, User  # noqa: E402
from clusters.versions import bump_terms  # noqa: E402
from core.formatting import format_number  # noqa: E402
from pledges.models import IndicatorResult, Report, ReportState  # noqa: E402
from pledges.selectors import term_standings  # noqa: E402

PORT_A, PORT_B = (int(p) for p in os.environ["SCALE_SERVERS"].split(","))
FORM = re.compile(r"<form\b.*?</form>", re.S)
INPUT = re.compile(r"<input\b[^>]*>")
ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')


def fail(message):
    print(f"scale-out: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def row_of(html, unit_name):
    for row in re.findall(r"<tr>.*?</tr>", html, re.S):
        if unit_name in row:
            return row
    fail(f"no row of {unit_name} in the ranking")


def indicator_form(html):
    """{name: value} of the report page's indicators form."""
    for form in FORM.findall(html):
        if 'name="section" value="indicators"' in form:
            fields = {}
            for tag in INPUT.findall(form):
                attributes = dict(ATTRIBUTE.findall(tag))
                if "name" in attributes:
                    fields[attributes["name"]] = attributes.get("value", "")
            return fields
    fail("the report page has no indicators form")


def main():
    if "Redis" not in settings.CACHES["default"]["BACKEND"]:
        fail("REDIS_URL is not set: the servers would not share Redis")
    store = redis.Redis.from_url(settings.REDIS_URL)
    term = (
        Term.objects.filter(cluster__authority__name=AUTHORITY_NAME)
        .order_by("-year", "cluster__name")
        .first()
    )
    # The term back in reporting, its reports open (a committed write).
    Term.objects.filter(pk=term.pk).update(state=TermState.REPORTING)
    Report.objects.filter(term=term).update(state=ReportState.DRAFT)
    bump_terms([term.pk])
    result = (
        IndicatorResult.objects.filter(report__term=term)
        .select_related("report__unit", "indicator")
        .order_by("report__unit__name", "indicator__position")
        .first()
    )
    unit = result.report.unit
    officer = User.objects.filter(unit=unit).order_by("username").first()
    ranking = reverse("term_ranking", args=[term.pk])
    report_page = reverse("report_edit", args=[term.pk, unit.pk])

    a, b = Session(PORT_A), Session(PORT_B)
    a.login(officer.username)
    b.login("bench-staff")
    status, before, _ = b.request("GET", ranking)
    if status != 200:
        fail(f"server B: ranking status {status}")
    if store.dbsize() == 0:
        fail("server B rendered the ranking but Redis holds nothing")
    keys = store.dbsize()
    _status, again, _ = b.request("GET", ranking)
    if row_of(again.decode(), unit.name) != row_of(before.decode(), unit.name):
        fail("server B: the same ranking twice differs")

    with translation.override("vi"):
        standing = next(s for s in term_standings(term) if s.unit.pk == unit.pk)
        old_total = format_number(standing.total, 2)
    if f">{old_total}<" not in row_of(before.decode(), unit.name):
        fail(f"server B does not show {unit.name}'s total {old_total}")
    status, html, _ = a.request("GET", report_page)
    if status != 200:
        fail(f"server A: report page status {status}")
    fields = indicator_form(html.decode())
    # Nothing achieved: the indicator's points fall (a higher value may stay
    # at the indicator's cap).
    new_value = Decimal(0)
    fields[f"actual_{result.indicator.pk}"] = "0"
    body = "&".join(f"{k}={v}" for k, v in ((k, _quote(v)) for k, v in fields.items()))
    status, _html, _ = a.request("POST", report_page, body)
    if status not in (200, 302):
        fail(f"server A: saving the report answered {status}")
    result.refresh_from_db()
    if result.actual != new_value:
        fail(f"server A did not save the result ({result.actual} ≠ {new_value})")

    _status, after, _ = b.request("GET", ranking)
    row = row_of(after.decode(), unit.name)
    with translation.override("vi"):
        expected = next(s for s in term_standings(term) if s.unit.pk == unit.pk)
        total = format_number(expected.total, 2)
    if f">{old_total}<" in row and old_total == total:
        fail("the save did not change the unit's total: choose another value")
    if f">{total}<" not in row:
        fail(f"server B does not show {unit.name}'s new total {total}: {row}")
    a_staff = Session(PORT_A)
    a_staff.login("bench-staff")
    _status, on_a, _ = a_staff.request("GET", ranking)
    if row_of(on_a.decode(), unit.name) != row:
        fail("servers A and B show different rankings")
    print(
        f"scale-out: B showed {unit.name}'s new total {total} right after the "
        f"save through A; Redis held {keys} key(s) after B's first render"
    )


def _quote(value):
    from urllib.parse import quote_plus

    return quote_plus(value)


if __name__ == "__main__":
    main()
