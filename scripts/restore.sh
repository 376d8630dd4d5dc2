#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and an EMPTY storage.
# See docs/deploy.md, "Backups and restore".
#
# Usage: scripts/restore.sh BACKUP_DIR
#
# Environment: the same as backup.sh (DATABASE_URL names the database to fill; MEDIA_ROOT the
# directory to fill when STORAGE_BACKEND=local; the AWS_* variables and `mc` for s3).
# RESTORE_INTO_NON_EMPTY=1 lets it drop and recreate the objects of a non-empty database
# (pg_restore --clean); by default a database that already has tables is refused.
#
# Steps: checks SHA256SUMS; pg_restore in one transaction (all or nothing); unpacks the files.
# Afterwards run `python manage.py migrate` (a backup from an older release) and start the
# services.
set -euo pipefail

backup="${1:?usage: scripts/restore.sh BACKUP_DIR}"
: "${DATABASE_URL:?DATABASE_URL must name the database to restore into}"
STORAGE_BACKEND="${STORAGE_BACKEND:-local}"
PG_RESTORE="${PG_BIN:+$PG_BIN/}pg_restore"
PSQL="${PG_BIN:+$PG_BIN/}psql"

[ -f "$backup/database.dump" ] || { echo "$backup/database.dump is missing" >&2; exit 2; }
echo "== checking $backup/SHA256SUMS" >&2
(cd "$backup" && sha256sum --quiet --check SHA256SUMS) || {
  echo "the backup is damaged: a file does not match SHA256SUMS" >&2; exit 3; }

tables="$("$PSQL" "$DATABASE_URL" -tAc \
  "select count(*) from information_schema.tables where table_schema = 'public'")"
clean=()
if [ "$tables" != "0" ]; then
  if [ "${RESTORE_INTO_NON_EMPTY:-0}" = "1" ]; then
    clean=(--clean --if-exists)
  else
    echo "the target database already has $tables tables: restore into an empty database" \
      "(or set RESTORE_INTO_NON_EMPTY=1 to replace its contents)" >&2
    exit 4
  fi
fi

echo "== database <- $backup/database.dump" >&2
"$PG_RESTORE" --no-owner --no-privileges --exit-on-error --single-transaction "${clean[@]}" \
  --dbname="$DATABASE_URL" "$backup/database.dump"

case "$STORAGE_BACKEND" in
  local)
    : "${MEDIA_ROOT:?MEDIA_ROOT must name the storage directory (STORAGE_BACKEND=local)}"
    mkdir -p "$MEDIA_ROOT"
    if [ -n "$(ls -A "$MEDIA_ROOT")" ] && [ "${RESTORE_INTO_NON_EMPTY:-0}" != "1" ]; then
      echo "$MEDIA_ROOT is not empty: restore the files into an empty directory" >&2
      exit 4
    fi
    echo "== files -> $MEDIA_ROOT" >&2
    tar -C "$MEDIA_ROOT" -xzf "$backup/media.tar.gz"
    ;;
  s3)
    : "${AWS_STORAGE_BUCKET_NAME:?}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}"
    command -v mc >/dev/null || { echo "mc (MinIO client) is needed for STORAGE_BACKEND=s3" >&2; exit 2; }
    mc alias set ptsprestore "${AWS_S3_ENDPOINT_URL:-https://s3.amazonaws.com}" \
      "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >/dev/null
    mc mb --ignore-existing "ptsprestore/$AWS_STORAGE_BUCKET_NAME" >/dev/null
    mc mirror --quiet "$backup/media/" "ptsprestore/$AWS_STORAGE_BUCKET_NAME"
    ;;
  *)
    echo "STORAGE_BACKEND must be local or s3, not '$STORAGE_BACKEND'" >&2
    exit 2
    ;;
esac
echo "== restored; now run: python manage.py migrate" >&2
