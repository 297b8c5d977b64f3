"""Measure the key pages on the data of `bench_data`.

For each page: the query count of a whole request (in-process test client);
the SQL floor — the SQL the page runs in-process right after a committed write
in its term, i.e. the uncached SQL its numbers need — and the in-process view
time warm and cold; then under gunicorn as deployed (deploy/gunicorn.conf.py,
its worker count) on 127.0.0.1, by clients each logged in with its own
session: warm (one client, nothing written), loaded (concurrent clients,
nothing written), cold (one client, right after a write in the page's term),
and concurrent clients with a writer saving every 500 ms in another cluster's
term and in the page's own term. Server times come from the
Server-Timing header. Prints a table of p50/p95 and their ratios to the goals
of the benchmark, and the workers' resident memory, and writes it to bench-results/.

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
from pledges.standings import compute_standings

from .bench_data import AUTHORITY_NAME, BENCH_PASSWORD, bench_allowed

HOST = "127.0.0.1"
MISSING_PAGE = "/khong-co-trang-nay/"
# Goals (ratios of server times to the SQL floor or to warm).
WARM_TARGET = 1.5
COLD_TARGET = 2.0
ELSEWHERE_TARGET = 1.2
SAME_TERM_TARGET = 2.0


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


class SqlTimer:
    """Adds up the wall time of the SQL statements run on the default connection
    while installed, to the microsecond (Django's query log rounds each
    statement to the millisecond, which on a fast machine turns a page's dozen
    sub-millisecond queries into 0 to 2 ms). The statements of the database
    cache (the fallback without Redis) are not counted: they are the cache's
    work, not SQL that a page's numbers need."""

    def __init__(self):
        self.seconds = 0.0
        self.cache_table = f'"{settings.CACHES["default"].get("LOCATION")}"'

    def __call__(self, execute, sql, params, many, context):
        if self.cache_table in sql:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started

    def __enter__(self):
        self.wrapper = connection.execute_wrapper(self)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self.wrapper.__exit__(*exc)


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


def write(term):
    """A committed write in `term` that changes nothing but its data version:
    one of its results saved again, as an officer's save would be."""
    result = IndicatorResult.objects.filter(report__term=term).order_by("pk").first()
    if result is not None:
        result.save(update_fields=["actual"])
    else:
        from clusters.versions import bump_terms

        bump_terms([term.pk])


class Writer:
    """While in use, a thread saving in `term` every `every` seconds."""

    def __init__(self, term, every):
        self.term, self.every, self.saves = term, every, 0
        self.stop = threading.Event()

    def run(self):
        try:
            while not self.stop.wait(self.every):
                write(self.term)
                self.saves += 1
        finally:
            connection.close()

    def __enter__(self):
        self.thread = threading.Thread(target=self.run)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


