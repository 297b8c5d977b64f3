"""Measure the key pages (QUALITY.md Q3.1–Q3.3) on the data of `bench_data`.

For each page: the query count of a whole request (in-process test client);
the floor, i.e. the page's own work — the view called directly (SQL time, row
materialisation, Python and template render, without middleware or HTTP), the
median of N runs; then gunicorn with these (production) settings on 127.0.0.1,
driven by concurrent clients each logged in with its own session: p50 and p95
of the latency seen by the client, and errors (anything but 200). The ratio is
server p50 / floor. Prints a table and writes it to bench-results/.

Run it with `make bench` (scripts/bench.sh): a throwaway PostgreSQL, production
settings, DJANGO_SECURE_SSL_REDIRECT=0 and BENCH_ALLOW=1.
"""

import http.client
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import django
from django.conf import settings
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.template.backends.django import Template as DjangoTemplate
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone, translation

from clusters.models import Authority, Membership, Term, User
from pledges.models import IndicatorResult, RankingSnapshot, Score

from .bench_data import AUTHORITY_NAME, BENCH_PASSWORD, bench_allowed

HOST = "127.0.0.1"
RATIO_TARGET = 2.0
RANKING_P95_TARGET = 100.0  # ms, Q3.3


def _free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class RenderTimer:
    """Adds up the time spent rendering Django templates while installed."""

    def __init__(self):
        self.seconds = 0.0
        self.depth = 0

    def __enter__(self):
        self.original = DjangoTemplate.render
        timer = self

        def render(template, *args, **kwargs):
            timer.depth += 1
            started = time.perf_counter()
            try:
                return timer.original(template, *args, **kwargs)
            finally:
                timer.depth -= 1
                if timer.depth == 0:
                    timer.seconds += time.perf_counter() - started

        DjangoTemplate.render = render
        return self

    def __exit__(self, *exc):
        DjangoTemplate.render = self.original


class Session:
    """One client's cookies over plain HTTP to 127.0.0.1 (the cookies are marked
    Secure by the production settings, so they are kept and sent by hand)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None):
        """(status, body, server ms from the Server-Timing header or None)."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = {"Host": HOST, "Accept-Language": "vi"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            timing = re.search(
                r"app;dur=([0-9.]+)", response.getheader("Server-Timing", "")
            )
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, data, float(timing.group(1)) if timing else None
        finally:
            conn.close()

    def login(self, username):
        status, html, _ = self.request("GET", reverse("login"))
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or not match:
            raise CommandError(f"Login page: status {status}, no CSRF token.")
        form = {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "username": username,
            "password": BENCH_PASSWORD,
        }
        status, _, _ = self.request("POST", reverse("login"), urlencode(form))
        if status != 302 or "sessionid" not in self.cookies:
            raise CommandError(f"Login of {username} failed (status {status}).")


