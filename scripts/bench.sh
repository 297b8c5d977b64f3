#!/usr/bin/env bash
# `make bench`: the benchmark on a throwaway PostgreSQL server (started like
# .ci/run's), with production settings: migrate, collect static files, generate
# the reference data (bench_data) and measure the key pages (bench, which runs
# gunicorn on 127.0.0.1 itself and stops it), then the results import against
# plain COPY (bench_import). Extra arguments go to `bench`;
# BENCH_DATA_ARGS to `bench_data`: by default the national profile
# (34 authorities × 12 clusters of 6–12 members, 60 criteria, 40 indicators,
# 6 years, one term of 96 members); e.g. BENCH_DATA_ARGS="--profile national
# --authorities 2" for a quicker run of the same shapes.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/throwaway-postgres.sh
source scripts/throwaway-postgres.sh

# The cache as deployed (deploy/env.example): a throwaway Redis on loopback
# when redis-server is installed and REDIS_URL is not given; else the
# database's cache table.
if [ -z "${REDIS_URL:-}" ] && command -v redis-server >/dev/null 2>&1; then
  echo "== Redis: throwaway server"
  REDIS_PORT=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$PG_TMP" >"$PG_TMP/redis.log" 2>&1 &
  REDIS_PID=$!
  trap 'kill "$REDIS_PID" 2>/dev/null || true; stop_pg' EXIT
  for _ in $(seq 1 50); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
fi

echo "== production settings, generated data allowed on this throwaway database"
export DJANGO_SETTINGS_MODULE=config.settings.production
export DJANGO_SECRET_KEY="bench-only-$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=0
export BENCH_ALLOW=1

.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py collectstatic --no-input -v0
# shellcheck disable=SC2086  # BENCH_DATA_ARGS is a list of options
.venv/bin/python manage.py bench_data ${BENCH_DATA_ARGS:---profile national}
.venv/bin/python manage.py bench "$@"
.venv/bin/python manage.py bench_import
