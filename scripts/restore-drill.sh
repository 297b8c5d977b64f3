#!/usr/bin/env bash
# Restore drill: dump the PostgreSQL database of DATABASE_URL
# with the production backup script (deploy/backup.sh: `pg_dump -Fc`), restore
# the dump with `pg_restore` into a scratch database on the same server, and
# compare every table — row count and a checksum of all rows in primary-key
# order — and every sequence. Uploaded files on the disk (MEDIA_ROOT, no
# DJANGO_S3_BUCKET) are archived too (BACKUP_MEDIA=1), unpacked, and every file
# a FileField of the restored database names must be in them. Prints the comparison and exits non-zero on any
# difference, on a table missing on either side, or when there is nothing to
# compare. The scratch database is dropped afterwards.
#
#   scripts/restore-drill.sh          # no DATABASE_URL: a throwaway PostgreSQL
#                                     # server with the Hậu Giang demo loaded
#   DATABASE_URL=postgres://… scripts/restore-drill.sh   # that database (its
#                                     # role needs CREATEDB for the scratch one)
#
# Run it against a quiet database (a standby, or a copy): rows written between
# the dump and the comparison show as differences. RESTORE_DRILL_TAMPER="SQL"
# runs SQL on the restored copy before the comparison, to see the drill fail.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
PY=.venv/bin/python

DRILL_TMP=$(mktemp -d /tmp/restore-drill.XXXXXX)
if [ -z "${DATABASE_URL:-}" ]; then
  # shellcheck source=scripts/throwaway-postgres.sh
  source scripts/throwaway-postgres.sh
  export MEDIA_ROOT="$DRILL_TMP/media"
  mkdir -p "$MEDIA_ROOT"
  echo "== demo data (local settings) on the throwaway server"
  DJANGO_SETTINGS_MODULE=config.settings.local $PY manage.py migrate --no-input -v0
  DJANGO_SETTINGS_MODULE=config.settings.local $PY manage.py load_demo >/dev/null
fi
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "restore-drill: DATABASE_URL is not PostgreSQL." >&2; exit 2 ;;
esac
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
export PG_BIN

SCRATCH_DB="restore_drill_$$"
SCRATCH_URL=$($PY -c '
import sys
from urllib.parse import urlsplit, urlunsplit
parts = urlsplit(sys.argv[1])
print(urlunsplit(parts._replace(path="/" + sys.argv[2])))
' "$DATABASE_URL" "$SCRATCH_DB")

drill_cleanup() {
  "$PG_BIN/psql" -q -X "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $SCRATCH_DB" \
    >/dev/null 2>&1 || true
  rm -rf "$DRILL_TMP"
  if declare -F stop_pg >/dev/null; then stop_pg; fi
}
trap drill_cleanup EXIT

echo "== dump (deploy/backup.sh: pg_dump -Fc)"
CHECK_FILES=0
if [ -z "${DJANGO_S3_BUCKET:-}" ] && [ -n "${MEDIA_ROOT:-}" ] && [ -d "$MEDIA_ROOT" ]; then
  CHECK_FILES=1
fi
mkdir -p "$DRILL_TMP/backups"
DUMP=$(BACKUP_DIR="$DRILL_TMP/backups" BACKUP_KEEP_DAYS=1 BACKUP_MEDIA=$CHECK_FILES \
  deploy/backup.sh | tail -n 1)
[ -s "$DUMP" ] || { echo "restore-drill: no dump was written." >&2; exit 1; }

echo "== restore into the scratch database $SCRATCH_DB (pg_restore)"
"$PG_BIN/psql" -q -X -v ON_ERROR_STOP=1 "$DATABASE_URL" \
  -c "CREATE DATABASE $SCRATCH_DB TEMPLATE template0 ENCODING 'UTF8'" >/dev/null
started=$(date +%s)
"$PG_BIN/pg_restore" --no-owner --no-privileges --exit-on-error --jobs 2 \
  --dbname="$SCRATCH_URL" "$DUMP"
echo "restored in $(($(date +%s) - started)) s"
if [ -n "${RESTORE_DRILL_TAMPER:-}" ]; then
  # Only to prove that the drill catches a bad restore: SQL run on the copy.
  echo "== tampering with the restored copy: $RESTORE_DRILL_TAMPER"
  "$PG_BIN/psql" -q -X -v ON_ERROR_STOP=1 "$SCRATCH_URL" -c "$RESTORE_DRILL_TAMPER"
fi

if [ "$CHECK_FILES" = "1" ]; then
  echo "== every file the restored database references is in the media archive"
  RESTORED_MEDIA="$DRILL_TMP/restored-media"
  mkdir -p "$RESTORED_MEDIA"
  tar -C "$RESTORED_MEDIA" -xzf "$(ls "$DRILL_TMP"/backups/thidua-media-*.tar.gz)"
  if [ -n "${RESTORE_DRILL_LOSE_FILE:-}" ]; then
    # Only to prove that the drill catches a missing file.
    echo "== removing $RESTORE_DRILL_LOSE_FILE from the restored media"
    rm -f "$RESTORED_MEDIA/$RESTORE_DRILL_LOSE_FILE"
  fi
  DATABASE_URL="$SCRATCH_URL" MEDIA_ROOT="$RESTORED_MEDIA" \
    DJANGO_SETTINGS_MODULE=config.settings.local $PY - <<'PYTHON'
"""Every non-empty FileField value of every model (history tables aside: they
keep names of files replaced long ago) names a file of the restored media."""

import os
import sys

import django

django.setup()
from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import models  # noqa: E402

checked, missing = 0, []
for model in apps.get_models():
    if model.__name__.startswith("Historical"):
        continue
    for field in model._meta.get_fields():
        if not isinstance(field, models.FileField):
            continue
        names = (
            model._base_manager.exclude(**{f"{field.name}__isnull": True})
            .exclude(**{field.name: ""})
            .values_list("pk", field.name)
        )
        for pk, name in names.iterator():
            checked += 1
            if not os.path.isfile(os.path.join(settings.MEDIA_ROOT, name)):
                missing.append(f"{model._meta.label}#{pk}.{field.name}: {name}")
for line in missing:
    print("MISSING FILE", line)
print(f"{checked} referenced file(s) checked, {len(missing)} missing")
if missing:
    print("RESTORE DRILL FAILED: files referenced by the dump are not in the backup.")
    sys.exit(1)
PYTHON
else
  echo "== files: in object storage (DJANGO_S3_BUCKET) or no MEDIA_ROOT; not checked"
fi

echo "== compare every table and sequence"
$PY - "$DATABASE_URL" "$SCRATCH_URL" <<'PYTHON'
"""Row counts and checksums of every table of both databases, side by side."""

import sys

import psycopg2

APPS = ("clusters_", "pledges_", "awards_", "campaigns_")


def kind(table):
    if table.startswith(APPS):
        return "history" if "_historical" in table else "business"
    if table.startswith(("auth_", "axes_", "django_session")):
        return "auth"
    return "framework"


def tables(cursor):
    cursor.execute(
        """
        SELECT c.oid, c.relname
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
        ORDER BY c.relname
        """
    )
    return cursor.fetchall()


def primary_key(cursor, oid):
    cursor.execute(
        """
        SELECT a.attname, a.attcollation <> 0
        FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = %s AND i.indisprimary
        ORDER BY array_position(i.indkey::int2[], a.attnum)
        """,
        [oid],
    )
    return cursor.fetchall()


def measure(url):
    """{table: (rows, checksum)} and {sequence: (last_value, is_called)}."""
    found, sequences = {}, {}
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for oid, table in tables(cursor):
            key = primary_key(cursor, oid)
            # The same order on both sides, whatever the databases' collations.
            order = ", ".join(
                f'"{column}"' + (' COLLATE "C"' if collatable else "")
                for column, collatable in key
            ) or 't::text COLLATE "C"'
            # md5 of each row, then of them all: memory stays small on big tables.
            cursor.execute(
                "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' "
                f"ORDER BY {order}), '')) FROM \"{table}\" t"
            )
            found[table] = (*cursor.fetchone(), bool(key))
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = 'public' ORDER BY sequencename"
        )
        sequences = dict(cursor.fetchall())
    return found, sequences