class Command(BaseCommand):
    help = "Measure the key pages under gunicorn + concurrent clients (Q3)."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=8)
        parser.add_argument(
            "--requests", type=int, default=25, help="per client and page"
        )
        parser.add_argument("--floor-runs", type=int, default=15)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--output", default="bench-results")

    def handle(self, *args, **o):
        if not bench_allowed():
            raise CommandError(
                "The benchmark is refused under these settings (DEMO_ALLOWED is "
                "off); set BENCH_ALLOW=1 on a throwaway database."
            )
        if settings.DEBUG:
            raise CommandError("Run the benchmark with DEBUG off.")
        if HOST not in settings.ALLOWED_HOSTS:
            raise CommandError(f"DJANGO_ALLOWED_HOSTS must include {HOST}.")
        if getattr(settings, "SECURE_SSL_REDIRECT", False):
            raise CommandError("Set DJANGO_SECURE_SSL_REDIRECT=0 (plain HTTP).")
        authority = Authority.objects.filter(name=AUTHORITY_NAME).first()
        if authority is None:
            raise CommandError("No benchmark data: run `manage.py bench_data` first.")
        translation.activate("vi")
        pages = self.pages(authority)
        self.stdout.write(f"Data: {self.data_facts(authority)}")
        results = []
        for page in pages:
            queries = self.query_count(page)
            floor, sql, render = self.floor(page, o["floor_runs"])
            results.append({**page, "queries": queries, "floor": floor, "sql": sql})
            results[-1]["render"] = render
            self.stdout.write(
                f"  floor {page['name']}: {queries} queries, {floor:.1f} ms "
                f"(SQL {sql:.1f}, render {render:.1f})"
            )
        connection.close()
        self.sessions = {}
        with self.gunicorn(o["workers"]) as port:
            for result in results:
                self.load(port, result, o["clients"], o["requests"])
                self.stdout.write(
                    f"  server {result['name']}: p50 {result['p50']:.1f} ms, "
                    f"p95 {result['p95']:.1f} ms, errors {result['errors']}"
                )
        report = self.report(authority, results, o)
        self.stdout.write("")
        self.stdout.write(report)
        folder = Path(settings.BASE_DIR) / o["output"]
        folder.mkdir(exist_ok=True)
        path = folder / f"bench-{timezone.localdate():%Y-%m-%d}.md"
        path.write_text(report, encoding="utf-8")
        self.stdout.write(f"Written to {path}")

    # Pages --------------------------------------------------------------------

    def pages(self, authority):
        current = (
            Term.objects.filter(cluster__authority=authority)
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )
        term = (
            Term.objects.filter(cluster__authority=authority, year=current)
            .annotate(n=Count("memberships"))
            .order_by("-n", "cluster__name")
            .first()
        )
        member = (
            Membership.objects.filter(term=term)
            .select_related("unit")
            .order_by("unit__name")
            .last()
        )
        officer = User.objects.filter(unit=member.unit).order_by("username").first()
        staff = User.objects.get(username="bench-staff")
        published = (
            RankingSnapshot.objects.filter(term__cluster__authority=authority)
            .order_by("-term__year", "term__cluster__name")
            .values_list("term_id", flat=True)
            .first()
        )
        self.largest = term
        pages = [
            ("term ranking", reverse("term_ranking", args=[term.pk]), staff),
            (
                "rank page",
                reverse("rank_detail", args=[term.pk, member.unit_id]),
                staff,
            ),
            ("province dashboard", reverse("province_dashboard"), staff),
            (
                "report form",
                reverse("report_edit", args=[term.pk, member.unit_id]),
                officer,
            ),
        ]
        pages.append(("award registry", reverse("award_registry"), staff))
        if published:
            pages.append(
                ("public ranking", reverse("public_ranking", args=[published]), None)
            )
        return [{"name": n, "path": p, "user": u} for n, p, u in pages]

    def data_facts(self, authority):
        years = dict(
            Term.objects.filter(cluster__authority=authority)
            .values_list("year")
            .annotate(n=Count("id"))
            .order_by("year")
        )
        clusters = authority.clusters.count()
        members = Membership.objects.filter(term=self.largest).count()
        criteria = self.largest.pledge.criteria.count()
        indicators = self.largest.pledge.indicators.count()
        peer = Score.objects.filter(report__term__cluster__authority=authority).count()
        results = IndicatorResult.objects.filter(
            report__term__cluster__authority=authority
        ).count()
        by_year = ", ".join(f"{y}: {n} terms" for y, n in years.items())
        return (
            f"1 authority, {clusters} clusters × {members} members, pledge of "
            f"{criteria} criteria and {indicators} indicators; {by_year}; "
            f"{results} indicator results, {peer} peer scores"
        )

    # Floor --------------------------------------------------------------------

    def query_count(self, page):
        client = Client(SERVER_NAME=HOST, HTTP_ACCEPT_LANGUAGE="vi")
        if page["user"] is not None:
            client.force_login(page["user"])
        client.get(page["path"])  # warm caches (e.g. the session)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page["path"])
        if response.status_code != 200:
            raise CommandError(f"{page['path']}: status {response.status_code}")
        return len(captured)

    def floor(self, page, runs):
        """Median of the view called directly: (total, SQL, render) in ms."""
        match = resolve(page["path"])
        factory = RequestFactory(SERVER_NAME=HOST)
        user = page["user"]
        if user is None:
            from django.contrib.auth.models import AnonymousUser

            user = AnonymousUser()
        totals, sqls, renders = [], [], []
        for run in range(runs + 3):
            request = factory.get(page["path"])
            request.user = user
            request.session = {}
            request._messages = FallbackStorage(request)
            request.LANGUAGE_CODE = "vi"
            with CaptureQueriesContext(connection) as captured, RenderTimer() as rt:
                started = time.perf_counter()
                response = match.func(request, *match.args, **match.kwargs)
                total = time.perf_counter() - started
            if response.status_code != 200:
                raise CommandError(f"{page['path']}: status {response.status_code}")
            if run >= 3:  # the first runs warm the caches
                totals.append(total * 1000)
                sqls.append(sum(float(q["time"]) for q in captured) * 1000)
                renders.append(rt.seconds * 1000)
        return (
            statistics.median(totals),
            statistics.median(sqls),
            statistics.median(renders),
        )

    # Server -------------------------------------------------------------------

    def gunicorn(self, workers):
        command = self

        class Server:
            def __enter__(self):
                binary = shutil.which("gunicorn") or str(
                    Path(sys.executable).with_name("gunicorn")
                )
                self.port = _free_port()
                self.process = subprocess.Popen(  # noqa: S603  (fixed arguments)
                    [
                        binary,
                        "config.wsgi",
                        "--workers",
                        str(workers),
                        "--bind",
                        f"{HOST}:{self.port}",
                        "--log-level",
                        "warning",
                    ],
                    cwd=settings.BASE_DIR,
                    env=os.environ.copy(),
                    start_new_session=True,
                )
                deadline = time.monotonic() + 30
                while True:
                    try:
                        status, _, _ = Session(self.port).request(
                            "GET", reverse("login")
                        )
                        if status == 200:
                            break
                    except OSError:
                        pass
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        self.__exit__()
                        raise CommandError("gunicorn did not start.")
                    time.sleep(0.2)
                command.stdout.write(
                    f"gunicorn: {workers} workers on {HOST}:{self.port}"
                )
                return self.port

            def __exit__(self, *exc):
                if self.process.poll() is None:
                    os.killpg(self.process.pid, signal.SIGTERM)
                    try:
                        self.process.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        os.killpg(self.process.pid, signal.SIGKILL)
                        self.process.wait()

        return Server()

    def load(self, port, result, clients, requests):
        """`clients` threads, each with its own session, request the page
        `requests` times (after 2 unrecorded warm-up requests)."""
        user = result["user"]
        key = user.username if user is not None else None
        sessions = self.sessions.setdefault(key, [])
        while len(sessions) < clients:
            session = Session(port)
            if user is not None:
                session.login(user.username)
            sessions.append(session)
        alone = []
        for _ in range(10):
            began = time.perf_counter()
            sessions[0].request("GET", result["path"])
            alone.append((time.perf_counter() - began) * 1000)
        result["alone"] = statistics.median(alone)
        latencies, server, errors = [], [], []
        lock = threading.Lock()
        start = threading.Barrier(clients)

        def client(session):
            for _ in range(2):
                session.request("GET", result["path"])
            start.wait()
            mine, mine_server, bad = [], [], 0
            for _ in range(requests):
                began = time.perf_counter()
                try:
                    status, _, server_ms = session.request("GET", result["path"])
                except OSError:
                    status, server_ms = None, None
                mine.append((time.perf_counter() - began) * 1000)
                if server_ms is not None:
                    mine_server.append(server_ms)
                bad += status != 200
            with lock:
                latencies.extend(mine)
                server.extend(mine_server)
                errors.append(bad)

        threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        result["seconds"] = time.perf_counter() - began
        result["client_p50"] = statistics.median(latencies)
        result["client_p95"] = _percentile(latencies, 95)
        if not server:
            raise CommandError("The server sent no Server-Timing header.")
        result["p50"] = statistics.median(server)
        result["p95"] = _percentile(server, 95)
        result["errors"] = sum(errors)
        result["count"] = len(latencies)

    # Report -------------------------------------------------------------------

    def report(self, authority, results, o):
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            database = cursor.fetchone()[0].split(" on ")[0]
        lines = [
            f"# Benchmark {timezone.now():%Y-%m-%d %H:%M %Z}",
            "",
            f"- Machine: {platform.node()}, {os.cpu_count()} CPUs, "
            f"{platform.platform()}, Python {platform.python_version()}, "
            f"Django {django.get_version()}",
            f"- Server: gunicorn {o['workers']} sync workers on {HOST}, settings "
            f"{os.environ.get('DJANGO_SETTINGS_MODULE')}, {database} on loopback "
            "(load generator in the same machine)",
            f"- Load: {o['clients']} concurrent clients × {o['requests']} requests "
            "per page, each client logged in with its own session",
            f"- Data: {self.data_facts(authority)}",
            f"- Largest current term: {self.largest} (id {self.largest.pk})",
            "- Floor: the view called in-process without middleware (SQL + row "
            f"materialisation + Python + template render), median of "
            f"{o['floor_runs']} runs; queries: a whole request via the test client",
            "- Server p50/p95: the application's own time per request under the "
            "load (its Server-Timing header: every middleware, the view and the "
            "template); client p50/p95 add the wait in gunicorn's queue and the "
            "network, with 8 clients on 2 workers",
            "- Targets: ratio = server p50 / floor ≤ 2 (Q3.2); term ranking server "
            "p95 ≤ 100 ms (Q3.3); zero errors; 1-client p50: the same page "
            "requested alone (no queueing)",
            "",
            "| page | queries | floor ms | SQL ms | render ms | server p50 ms "
            "| server p95 ms | ratio | client p50 ms | client p95 ms "
            "| 1-client p50 ms | requests | errors | verdict |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in results:
            ratio = r["p50"] / r["floor"]
            missed = []
            if ratio > RATIO_TARGET:
                missed.append("ratio")
            if r["name"] == "term ranking" and r["p95"] > RANKING_P95_TARGET:
                missed.append("p95")
            if r["errors"]:
                missed.append("errors")
            verdict = "ok" if not missed else "MISSED: " + ", ".join(missed)
            lines.append(
                f"| {r['name']} `{r['path']}` | {r['queries']} | {r['floor']:.1f} "
                f"| {r['sql']:.1f} | {r['render']:.1f} | {r['p50']:.1f} "
                f"| {r['p95']:.1f} | {ratio:.2f} | {r['client_p50']:.1f} "
                f"| {r['client_p95']:.1f} | {r['alone']:.1f} | {r['count']} "
                f"| {r['errors']} "
                f"| {verdict} |"
            )
        return "\n".join(lines) + "\n"
