"""Deadline day: every member unit's officer reports at once.

Each simulated officer takes the next unfinished report of `loadtest/prepare.py`
and, with a pause between steps (LOADTEST_THINK, seconds, e.g. "1-3"), goes
through the journey a browser makes without JavaScript: open the login page,
log in, open the report, save the indicator actuals, save the self-scores,
upload an evidence file (PDF), submit, log out — every write a POST that must
answer 302 to the report (a re-rendered form, a 409 or a 5xx counts as a
failure), every page a 200 that shows what the step changed. When no report
is left the simulated officer waits; when every journey is over, the test ends.

Like nginx in production, every request carries X-Forwarded-Proto: https, so
the production settings run unchanged (HTTPS redirect, Secure cookies); the
client keeps the Secure cookies although it speaks plain HTTP on loopback.

Run by scripts/loadtest.sh, which prints and writes the table (requests,
failures, p50, p95 per step) to bench-results/ and exits non-zero on any
failure or, with LOADTEST_P95_MS, when the p95 of all requests is above it
(each step's p95 is judged in the table too).
"""

import json
import os
import platform
import random
import re
import time
import uuid
from pathlib import Path

import gevent
from locust import HttpUser, events, task
from locust.exception import StopUser

JOURNEYS = json.loads(Path(os.environ["LOADTEST_JOURNEYS"]).read_text())
DONE_PATH = os.environ.get("LOADTEST_DONE")
REPORT_PATH = os.environ.get("LOADTEST_REPORT")
P95_TARGET = float(os.environ.get("LOADTEST_P95_MS", "0") or 0)
THINK = [float(x) for x in os.environ.get("LOADTEST_THINK", "20-60").split("-")]
STEPS = [
    "1 login page",
    "2 log in",
    "3 open report",
    "4 save results",
    "5 save self-scores",
    "6 upload evidence",
    "7 submit",
    "8 log out",
]
queue = list(JOURNEYS)
completed = []
active = [0]  # simulated officers in the middle of a journey
started_at = time.time()

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
ACTUAL = re.compile(r'name="actual_(\d+)"')
ERROR = re.compile(
    r'class="(?:invalid-feedback|alert alert-danger)[^"]*"[^>]*>\s*([^<]{0,160})'
)


def _pdf(size=64 * 1024):
    """A small well-formed PDF padded with a comment to `size` bytes."""
    head = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    )
    tail = b"trailer<</Root 1 0 R>>\n%%EOF\n"
    return head + b"%" + b"x" * (size - len(head) - len(tail) - 2) + b"\n" + tail


EVIDENCE = _pdf()


def vietnamese(value):
    """12345.6 → "12.345,60", as an officer types it."""
    whole, cents = f"{value:,.2f}".split(".")
    return whole.replace(",", ".") + "," + cents