source, source_sequences = measure(sys.argv[1])
restored, restored_sequences = measure(sys.argv[2])
problems = []
rows = []
for table in sorted(set(source) | set(restored)):
    a, b = source.get(table), restored.get(table)
    if a is None or b is None:
        verdict = "MISSING in " + ("source" if a is None else "restore")
    elif a[:2] != b[:2]:
        verdict = "DIFFERENT " + ("row count" if a[0] != b[0] else "checksum")
    else:
        verdict = "ok"
    if verdict != "ok":
        problems.append(table)
    rows.append(
        (
            table,
            kind(table),
            "-" if a is None else str(a[0]),
            "-" if b is None else str(b[0]),
            "-" if a is None else a[1][:12],
            "pk" if a and a[2] else "row text",
            verdict,
        )
    )
header = ("table", "kind", "rows", "restored", "md5 (first 12)", "order", "verdict")
widths = [max(len(r[n]) for r in [header, *rows]) for n in range(len(header))]
line = "  ".join("{:<%d}" % w for w in widths)
print(line.format(*header))
print(line.format(*("-" * w for w in widths)))
for r in rows:
    print(line.format(*r))

sequence_problems = [
    name
    for name in sorted(set(source_sequences) | set(restored_sequences))
    if source_sequences.get(name) != restored_sequences.get(name)
]
for name in sequence_problems:
    print(
        f"sequence {name}: {source_sequences.get(name)} → "
        f"{restored_sequences.get(name)}"
    )
total = sum(r[0] for r in source.values())
business = [t for t in source if kind(t) == "business"]
by_kind = {}
for table, (count, _digest, _pk) in source.items():
    by_kind[kind(table)] = by_kind.get(kind(table), 0) + count
print(
    f"\n{len(source)} tables ({len(business)} business), {total} rows ("
    + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items()))
    + f"), {len(source_sequences)} sequences"
)
if not business or by_kind.get("business", 0) == 0:
    print("RESTORE DRILL FAILED: no business data to compare.")
    sys.exit(1)
if problems or sequence_problems:
    print(
        f"RESTORE DRILL FAILED: {len(problems)} table(s) and "
        f"{len(sequence_problems)} sequence(s) differ: "
        + ", ".join(problems + sequence_problems)
    )
    sys.exit(1)
print("Restore drill passed: every table and sequence is identical after restore.")
PYTHON
