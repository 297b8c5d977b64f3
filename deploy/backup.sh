#!/usr/bin/env bash
# Nightly backup of the database (run by deploy/systemd/thidua-backup.timer):
# a compressed custom-format dump (`pg_dump -Fc`) of DATABASE_URL into
# BACKUP_DIR, checked readable (`pg_restore --list`) before it replaces nothing,
# and dumps older than BACKUP_KEEP_DAYS removed. Prints the dump's path last.
#
#   DATABASE_URL=postgres://… BACKUP_DIR=/var/backups/thidua deploy/backup.sh
#
# Evidence files: with DJANGO_S3_BUCKET, turn on the bucket's versioning and
# replicate it (the object store's own tools); with files on the disk, set
# BACKUP_MEDIA=1 to add a tar of MEDIA_ROOT beside the dump.
# Copy BACKUP_DIR off the host (e.g. rclone, borg) — a backup on the same disk
# is not a backup. Test a dump with scripts/restore-drill.sh.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must be set (postgres://user:password@host:5432/db)}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/thidua}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL is not PostgreSQL; nothing to dump." >&2; exit 2 ;;
esac

# The newest client tools installed (a dump needs pg_dump ≥ the server's version).
if [ -z "${PG_BIN:-}" ]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$PG_BIN" ] || PG_BIN=$(dirname "$(command -v pg_dump)")
fi

umask 077
mkdir -p "$BACKUP_DIR"
stamp=$(date -u +%Y%m%d-%H%M%S)
dump="$BACKUP_DIR/thidua-$stamp.dump"
partial="$dump.partial"
trap 'rm -f "$partial"' EXIT

started=$(date +%s)
"$PG_BIN/pg_dump" --format=custom --compress=6 \
  --file="$partial" --dbname="$DATABASE_URL"
# A dump that pg_restore cannot read is worth nothing: check before keeping it.
entries=$("$PG_BIN/pg_restore" --list "$partial" | grep -c 'TABLE DATA' || true)
if [ "$entries" -eq 0 ]; then
  echo "backup.sh: the dump has no table data; refusing it." >&2
  exit 1
fi
mv "$partial" "$dump"
echo "backup.sh: $(du -h "$dump" | cut -f1) dump with $entries tables in $(($(date +%s) - started)) s"

if [ "${BACKUP_MEDIA:-0}" = "1" ] && [ -n "${MEDIA_ROOT:-}" ] && [ -d "$MEDIA_ROOT" ]; then
  tar -C "$MEDIA_ROOT" -czf "$BACKUP_DIR/thidua-media-$stamp.tar.gz" .
  echo "backup.sh: media in $BACKUP_DIR/thidua-media-$stamp.tar.gz"
fi

find "$BACKUP_DIR" -maxdepth 1 -type f -name 'thidua-*' -mtime +"$BACKUP_KEEP_DAYS" \
  -print -delete
echo "$dump"
