"""Production set-up (deploy/, config/settings/production.py): where uploaded
files go, where logs go, what gunicorn and the systemd units run. The running
set-up itself is exercised by scripts/smoke-deploy.sh in CI."""

import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "deploy-test-" + "k" * 60,
    "DJANGO_ALLOWED_HOSTS": "thidua.example.gov.vn",
    "DATABASE_URL": "sqlite:///:memory:",
}
S3_VARIABLES = [
    "DJANGO_S3_BUCKET",
    "DJANGO_S3_ENDPOINT_URL",
    "DJANGO_S3_REGION",
    "DJANGO_S3_ACCESS_KEY_ID",
    "DJANGO_S3_SECRET_ACCESS_KEY",
    "DJANGO_S3_PREFIX",
    "DJANGO_S3_ADDRESSING_STYLE",
]
SHOW_STORAGE = """
import json
from django.conf import settings
from django.core.files.storage import storages
s, st = storages["default"], storages["staticfiles"]
facts = {"class": type(s).__module__ + "." + type(s).__name__,
         "static": type(st).__name__}
for name in ["location", "bucket_name", "endpoint_url", "region_name",
             "access_key", "secret_key", "addressing_style", "default_acl",
             "querystring_auth", "file_overwrite", "signature_version"]:
    if hasattr(s, name):
        facts[name] = str(getattr(s, name))
print(json.dumps(facts))
"""


def _python(code, **env):
    environment = {**os.environ, **PRODUCTION, **env}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests
    for name in S3_VARIABLES:
        if name not in env:
            environment.pop(name, None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_production_keeps_uploads_in_media_root_without_a_bucket(tmp_path):
    result = _python(SHOW_STORAGE, MEDIA_ROOT=str(tmp_path))
    facts = json.loads(result.stdout)
    assert facts == {
        "class": "django.core.files.storage.filesystem.FileSystemStorage",
        "static": "CompressedManifestStaticFilesStorage",
        "location": str(tmp_path),
    }


def test_production_puts_uploads_in_s3_when_a_bucket_is_set():
    result = _python(
        SHOW_STORAGE,
        DJANGO_S3_BUCKET="thidua-evidence",
        DJANGO_S3_ENDPOINT_URL="https://s3.example.gov.vn",
        DJANGO_S3_REGION="hn-1",
        DJANGO_S3_ACCESS_KEY_ID="AKEXAMPLE",
        DJANGO_S3_SECRET_ACCESS_KEY="secret-example",
        DJANGO_S3_PREFIX="/production/",
        DJANGO_S3_ADDRESSING_STYLE="path",
    )
    facts = json.loads(result.stdout)
    assert facts == {
        "class": "storages.backends.s3.S3Storage",
        "static": "CompressedManifestStaticFilesStorage",
        "location": "production",
        "bucket_name": "thidua-evidence",
        "endpoint_url": "https://s3.example.gov.vn",
        "region_name": "hn-1",
        "access_key": "AKEXAMPLE",
        "secret_key": "secret-example",
        "addressing_style": "path",
        "default_acl": "None",
        "querystring_auth": "True",
        "file_overwrite": "False",
        "signature_version": "s3v4",
    }


def test_production_s3_credentials_fall_back_to_boto3s_own_chain():
    result = _python(SHOW_STORAGE, DJANGO_S3_BUCKET="thidua-evidence")
    facts = json.loads(result.stdout)
    assert facts["class"] == "storages.backends.s3.S3Storage"
    assert facts["bucket_name"] == "thidua-evidence"
    assert facts["endpoint_url"] == "None"
    assert facts["location"] == ""
    # None lets boto3 use AWS_* variables, a profile or the instance role.
    assert facts["access_key"] == "None"
    assert facts["secret_key"] == "None"


def test_production_logs_server_errors_and_security_events_to_stdout():
    result = _python(
        "import logging\n"
        "logging.getLogger('django.request').error('marker-500 %s', 'GET /x/')\n"
        "logging.getLogger('clusters.security').info('marker-login')\n"
        "logging.getLogger('django.db.backends').debug('marker-sql')\n"
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    assert re.search(r" ERROR django\.request marker-500 GET /x/$", lines[0])
    assert re.search(r" INFO clusters\.security marker-login$", lines[1])
    assert result.stderr == ""


def test_gunicorn_config_takes_its_values_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "10.0.0.11:8000")
    monkeypatch.setenv("GUNICORN_WORKERS", "7")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["bind"] == "10.0.0.11:8000"
    assert config["workers"] == 7
    assert config["timeout"] == 45
    assert config["accesslog"] == "-"
    assert config["errorlog"] == "-"
    assert config["forwarded_allow_ips"] == "127.0.0.1"


def test_gunicorn_config_defaults_to_loopback_and_two_workers_a_core(monkeypatch):
    for name in ("GUNICORN_BIND", "GUNICORN_WORKERS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["bind"] == "127.0.0.1:8000"
    assert config["workers"] == 2 * os.cpu_count() + 1
    assert config["timeout"] == 60


def test_systemd_units_run_commands_that_exist_in_production():
    units = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
    assert [u.name for u in units] == [
        "thidua-backup.service",
        "thidua-reminder-retries.service",
        "thidua-reminders.service",
        "thidua-sweep-files.service",
        "thidua-web.service",
        "thidua-worker.service",
    ]
    commands = set()
    for unit in units:
        for line in unit.read_text().splitlines():
            if line.startswith(("ExecStart=", "ExecStartPost=")):
                found = re.search(r"manage\.py (\w+)", line)
                if found:
                    commands.add(found.group(1))
    assert commands == {
        "db_worker",
        "send_reminders",
        "prune_db_task_results",
        "sweep_orphan_files",
    }
    result = _python(
        "from django.core.management import get_commands\n"
        "print(' '.join(sorted(get_commands())))"
    )
    assert commands <= set(result.stdout.split())
    timers = sorted(p.name for p in (ROOT / "deploy" / "systemd").glob("*.timer"))
    assert timers == [
        "thidua-backup.timer",
        "thidua-reminder-retries.timer",
        "thidua-reminders.timer",
        "thidua-sweep-files.timer",
    ]


def test_every_deploy_script_is_valid_bash():
    scripts = [
        ROOT / "deploy" / "backup.sh",
        ROOT / "scripts" / "smoke-deploy.sh",
        ROOT / "scripts" / "restore-drill.sh",
        ROOT / "scripts" / "loadtest.sh",
        ROOT / "scripts" / "fault-test.sh",
    ]
    for script in scripts:
        assert os.access(script, os.X_OK), script
        result = subprocess.run(  # noqa: S603
            ["bash", "-n", str(script)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{script}: {result.stderr}"


SHOW_LOCKOUT_ADDRESS = """
from axes.helpers import get_client_ip_address
from django.test import RequestFactory
factory = RequestFactory()
request = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
bare = factory.get("/", REMOTE_ADDR="198.51.100.9")
print(get_client_ip_address(request), get_client_ip_address(bare))
"""


def test_production_lockouts_count_the_address_nginx_forwards():
    result = _python(SHOW_LOCKOUT_ADDRESS)
    assert result.stdout.split() == ["203.0.113.7", "198.51.100.9"]


def test_production_without_a_proxy_ignores_the_forwarded_address():
    result = _python(SHOW_LOCKOUT_ADDRESS, DJANGO_CLIENT_IP_HEADER="")
    assert result.stdout.split() == ["127.0.0.1", "198.51.100.9"]
