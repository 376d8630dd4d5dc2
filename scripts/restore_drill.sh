#!/usr/bin/env bash
# The restore drill (docs/deploy.md, "Backups and restore"): restore a backup made by
# scripts/backup.sh into a scratch database and a scratch directory on the same server, check
# it, print how long each step took, and drop the scratch copies. Nothing of the live portal is
# touched. Run it after every change of the backup set-up and every few months.
#
# Usage: scripts/restore_drill.sh BACKUP_DIR
#
# Environment: DATABASE_URL (any database on the server, as a role that may CREATE DATABASE: the
# owner), DATABASE_PASSWORD_FILE, BACKUP_PASSPHRASE_FILE, PG_BIN; DRILL_KEEP=1 keeps the scratch
# database and directory for a look.
#
# Checks: restore.sh succeeds (checksums, passphrase, MANIFEST, pg_restore in one transaction);
# every document and permit file named by the restored database is there with its SHA-256; the
# event log is still append-only. Prints the row counts and the times; exits non-zero on any
# failure.
set -euo pipefail
umask 077

backup="${1:?usage: scripts/restore_drill.sh BACKUP_DIR}"
: "${DATABASE_URL:?DATABASE_URL must name a database on the server (as its owner)}"
if [ -n "${DATABASE_PASSWORD_FILE:-}" ]; then
  PGPASSWORD="$(cat "$DATABASE_PASSWORD_FILE")"
  export PGPASSWORD
  unset DATABASE_PASSWORD_FILE
fi
PSQL="${PG_BIN:+$PG_BIN/}psql"
here="$(cd "$(dirname "$0")" && pwd)"
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

scratch="ptsp_drill_$(date -u +%Y%m%d%H%M%S)_$$"
# The same server and options, the scratch database's name in place of the path.
base="${DATABASE_URL%%\?*}"
query="${DATABASE_URL#"$base"}"
scratch_url="${base%/*}/$scratch$query"
media="$(mktemp -d)/media"
cleanup() {
  if [ "${DRILL_KEEP:-0}" = "1" ]; then
    echo "kept: database $scratch, files $media" >&2
  else
    "$PSQL" -X -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS \"$scratch\"" >/dev/null || true
    rm -rf "$(dirname "$media")"
  fi
}
trap cleanup EXIT

"$PSQL" -X -q "$DATABASE_URL" -c "CREATE DATABASE \"$scratch\"" >/dev/null
echo "== drill: $backup -> database $scratch, files $media" >&2
size="$(du -sh "$backup" | cut -f1)"
started="$(now)"
DATABASE_URL="$scratch_url" STORAGE_BACKEND=local MEDIA_ROOT="$media" "$here/restore.sh" "$backup"
restore_seconds="$(took "$started")"

started="$(now)"
bad=0
checked=0
while IFS='|' read -r name sha; do
  [ -n "$name" ] || continue
  checked=$((checked + 1))
  if [ ! -f "$media/$name" ]; then
    echo "MISSING $name" >&2; bad=$((bad + 1))
  elif [ "$(sha256sum "$media/$name" | cut -d' ' -f1)" != "$sha" ]; then
    echo "CHANGED $name" >&2; bad=$((bad + 1))
  fi
done < <("$PSQL" -X -tA "$scratch_url" -c \
  "SELECT file, sha256 FROM applications_document WHERE file <> ''
   UNION ALL SELECT file, sha256 FROM permits_permit WHERE file <> ''")
if "$PSQL" -X -q "$scratch_url" -c "UPDATE applications_event SET note = note WHERE id IN (SELECT id FROM applications_event LIMIT 1)" >/dev/null 2>&1 \
  && [ "$("$PSQL" -X -tA "$scratch_url" -c 'SELECT count(*) FROM applications_event')" != "0" ]; then
  echo "the restored event log accepts UPDATE: its append-only trigger is missing" >&2; bad=$((bad + 1))
fi
check_seconds="$(took "$started")"
counts="$("$PSQL" -X -tA -F' ' "$scratch_url" -c \
  "SELECT (SELECT count(*) FROM applications_application), (SELECT count(*) FROM applications_event),
          (SELECT count(*) FROM applications_document), (SELECT count(*) FROM permits_permit)")"
read -r applications events documents permits <<< "$counts"
echo "backup $size; restore ${restore_seconds}s; check ${check_seconds}s ($checked files)"
echo "restored: $applications applications, $events events, $documents documents, $permits permits"
if [ "$bad" -ne 0 ]; then
  echo "DRILL FAILED: $bad problem(s) above" >&2
  exit 1
fi
echo "drill passed"
