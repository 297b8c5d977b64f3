#!/usr/bin/env bash
# `make bench`: the Q3 benchmark on a throwaway PostgreSQL server (started like
# .ci/run's), with production settings: migrate, collect static files, generate
# the reference data (bench_data) and measure the key pages (bench, which runs
# gunicorn on 127.0.0.1 itself and stops it). Extra arguments go to `bench`;
# BENCH_DATA_ARGS to `bench_data` (e.g. "--closed-clusters 5").
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/throwaway-postgres.sh
source scripts/throwaway-postgres.sh

echo "== production settings, generated data allowed on this throwaway database"
export DJANGO_SETTINGS_MODULE=config.settings.production
export DJANGO_SECRET_KEY="bench-only-$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=0
export BENCH_ALLOW=1

.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py collectstatic --no-input -v0
# shellcheck disable=SC2086  # BENCH_DATA_ARGS is a list of options
.venv/bin/python manage.py bench_data ${BENCH_DATA_ARGS:-}
.venv/bin/python manage.py bench "$@"
