#!/usr/bin/env bash
# Scale-out test: two gunicorn servers (deploy/gunicorn.conf.py,
# 2 workers each) against one PostgreSQL and one Redis (Debian's redis-server,
# REDIS_URL), on the tiny data of `bench_data`. scripts/scale_out_driver.py
# renders a ranking through server B (stored in Redis), saves a result through
# server A as the unit's officer, and checks that B shows the new total at
# once. Stops every server it started.
#
#   scripts/scale-out.sh                             # a throwaway PostgreSQL
#   DATABASE_URL=postgres://… scripts/scale-out.sh   # an empty database
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
if ! command -v redis-server >/dev/null 2>&1; then
  echo "scale-out: redis-server is not installed (apt-get install redis-server)" >&2
  exit 1
fi
if [ -z "${DATABASE_URL:-}" ]; then
  # shellcheck source=scripts/throwaway-postgres.sh
  source scripts/throwaway-postgres.sh
fi

SO_TMP=$(mktemp -d /tmp/scale-out.XXXXXX)
PIDS=()
REDIS_PID=""
scale_cleanup() {
  status=$?
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$REDIS_PID" ]; then
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ]; then
    for log in "$SO_TMP"/*.log; do
      [ -f "$log" ] && { echo "--- $log" >&2; tail -n 40 "$log" >&2; }
    done
  fi
  rm -rf "$SO_TMP"
  if declare -F stop_pg >/dev/null; then stop_pg; fi
}
trap scale_cleanup EXIT

free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

echo "== Redis on loopback"
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$SO_TMP" >"$SO_TMP/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 1 50); do
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
  sleep 0.1
done

export DJANGO_SETTINGS_MODULE=config.settings.local
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export DATABASE_CONN_MAX_AGE=600 MEDIA_ROOT="$SO_TMP/media"
echo "== tiny benchmark data"
$PY manage.py migrate --no-input -v0
$PY manage.py bench_data --clusters 2 --members 3 --criteria 4 --indicators 2 \
  --years 1 >/dev/null

servers=()
for n in A B; do
  port=$(free_port)
  GUNICORN_BIND="127.0.0.1:$port" GUNICORN_WORKERS=2 GUNICORN_ACCESS_LOG=/dev/null \
    .venv/bin/gunicorn config.wsgi --config deploy/gunicorn.conf.py \
    >"$SO_TMP/gunicorn-$n.log" 2>&1 &
  PIDS+=("$!")
  servers+=("$port")
done
for port in "${servers[@]}"; do
  for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz/" 2>/dev/null && break
    sleep 0.5
  done
done

echo "== save through server A, read through server B"
SCALE_SERVERS=$(IFS=,; echo "${servers[*]}") $PY scripts/scale_out_driver.py
echo "== scale-out test passed"
