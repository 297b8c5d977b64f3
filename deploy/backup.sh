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
#
# Files are archived AFTER the dump, so that every file the dump references
# (written before its row committed) is still there when tar reads it: nothing
# removes a referenced file, and unreferenced ones are removed only by
# `manage.py sweep_orphan_files` (thidua-sweep-files), which keeps a 24-hour
# grace period and takes the same lock on MEDIA_ROOT (flock) as this script, so
# a sweep never runs between the dump and the archive. scripts/restore-drill.sh
# checks that every file the restored database references is in the archive.
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

BACKUP_MEDIA=${BACKUP_MEDIA:-0}
if [ "$BACKUP_MEDIA" = "1" ]; then
  : "${MEDIA_ROOT:?BACKUP_MEDIA=1 needs MEDIA_ROOT}"
  [ -d "$MEDIA_ROOT" ] || { echo "backup.sh: MEDIA_ROOT $MEDIA_ROOT is not a directory." >&2; exit 1; }
  # Held until the script exits: the orphan sweep waits (deploy/systemd/
  # thidua-sweep-files.service runs under `flock MEDIA_ROOT`).
  exec 9<"$MEDIA_ROOT"
  flock 9
fi

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

if [ "$BACKUP_MEDIA" = "1" ]; then
  # After the dump (see above); written aside, then renamed, like the dump.
  media="$BACKUP_DIR/thidua-media-$stamp.tar.gz"
  trap 'rm -f "$partial" "$media.partial"' EXIT
  tar -C "$MEDIA_ROOT" -czf "$media.partial" .
  mv "$media.partial" "$media"
  echo "backup.sh: media in $media"
fi

find "$BACKUP_DIR" -maxdepth 1 -type f -name 'thidua-*' -mtime +"$BACKUP_KEEP_DAYS" \
  -print -delete
echo "$dump"