class Command(BaseCommand):
    help = "Measure the key pages: SQL floor, warm, cold and under a writer."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=8)
        parser.add_argument(
            "--requests", type=int, default=25, help="per client and page"
        )
        parser.add_argument("--floor-runs", type=int, default=15)
        parser.add_argument(
            "--cold-runs", type=int, default=15, help="writes then reads, per page"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="gunicorn workers (default: the deployment's, "
            "deploy/gunicorn.conf.py)",
        )
        parser.add_argument(
            "--write-every", type=float, default=0.5, help="seconds between saves"
        )
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
        self.load_before = os.getloadavg()
        pages = self.pages(authority)
        self.stdout.write(f"Data: {self.data_facts(authority)}")
        results = []
        for page in pages:
            queries = self.query_count(page)
            floor, sql, render = self.floor(page, o["floor_runs"])
            sql_floor, cold_inprocess, cold_cpu = self.sql_floor(page, o["floor_runs"])
            results.append(
                {
                    **page,
                    "queries": queries,
                    "floor": floor,
                    "sql": sql,
                    "render": render,
                    "sql_floor": sql_floor,
                    "cold_inprocess": cold_inprocess,
                    "cold_cpu": cold_cpu,
                }
            )
            self.stdout.write(
                f"  floor {page['name']}: {queries} queries, SQL floor "
                f"{sql_floor:.2f} ms; in-process warm {floor:.1f} ms (SQL {sql:.2f}, "
                f"render {render:.1f}), cold {cold_inprocess:.1f} ms "
                f"(CPU {cold_cpu:.1f} ms)"
            )
        self.computations = [
            (term, *self.standings_floor(term, o["floor_runs"]))
            for term in self.standings_terms(authority)
        ]
        for _term, members, sql, total, cpu in self.computations:
            self.stdout.write(
                f"  standings of {members} members: SQL {sql:.2f} ms, "
                f"computation {total:.2f} ms (CPU {cpu:.2f} ms)"
            )
        connection.close()
        self.sessions = {}
        with self.gunicorn(o["workers"]) as server:
            port = server.port
            for r in results:
                self.load(port, r, o["clients"], o["requests"])
                r["loaded"] = (r["p50"], r["p95"], r["errors"])
                r["warm"] = self.one_client(port, r, o["requests"])
                self.cold(port, r, o["cold_runs"])
                for mode, term in (("elsewhere", self.elsewhere), ("same", r["term"])):
                    with Writer(term, o["write_every"]) as writer:
                        self.load(port, r, o["clients"], o["requests"])
                    r[mode] = (r["p50"], r["p95"], r["errors"], writer.saves)
                self.stdout.write(
                    f"  server {r['name']}: warm p50/p95 {r['warm'][0]:.1f}/"
                    f"{r['warm'][1]:.1f} ms, {o['clients']} clients "
                    f"{r['loaded'][0]:.1f}/{r['loaded'][1]:.1f}, "
                    f"cold {r['cold'][0]:.1f}/"
                    f"{r['cold'][1]:.1f}, writer elsewhere {r['elsewhere'][0]:.1f}/"
                    f"{r['elsewhere'][1]:.1f}, writer in the term {r['same'][0]:.1f}/"
                    f"{r['same'][1]:.1f}"
                )
            self.fixed = self.fixed_costs(port, results, o["requests"])
            self.workers = server.workers
            self.rss = server.worker_rss()
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
        # The writer "elsewhere": the current term of another cluster.
        self.elsewhere = (
            Term.objects.filter(cluster__authority=authority, year=current)
            .exclude(pk=term.pk)
            .order_by("cluster__name")
            .first()
        ) or term
        pages = [
            ("term ranking", reverse("term_ranking", args=[term.pk]), staff, term),
            (
                "rank page",
                reverse("rank_detail", args=[term.pk, member.unit_id]),
                staff,
                term,
            ),
            ("province dashboard", reverse("province_dashboard"), staff, term),
            (
                "report form",
                reverse("report_edit", args=[term.pk, member.unit_id]),
                officer,
                term,
            ),
        ]
        pages.append(("award registry", reverse("award_registry"), staff, term))
        if published:
            pages.append(
                (
                    "public ranking",
                    reverse("public_ranking", args=[published]),
                    None,
                    Term.objects.get(pk=published),
                )
            )
        return [{"name": n, "path": p, "user": u, "term": t} for n, p, u, t in pages]

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
        everywhere = Term.objects.filter(
            cluster__authority__name__startswith=(AUTHORITY_NAME)
        )
        return (
            f"measured authority: {clusters} clusters (largest current term "
            f"{members} members), pledge of {criteria} criteria and {indicators} "
            f"indicators; {by_year}; {results} indicator results, {peer} peer "
            f"scores. In the database: "
            f"{Authority.objects.filter(name__startswith=AUTHORITY_NAME).count()} "
            f"authorities, {everywhere.count()} terms, "
            f"{Membership.objects.filter(term__in=everywhere).count()} memberships"
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
            with SqlTimer() as sql, RenderTimer() as rt:
                started = time.perf_counter()
                response = match.func(request, *match.args, **match.kwargs)
                total = time.perf_counter() - started
            if response.status_code != 200:
                raise CommandError(f"{page['path']}: status {response.status_code}")
            if run >= 3:  # the first runs warm the caches
                totals.append(total * 1000)
                sqls.append(sql.seconds * 1000)
                renders.append(rt.seconds * 1000)
        return (
            statistics.median(totals),
            statistics.median(sqls),
            statistics.median(renders),
        )

    def sql_floor(self, page, runs):
        """Medians of (SQL time, whole view time, the view's CPU time) in ms of
        the page rendered in-process right after a committed write in its
        term: the uncached SQL its numbers need, what computing them costs,
        and how much of that is this process's own work (which, unlike the
        wall time, does not grow when other processes load the machine). Each
        run measures the floor and the page together (interleaved)."""
        match = resolve(page["path"])

        def view(request):
            response = match.func(request, *match.args, **match.kwargs)
            if response.status_code != 200:
                raise CommandError(f"{page['path']}: status {response.status_code}")

        return self.after_writes(
            page["term"], runs, view, prepare=lambda: self.request(page)
        )

    def after_writes(self, term, runs, call, prepare=lambda: None):
        """Medians of (SQL ms, wall ms, CPU ms) of `call(prepare())`, each of
        `runs` times right after a committed write in `term` (`prepare` runs
        before the clock starts)."""
        sqls, totals, cpus = [], [], []
        for _run in range(runs):
            write(term)
            argument = prepare()
            with SqlTimer() as sql:
                started, cpu = time.perf_counter(), time.process_time()
                call(argument)
                cpus.append((time.process_time() - cpu) * 1000)
                totals.append((time.perf_counter() - started) * 1000)
            sqls.append(sql.seconds * 1000)
        return (
            statistics.median(sqls),
            statistics.median(totals),
            statistics.median(cpus),
        )

    def standings_terms(self, authority):
        """The terms whose standings computation is measured on its own: the
        largest current term and the largest current term of at most 12
        members (a cluster's usual size)."""
        usual = (
            Term.objects.filter(cluster__authority=authority, year=self.largest.year)
            .exclude(pk=self.largest.pk)
            .annotate(n=Count("memberships"))
            .filter(n__lte=12)
            .order_by("-n", "cluster__name")
            .first()
        )
        return [self.largest] + ([usual] if usual else [])

    def standings_floor(self, term, runs):
        """(members, SQL ms, wall ms, CPU ms): medians of `compute_standings`
        of `term` alone, right after a committed write in it — the issue's
        "lean standings" goal compares its time with its own SQL."""
        members = Membership.objects.filter(term=term).count()
        term = Term.objects.get(pk=term.pk)
        return (
            members,
            *self.after_writes(term, runs, lambda _: compute_standings(term)),
        )

    def request(self, page):
        from django.contrib.auth.models import AnonymousUser

        request = RequestFactory(SERVER_NAME=HOST).get(page["path"])
        request.user = page["user"] or AnonymousUser()
        request.session = {}
        request._messages = FallbackStorage(request)
        request.LANGUAGE_CODE = "vi"
        return request

    def one_client(self, port, result, runs, expected=200):
        """(p50, p95) server time of the page requested `runs` times in a row by
        one client, nothing written: the warm page alone, as the SQL floor is
        measured (with more clients than cores, the server time also counts
        the wait for a core)."""
        session = self.sessions[result["user"].username if result["user"] else None][0]
        times = []
        for _run in range(runs):
            status, _body, server_ms = session.request("GET", result["path"])
            if status != expected or server_ms is None:
                raise CommandError(f"{result['path']}: status {status} when warm")
            times.append(server_ms)
        return statistics.median(times), _percentile(times, 95)

    def fixed_costs(self, port, results, runs):
        """{signed in: (p50, p95)} warm server time of a page with no data (a
        page not found, for a signed-in page's user and for a visitor, with the
        sessions the pages' loads logged in): what every page costs before its
        own work — middleware, session and user, the base template."""
        users = {r["user"] is not None: r["user"] for r in results}
        return {
            signed_in: self.one_client(
                port, {"user": user, "path": MISSING_PAGE}, runs, expected=404
            )
            for signed_in, user in users.items()
        }

    def cold(self, port, result, runs):
        """Server time of the page requested right after a committed write in
        its term, `runs` times (one client, so nothing else warms it)."""
        session = self.sessions[result["user"].username if result["user"] else None][0]
        times = []
        for _run in range(runs):
            write(result["term"])
            status, _body, server_ms = session.request("GET", result["path"])
            if status != 200 or server_ms is None:
                raise CommandError(f"{result['path']}: status {status} when cold")
            times.append(server_ms)
        connection.close()
        result["cold"] = (statistics.median(times), _percentile(times, 95))

    # Server -------------------------------------------------------------------

    def gunicorn(self, workers):
        """gunicorn as deployed (deploy/gunicorn.conf.py: its worker count
        unless `workers` is given) on a free loopback port."""
        command = self

        class Server:
            def __enter__(self):
                binary = shutil.which("gunicorn") or str(
                    Path(sys.executable).with_name("gunicorn")
                )
                self.port = _free_port()
                env = {
                    **os.environ,
                    "GUNICORN_BIND": f"{HOST}:{self.port}",
                    "GUNICORN_ACCESS_LOG": os.devnull,
                    "GUNICORN_LOG_LEVEL": "warning",
                }
                if workers:
                    env["GUNICORN_WORKERS"] = str(workers)
                self.process = subprocess.Popen(  # noqa: S603  (fixed arguments)
                    [binary, "config.wsgi", "--config", "deploy/gunicorn.conf.py"],
                    cwd=settings.BASE_DIR,
                    env=env,
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
                self.workers = len(self.worker_pids())
                command.stdout.write(
                    f"gunicorn: {self.workers} workers on {HOST}:{self.port}"
                )
                return self

            def worker_pids(self):
                pids = []
                for entry in Path("/proc").iterdir():
                    if entry.name.isdigit():
                        try:
                            stat = (entry / "stat").read_text()
                        except OSError:
                            continue
                        if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                            pids.append(int(entry.name))
                return pids

            def worker_rss(self):
                """Resident memory of each worker in MB."""
                sizes = []
                for pid in self.worker_pids():
                    try:
                        status = Path(f"/proc/{pid}/status").read_text()
                    except OSError:
                        continue
                    match = re.search(r"VmRSS:\s+(\d+) kB", status)
                    if match:
                        sizes.append(int(match.group(1)) / 1024)
                return sorted(sizes)

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
            if connection.vendor == "sqlite":  # the harness test's database
                cursor.execute("SELECT 'SQLite ' || sqlite_version()")
            else:
                cursor.execute("SELECT version()")
            database = cursor.fetchone()[0].split(" on ")[0]
        cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[1]
        rss = ", ".join(f"{mb:.0f}" for mb in self.rss) or "?"
        lines = [
            f"# Benchmark {timezone.now():%Y-%m-%d %H:%M %Z}",
            "",
            f"- Machine: {platform.node()}, {os.cpu_count()} CPUs, "
            f"{platform.platform()}, Python {platform.python_version()}, "
            f"Django {django.get_version()}; load average (1/5/15 min) before "
            f"the run {'/'.join(f'{n:.1f}' for n in self.load_before)}, after "
            f"{'/'.join(f'{n:.1f}' for n in os.getloadavg())}",
            f"- Server: gunicorn {self.workers} sync workers "
            f"(deploy/gunicorn.conf.py) on {HOST}, settings "
            f"{os.environ.get('DJANGO_SETTINGS_MODULE')}, cache {cache}, {database} "
            "on loopback (load generator on the same machine)",
            f"- Worker RSS after the run: {rss} MB",
            f"- Load: {o['clients']} concurrent clients × {o['requests']} requests "
            "per page and mode, each client logged in with its own session",
            f"- Data: {self.data_facts(authority)}",
            f"- Largest current term: {self.largest} (id {self.largest.pk}); "
            f"the writer elsewhere saves in {self.elsewhere} (id {self.elsewhere.pk})",
            "- SQL floor: the SQL the page runs in-process right after a committed "
            f"write in its term (caches stale), median of {o['floor_runs']} runs, "
            "each statement timed to the microsecond. Server times come from "
            "Server-Timing (every middleware, view and template). Warm: one "
            f"client, nothing written, {o['requests']} requests. Loaded: "
            f"{o['clients']} clients at once, nothing written. Cold: one client, "
            "right after a committed write in the page's term, "
            f"{o['cold_runs']} times. Writer: one save every "
            f"{o['write_every'] * 1000:.0f} ms in another cluster's term "
            "(elsewhere) or in the page's own term (same), under the load of "
            f"{o['clients']} clients",
            "- In-process cold: the same runs as the SQL floor (each run "
            "measures the floor and the page together), median of the view's "
            "wall time and of its CPU time; the CPU time is this process's own "
            "work, which does not grow with other processes' load, so "
            "(floor + CPU) ÷ floor is the cold ratio of an idle machine",
            "- Fixed cost of a page (warm server time of a page not found: "
            "middleware, session and user, the base template, no data): "
            + "; ".join(
                f"{'signed in' if signed_in else 'visitor'} p50/p95 "
                f"{p50:.1f} / {p95:.1f} ms"
                for signed_in, (p50, p95) in sorted(self.fixed.items())
            ),
            "- Goals: warm p50 ≤ 1.5 × floor; cold p50 ≤ 2 × floor; writer "
            "elsewhere p95 ≤ 1.2 × loaded p95; writer in the same term p95 ≤ "
            "2 × floor; no errors",
            "",
            "| page | queries | SQL floor ms | in-process cold ms (CPU) "
            "| ÷ floor ((floor + CPU) ÷ floor) | warm p50/p95 ms | warm ÷ floor "
            "| cold p50/p95 ms | cold ÷ floor | loaded p50/p95 ms "
            "| writer elsewhere p50/p95 ms | ÷ loaded p95 "
            "| writer same term p50/p95 ms | ÷ floor | errors | verdict |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:"
            "|---:|---:|---|",
        ]
        for r in results:
            floor = max(r["sql_floor"], 0.01)
            warm_ratio = r["warm"][0] / floor
            cold_ratio = r["cold"][0] / floor
            elsewhere_ratio = r["elsewhere"][1] / max(r["loaded"][1], 0.01)
            same_ratio = r["same"][1] / floor
            errors = r["loaded"][2] + r["elsewhere"][2] + r["same"][2]
            missed = [
                name
                for name, bad in (
                    ("warm", warm_ratio > WARM_TARGET),
                    ("cold", cold_ratio > COLD_TARGET),
                    ("writer elsewhere", elsewhere_ratio > ELSEWHERE_TARGET),
                    ("writer same term", same_ratio > SAME_TERM_TARGET),
                    ("errors", errors),
                )
                if bad
            ]
            verdict = "ok" if not missed else "MISSED: " + ", ".join(missed)
            lines.append(
                f"| {r['name']} `{r['path']}` | {r['queries']} | {floor:.2f} "
                f"| {r['cold_inprocess']:.1f} ({r['cold_cpu']:.1f}) "
                f"| {r['cold_inprocess'] / floor:.2f} "
                f"({(floor + r['cold_cpu']) / floor:.2f}) "
                f"| {r['warm'][0]:.1f} / {r['warm'][1]:.1f} | {warm_ratio:.2f} "
                f"| {r['cold'][0]:.1f} / {r['cold'][1]:.1f} | {cold_ratio:.2f} "
                f"| {r['loaded'][0]:.1f} / {r['loaded'][1]:.1f} "
                f"| {r['elsewhere'][0]:.1f} / {r['elsewhere'][1]:.1f} "
                f"| {elsewhere_ratio:.2f} "
                f"| {r['same'][0]:.1f} / {r['same'][1]:.1f} | {same_ratio:.2f} "
                f"| {errors} | {verdict} |"
            )
        lines += [
            "",
            "Standings computed alone (`compute_standings`, the issue's lean "
            "standings: ≤ 2 × its own SQL), right after a committed write in "
            f"the term, median of {o['floor_runs']} runs:",
            "",
            "| term | members | SQL ms | computation ms (CPU) | ÷ SQL | verdict |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for term, members, sql, total, cpu in self.computations:
            ratio = total / max(sql, 0.01)
            lines.append(
                f"| {term} (id {term.pk}) | {members} | {sql:.2f} "
                f"| {total:.2f} ({cpu:.2f}) | {ratio:.2f} "
                f"| {'ok' if ratio <= COLD_TARGET else 'MISSED'} |"
            )
        return "\n".join(lines) + "\n"
