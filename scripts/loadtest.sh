#!/usr/bin/env bash
# `make loadtest`: deadline day with locust (loadtest/).
# A throwaway PostgreSQL server (as `make bench`), production settings unchanged
# (the client sends X-Forwarded-Proto: https as nginx does), the reference data
# of `manage.py bench_data` turned into deadline day by loadtest/prepare.py,
# gunicorn with deploy/gunicorn.conf.py on 127.0.0.1; then every member
# unit's officer logs in, opens the report, saves results and self-scores,
# uploads an evidence file and submits. Prints the table per step (requests,
# failures, p50, p95) and writes it to bench-results/loadtest-<date>-<mode>.md;
# checks in the database that every completed journey left a submitted report
# with its file. Exits non-zero on any failure, and in full mode when the p95
# of all requests is above LOADTEST_P95_MS (500).
#
#   scripts/loadtest.sh            # full: 200 officers at once, 360 reports
#   scripts/loadtest.sh --smoke    # CI: 20 officers, 20 reports, short pauses
#
# Full mode models people: 200 officers arrive within 100 s (2 a second) and
# pause 20–60 s between steps (reading the page, typing 40 values, choosing a
# file). Environment: LOADTEST_USERS, LOADTEST_SPAWN_RATE, LOADTEST_THINK
# ("20-60" seconds between steps), LOADTEST_RUN_TIME (upper bound),
# LOADTEST_P95_MS, GUNICORN_WORKERS (default deploy/gunicorn.conf.py's
# 2 × cores + 1), BENCH_DATA_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
PY=.venv/bin/python
MODE=full
if [ "${1:-}" = "--smoke" ]; then MODE=smoke; fi
if [ ! -x .venv/bin/locust ]; then
  echo "loadtest: locust is missing; install the dev extras: .venv/bin/pip install -e '.[dev]'" >&2
  exit 2
fi

if [ "$MODE" = smoke ]; then
  USERS=${LOADTEST_USERS:-20}
  SPAWN=${LOADTEST_SPAWN_RATE:-10}
  export LOADTEST_THINK=${LOADTEST_THINK:-0.2-0.6}
  RUN_TIME=${LOADTEST_RUN_TIME:-120s}
  DATA_ARGS=${BENCH_DATA_ARGS:---clusters 2 --members 10 --years 2 --criteria 20 --indicators 16}
  export LOADTEST_P95_MS=${LOADTEST_P95_MS:-0}   # no latency verdict on shared CI
else
  USERS=${LOADTEST_USERS:-200}
  SPAWN=${LOADTEST_SPAWN_RATE:-2}
  export LOADTEST_THINK=${LOADTEST_THINK:-20-60}
  RUN_TIME=${LOADTEST_RUN_TIME:-30m}
  DATA_ARGS=${BENCH_DATA_ARGS:-}
  export LOADTEST_P95_MS=${LOADTEST_P95_MS:-500}
fi

if [ -z "${DATABASE_URL:-}" ]; then
  # shellcheck source=scripts/throwaway-postgres.sh
  source scripts/throwaway-postgres.sh
fi

LT_TMP=$(mktemp -d /tmp/loadtest.XXXXXX)
GUNICORN_PID=""
loadtest_cleanup() {
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  rm -rf "$LT_TMP"
  if declare -F stop_pg >/dev/null; then stop_pg; fi
}
trap loadtest_cleanup EXIT

echo "== production settings; generated data allowed on this throwaway database"
export DJANGO_SETTINGS_MODULE=config.settings.production
DJANGO_SECRET_KEY="loadtest-only-$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export MEDIA_ROOT="$LT_TMP/media"
export BENCH_ALLOW=1
unset DJANGO_SECURE_SSL_REDIRECT DJANGO_S3_BUCKET
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export GUNICORN_BIND="127.0.0.1:$PORT"
export GUNICORN_ACCESS_LOG="$LT_TMP/access.log"

$PY manage.py migrate --no-input -v0
$PY manage.py collectstatic --no-input -v0
# shellcheck disable=SC2086  # DATA_ARGS is a list of options
$PY manage.py bench_data $DATA_ARGS
export LOADTEST_JOURNEYS="$LT_TMP/journeys.json" LOADTEST_DONE="$LT_TMP/done.json"
$PY loadtest/prepare.py prepare "$LOADTEST_JOURNEYS"

.venv/bin/gunicorn config.wsgi --config deploy/gunicorn.conf.py >"$LT_TMP/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
for _ in $(seq 1 100); do
  if $PY -c "import http.client as h, sys; c=h.HTTPConnection('127.0.0.1', $PORT, timeout=2); c.request('GET', '/accounts/login/', headers={'X-Forwarded-Proto': 'https'}); sys.exit(c.getresponse().status != 200)" 2>/dev/null; then
    break
  fi
  kill -0 "$GUNICORN_PID" 2>/dev/null || { cat "$LT_TMP/gunicorn.log" >&2; exit 1; }
  sleep 0.3
done
WORKERS=$(grep -c "Booting worker" "$LT_TMP/gunicorn.log" || true)
DATABASE=$($PY -c "import django; django.setup(); from django.db import connection; c = connection.cursor(); c.execute('SELECT version()'); print(c.fetchone()[0].split(' on ')[0])")

mkdir -p bench-results
REPORT="bench-results/loadtest-$(date +%Y-%m-%d)-$MODE.md"
export LOADTEST_REPORT="$REPORT"
export LOADTEST_DESCRIPTION="Mode $MODE: $USERS simulated officers (spawn $SPAWN/s) against gunicorn ($WORKERS sync workers, deploy/gunicorn.conf.py) on 127.0.0.1 with config.settings.production, $DATABASE on loopback; locust in the same machine. Data: bench_data ${DATA_ARGS:-(defaults)}, current year in reporting with the deadline today."
echo "== locust: $USERS officers, gunicorn with $WORKERS workers on 127.0.0.1:$PORT"
set +e
.venv/bin/locust -f loadtest/locustfile.py --headless --only-summary \
  --users "$USERS" --spawn-rate "$SPAWN" --run-time "$RUN_TIME" --stop-timeout 30 \
  --host "http://127.0.0.1:$PORT" --loglevel WARNING
LOCUST_STATUS=$?
set -e

echo
cat "$REPORT"
echo "Written to $REPORT"
VERIFY_STATUS=0
$PY loadtest/prepare.py verify "$LOADTEST_JOURNEYS" "$LOADTEST_DONE" || VERIFY_STATUS=$?
SERVER_STATUS=0
if grep -E ' (ERROR|CRITICAL) |Traceback' "$LT_TMP/gunicorn.log"; then
  echo "loadtest: errors in the gunicorn log (above)" >&2
  SERVER_STATUS=1
fi
if [ "$LOCUST_STATUS" -ne 0 ] || [ "$VERIFY_STATUS" -ne 0 ] || [ "$SERVER_STATUS" -ne 0 ]; then
  echo "!! loadtest FAILED (locust $LOCUST_STATUS, verify $VERIFY_STATUS, server log $SERVER_STATUS)" >&2
  exit 1
fi
echo "== load test ($MODE) passed"