class Officer(HttpUser):
    """One member unit's officer on deadline day."""

    def wait_time(self):
        return random.uniform(*THINK)  # noqa: S311

    def on_start(self):
        self.https = {"X-Forwarded-Proto": "https", "Accept-Language": "vi"}

    def _cookies(self):
        """The session's cookies as plain ones: they are marked Secure, which
        a browser sends over HTTPS (behind nginx); here the proxy is left out."""
        return self.client.cookies.get_dict()

    def _headers(self, path, extra=None):
        origin = self.host.replace("http://", "https://", 1).rstrip("/")
        return {**self.https, "Referer": origin + path, **(extra or {})}

    def _get_page(self, path, name, expect=None, absent=None):
        """GET a page: 200 (with `expect`, without `absent`), else a failure;
        its HTML."""
        with self.client.get(
            path,
            name=name,
            headers=self._headers(path),
            cookies=self._cookies(),
            catch_response=True,
        ) as response:
            html = response.text or ""
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                raise StopUser()
            if expect is not None and expect not in html:
                response.failure(f"{expect!r} not on the page")
                raise StopUser()
            if absent is not None and absent in html:
                response.failure(f"{absent!r} still on the page")
                raise StopUser()
            return html

    def _post(self, path, name, body, content_type, back):
        """POST a form: a 302 to `back`, else a failure with the page's error."""
        headers = self._headers(back, {"Content-Type": content_type})
        with self.client.post(
            path,
            name=name,
            data=body,
            headers=headers,
            cookies=self._cookies(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or not location.startswith(back):
                found = ERROR.search(response.text or "")
                response.failure(
                    f"status {response.status_code} Location {location!r}"
                    + (f": {found.group(1).strip()}" if found else "")
                )
                raise StopUser()

    @staticmethod
    def _form(fields):
        from urllib.parse import urlencode

        return urlencode(fields), "application/x-www-form-urlencoded"

    def _token(self, html):
        found = TOKEN.search(html)
        if not found:
            raise StopUser()
        return found.group(1)

    @task
    def deadline_day(self):
        if not queue:
            if active[0] == 0:  # every report is done: end the test
                gevent.spawn(self.environment.runner.quit)
            gevent.sleep(1)  # idle until the others have finished
            return
        j = queue.pop(0)
        active[0] += 1
        try:
            self.journey(j)
        finally:
            active[0] -= 1

    def journey(self, j):
        report = f"/terms/{j['term']}/reports/{j['unit']}/"
        login = "/accounts/login/"

        html = self._get_page(login, STEPS[0], expect="csrfmiddlewaretoken")
        self.wait()
        self._post(
            login,
            STEPS[1],
            *self._form(
                {
                    "csrfmiddlewaretoken": self._token(html),
                    "username": j["username"],
                    "password": j["password"],
                }
            ),
            back="/",
        )
        html = self._get_page(report, STEPS[2], expect='name="actual_')
        self.wait()

        actuals = ACTUAL.findall(html)
        fields = {
            "csrfmiddlewaretoken": self._token(html),
            "section": "indicators",
            "version": VERSION.search(html).group(1),
        }
        for pk in actuals:
            fields[f"actual_{pk}"] = vietnamese(random.uniform(10, 10**6))  # noqa: S311
            fields[f"note_{pk}"] = "Số liệu của Chi cục Thống kê"
        self._post(report, STEPS[3], *self._form(fields), back=report)
        html = self._get_page(report, STEPS[2])
        self.wait()

        fields = {
            "csrfmiddlewaretoken": self._token(html),
            "section": "criteria",
            "version": VERSION.search(html).group(1),
        }
        for pk, most in j["points"].items():
            fields[f"points_{pk}"] = most.replace(".", ",")
            fields[f"explanation_{pk}"] = "Hoàn thành đầy đủ, có văn bản kèm theo."
        self._post(report, STEPS[4], *self._form(fields), back=report)
        html = self._get_page(report, STEPS[2])
        self.wait()

        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
            f"\r\n\r\n{value}\r\n".encode()
            for name, value in (
                ("csrfmiddlewaretoken", self._token(html)),
                ("criterion", j["evidence_criterion"]),
            )
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="bien-ban-{j["unit"]}.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
            + EVIDENCE
            + f"\r\n--{boundary}--\r\n".encode()
        )
        self._post(
            f"/terms/{j['term']}/reports/{j['unit']}/evidence/",
            STEPS[5],
            b"".join(parts),
            f"multipart/form-data; boundary={boundary}",
            back=report,
        )
        html = self._get_page(report, STEPS[2], expect=f"bien-ban-{j['unit']}.pdf")
        self.wait()

        self._post(
            report,
            STEPS[6],
            *self._form(
                {
                    "csrfmiddlewaretoken": self._token(html),
                    "version": VERSION.search(html).group(1),
                    "action": "submit",
                }
            ),
            back=report,
        )
        html = self._get_page(report, STEPS[2], absent='id="submit-report"')
        completed.append((j["term"], j["unit"]))
        self.wait()

        self._post(
            "/accounts/logout/",
            STEPS[7],
            *self._form({"csrfmiddlewaretoken": self._token(html)}),
            back="/accounts/login/",
        )
        self.client.cookies.clear()


@events.quitting.add_listener
def report(environment, **_kwargs):
    """The table per step; non-zero exit on failures or a missed p95 target."""
    stats = environment.stats
    seconds = time.time() - started_at
    lines = [
        f"# Load test {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        f"- Machine: {platform.node()}, {os.cpu_count()} CPUs, "
        f"{platform.platform()}, Python {platform.python_version()}",
        f"- {os.environ.get('LOADTEST_DESCRIPTION', '')}",
        f"- Journeys: {len(completed)} of {len(JOURNEYS)} reports submitted in "
        f"{seconds:.0f} s; think time {THINK[0]:g}–{THINK[-1]:g} s between steps",
        "",
        "| step | requests | failures | p50 ms | p95 ms | p99 ms | max ms "
        "| req/s | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    missed = False
    entries = {e.name: e for e in stats.entries.values()}
    for name in [*STEPS, None]:
        entry = stats.total if name is None else entries.get(name)
        if entry is None:
            continue
        p95 = entry.get_response_time_percentile(0.95) or 0
        verdict = []
        if entry.num_failures:
            verdict.append("errors")
            missed = True
        if P95_TARGET and p95 > P95_TARGET:
            verdict.append(f"p95 > {P95_TARGET:g} ms")
            # The verdict of the run: zero errors and p95 of all requests.
            missed = missed or name is None
        lines.append(
            f"| {name or '**all**'} | {entry.num_requests} | {entry.num_failures} "
            f"| {entry.get_response_time_percentile(0.5) or 0:.0f} | {p95:.0f} "
            f"| {entry.get_response_time_percentile(0.99) or 0:.0f} "
            f"| {entry.max_response_time or 0:.0f} | {entry.total_rps:.1f} "
            f"| {'MISSED: ' + ', '.join(verdict) if verdict else 'ok'} |"
        )
    errors = list(stats.errors.values())
    if errors:
        lines += ["", "Failures:", ""]
        lines += [f"- {e.occurrences} × {e.name}: {e.error}" for e in errors[:20]]
    if len(completed) < len(JOURNEYS):
        missed = True
        lines += ["", f"Not finished: {len(JOURNEYS) - len(completed)} journeys."]
    text = "\n".join(lines) + "\n"
    if REPORT_PATH:
        Path(REPORT_PATH).write_text(text, encoding="utf-8")
    if DONE_PATH:
        Path(DONE_PATH).write_text(json.dumps(completed), encoding="utf-8")
    if missed:
        environment.process_exit_code = 1
