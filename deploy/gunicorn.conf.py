"""gunicorn settings for production (deploy/systemd/thidua-web.service).

    gunicorn config.wsgi --config deploy/gunicorn.conf.py

Every value can be changed from the environment (the systemd unit's
EnvironmentFile, /etc/thidua/env) without editing this file. The app keeps no
state in the process — sessions, the task queue and rate-limit counters are in
PostgreSQL, uploaded files in object storage (DJANGO_S3_BUCKET) — so any number
of hosts can run this behind the load balancer.
"""

import multiprocessing
import os


def _int(name, default):
    return int(os.environ.get(name, default))


# nginx on the same host proxies to this address (see deploy/nginx/thidua.conf);
# on separate app hosts bind the private interface, e.g. 10.0.0.11:8000.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request is short and does its work in PostgreSQL.
# 2 × cores + 1 is gunicorn's rule of thumb. Memory: about 110 MB a worker
# (`make bench` reports each worker's resident size after its run: 107–108 MB
# on 4 December 2026, with a 96-member term and a 60-criterion pledge); plan
# for more on hosts serving very large dashboards or imports.
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 60)  # the largest Excel import stays below it
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (bounded memory growth), not all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = 200
# The app trusts X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER) only because nginx
# overwrites it; gunicorn takes forwarded headers from these addresses only.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Logs on standard output / error: systemd hands them to journald.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms'
# Requests larger than this are refused by nginx first (client_max_body_size).
limit_request_line = 8190
proc_name = "thidua"
