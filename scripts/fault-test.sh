#!/usr/bin/env bash
# Fault test: two gunicorn servers (deploy/gunicorn.conf.py, 2
# workers each, persistent connections as in production) against one
# throwaway PostgreSQL loaded with the Hậu Giang demo; scripts/fault_driver.py
# logs in on both, sends one report-summary save to both servers at once with
# one form token (one version and one history row more, no 5xx), stops
# PostgreSQL (pg_ctl stop -m fast), checks /healthz/
# (503) and the Vietnamese 503 pages, starts it again and checks that both
# servers answer with the same sessions without a restart. About a minute.
# Always its own PostgreSQL (it stops it): DATABASE_URL is ignored.
# FAULT_DEMO_DUMP=<pg_dump -Fc file of the demo>: restore it instead of
# migrating and loading the demo.
#
#   scripts/fault-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
PY=.venv/bin/python
unset DATABASE_URL
# shellcheck source=scripts/throwaway-postgres.sh
source scripts/throwaway-postgres.sh

FT_TMP=$(mktemp -d /tmp/fault-test.XXXXXX)
PIDS=()
fault_cleanup() {
  status=$?
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    for log in "$FT_TMP"/gunicorn-*.log; do
      [ -f "$log" ] && { echo "--- $log" >&2; tail -n 40 "$log" >&2; }
    done
  fi
  rm -rf "$FT_TMP"
  stop_pg
}
trap fault_cleanup EXIT

export DJANGO_SETTINGS_MODULE=config.settings.local
export DATABASE_CONN_MAX_AGE=600 MEDIA_ROOT="$FT_TMP/media"
if [ -n "${FAULT_DEMO_DUMP:-}" ]; then
  # .ci/run passes a pg_dump -Fc of the demo it already loaded for the restore
  # drill: restoring it takes seconds, migrating and loading about a minute.
  echo "== demo data (restored from $FAULT_DEMO_DUMP)"
  as_pg "$PG_BIN/pg_restore" -h 127.0.0.1 -p "$PG_PORT" -U postgres --no-owner \
    -d emulation "$FAULT_DEMO_DUMP"
else
  echo "== demo data"
  $PY manage.py migrate --no-input -v0
  $PY manage.py load_demo >/dev/null
fi

free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
servers=()
for n in 1 2; do
  port=$(free_port)
  GUNICORN_BIND="127.0.0.1:$port" GUNICORN_WORKERS=2 \
    .venv/bin/gunicorn config.wsgi --config deploy/gunicorn.conf.py \
    >"$FT_TMP/gunicorn-$n.log" 2>&1 &
  PIDS+=("$!")
  servers+=("http://127.0.0.1:$port")
done
for url in "${servers[@]}"; do
  for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "$url/healthz/" 2>/dev/null && break
    sleep 0.5
  done
done

pg_ctl_cmd="$PG_BIN/pg_ctl -D $PG_TMP/data"
if [ "$(id -u)" -eq 0 ]; then pg_ctl_cmd="runuser -u postgres -- $pg_ctl_cmd"; fi
FAULT_SERVERS=$(IFS=,; echo "${servers[*]}") \
FAULT_PG_STOP="$pg_ctl_cmd -m fast -w stop" \
FAULT_PG_START="$pg_ctl_cmd -l $PG_TMP/server.log -w -o '-p $PG_PORT -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off' start" \
  $PY scripts/fault_driver.py

for pid in "${PIDS[@]}"; do
  kill -0 "$pid" || { echo "fault-test: a gunicorn server died" >&2; exit 1; }
done
echo "== fault test passed"
