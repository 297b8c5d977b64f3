"""Deployment against faults: nginx's own errors in Vietnamese, a
login rate limit an office behind one address gets through, the worker
restarting after a database restart, the backup's order and lock, PgBouncer.
The running behaviour is exercised by scripts/fault-test.sh in CI."""

import re
from pathlib import Path

from tests.test_deploy import _python

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX = (DEPLOY / "nginx" / "thidua.conf").read_text()
NGINX_STATUSES = ["400", "403", "404", "413", "429", "500", "502", "503", "504"]


def test_nginx_has_a_vietnamese_page_for_every_error_it_answers():
    pages = dict(re.findall(r"error_page (\d{3}) /_errors/(\d{3}\.html);", NGINX))
    assert sorted(pages) == NGINX_STATUSES
    assert re.search(
        r"location \^~ /_errors/ \{\s*internal;\s*"
        r"alias /srv/thidua/app/deploy/nginx/errors/;",
        NGINX,
    )
    assert "charset utf-8;" in NGINX
    assert "proxy_intercept_errors on" not in NGINX  # Django's own pages pass
    for status, name in pages.items():
        assert name == f"{status}.html"
        page = (DEPLOY / "nginx" / "errors" / name).read_text(encoding="utf-8")
        assert '<html lang="vi">' in page
        assert '<meta charset="utf-8">' in page
        assert f"Mã lỗi: {status}." in page
        assert "Về trang chủ" in page
    for status in ["429", "500", "502", "503", "504"]:
        page = (DEPLOY / "nginx" / "errors" / f"{status}.html").read_text()
        assert "thử lại sau" in page


def test_login_rate_limit_lets_an_office_of_50_log_in_within_a_minute():
    rate = int(re.search(r"zone=thidua_login:\w+ rate=(\d+)r/m;", NGINX).group(1))
    burst = int(
        re.search(r"limit_req zone=thidua_login burst=(\d+) nodelay;", NGINX).group(1)
    )
    # With nodelay, burst + 1 requests pass at once, then `rate` a minute: the
    # whole office at once, a few mistyped passwords included.
    assert burst + 1 >= 50 + 10
    assert rate >= 50
    assert "limit_req_status 429;" in NGINX


def test_the_worker_comes_back_by_itself_after_a_database_restart():
    unit = (DEPLOY / "systemd" / "thidua-worker.service").read_text()
    assert "\nRestart=always\n" in unit
    assert "\nRestartSec=5\n" in unit
    assert "\nStartLimitIntervalSec=0\n" in unit


def test_backup_archives_files_after_the_dump_under_the_sweeps_lock():
    script = (DEPLOY / "backup.sh").read_text()
    lock = script.index("flock 9")
    dump = script.index('"$PG_BIN/pg_dump"')
    archive = script.index('tar -C "$MEDIA_ROOT"')
    assert lock < dump < archive
    sweep = (DEPLOY / "systemd" / "thidua-sweep-files.service").read_text()
    assert "ExecStart=/usr/bin/flock /srv/thidua/media " in sweep
    assert "--grace-hours 24" in sweep


def test_production_behind_pgbouncer_turns_server_side_cursors_off():
    show = (
        "from django.conf import settings\n"
        "print(settings.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS'))"
    )
    assert _python(show, DATABASE_POOLER="pgbouncer").stdout.strip() == "True"
    assert _python(show, DATABASE_POOLER="").stdout.strip() == "False"
    ini = (DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text()
    assert "\npool_mode = transaction\n" in ini
