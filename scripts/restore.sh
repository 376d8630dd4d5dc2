#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and an EMPTY storage.
# See docs/deploy.md, "Backups and restore" (the restore drill, with its measured times).
#
# Usage: scripts/restore.sh BACKUP_DIR
#
# Environment: as backup.sh: DATABASE_URL (the database to fill; its owner), DATABASE_PASSWORD_FILE,
# BACKUP_PASSPHRASE_FILE (the passphrase the backup was made with), STORAGE_BACKEND, MEDIA_ROOT
# (the directory to fill, local) or the AWS_* variables and `mc` (s3), PG_BIN.
#
# Refused, before anything is written (exit codes): a damaged backup, a file that does not match
# SHA256SUMS (3); a wrong passphrase or contents that do not match the encrypted MANIFEST (3); a
# target database that has tables, or a storage directory or bucket that has files (4). To
# replace a database, drop and create it empty first: nothing here overwrites.
#
# Then: pg_restore in one transaction (all or nothing; the append-only triggers come back with
# the schema) and the files. Afterwards run `python manage.py migrate` (a backup from an older
# release) and start the services.
set -euo pipefail
umask 077

backup="${1:?usage: scripts/restore.sh BACKUP_DIR}"
: "${DATABASE_URL:?DATABASE_URL must name the database to restore into}"
: "${BACKUP_PASSPHRASE_FILE:?BACKUP_PASSPHRASE_FILE must name the file with the passphrase of the backup}"
if [ -n "${DATABASE_PASSWORD_FILE:-}" ]; then
  PGPASSWORD="$(cat "$DATABASE_PASSWORD_FILE")"
  export PGPASSWORD
fi
if [ -n "${AWS_SECRET_ACCESS_KEY_FILE:-}" ]; then
  AWS_SECRET_ACCESS_KEY="$(cat "$AWS_SECRET_ACCESS_KEY_FILE")"
fi
STORAGE_BACKEND="${STORAGE_BACKEND:-local}"
PG_RESTORE="${PG_BIN:+$PG_BIN/}pg_restore"
PSQL="${PG_BIN:+$PG_BIN/}psql"
decrypt() { openssl enc -d -aes-256-cbc -pbkdf2 -iter 200000 -pass "file:$BACKUP_PASSPHRASE_FILE"; }
started=$(date +%s.%N)

for name in database.dump.enc media.tar.gz.enc MANIFEST.enc SHA256SUMS; do
  [ -f "$backup/$name" ] || { echo "$backup/$name is missing: not a complete backup" >&2; exit 3; }
done
echo "== checking $backup/SHA256SUMS" >&2
(cd "$backup" && sha256sum --quiet --check SHA256SUMS) || {
  echo "the backup is damaged: a file does not match SHA256SUMS" >&2; exit 3; }
manifest="$(decrypt < "$backup/MANIFEST.enc" 2>/dev/null)" || {
  echo "cannot decrypt the backup: wrong passphrase (BACKUP_PASSPHRASE_FILE) or a damaged MANIFEST" >&2
  exit 3
}
echo "== checking the contents against the encrypted MANIFEST" >&2
for name in database.dump media.tar.gz; do
  expected="$(printf '%s\n' "$manifest" | awk -v n="$name" '$2 == n { print $1 }')"
  actual="$(decrypt < "$backup/$name.enc" 2>/dev/null | sha256sum | cut -d' ' -f1)"
  if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
    echo "the backup is damaged or was altered: $name does not match its MANIFEST entry" >&2
    exit 3
  fi
done

# Both targets must be empty: checked before anything is written to either.
tables="$("$PSQL" -X "$DATABASE_URL" -tAc \
  "select count(*) from information_schema.tables where table_schema = 'public'")"
if [ "$tables" != "0" ]; then
  echo "the target database already has $tables tables: restore into an empty database" \
    "(drop and create it first to replace it)" >&2
  exit 4
fi
case "$STORAGE_BACKEND" in
  local)
    : "${MEDIA_ROOT:?MEDIA_ROOT must name the storage directory (STORAGE_BACKEND=local)}"
    if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
      echo "$MEDIA_ROOT is not empty: restore the files into an empty directory" >&2
      exit 4
    fi
    ;;
  s3)
    : "${AWS_STORAGE_BUCKET_NAME:?}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}"
    command -v mc >/dev/null || { echo "mc (MinIO client) is needed for STORAGE_BACKEND=s3" >&2; exit 2; }
    mc alias set ptsprestore "${AWS_S3_ENDPOINT_URL:-https://s3.amazonaws.com}" \
      "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >/dev/null
    if [ -n "$(mc ls --recursive "ptsprestore/$AWS_STORAGE_BUCKET_NAME" | head -n 1)" ]; then
      echo "the bucket $AWS_STORAGE_BUCKET_NAME is not empty: restore the files into an empty bucket" >&2
      exit 4
    fi
    ;;
  *)
    echo "STORAGE_BACKEND must be local or s3, not '$STORAGE_BACKEND'" >&2
    exit 2
    ;;
esac

echo "== database <- $backup/database.dump.enc" >&2
decrypt < "$backup/database.dump.enc" | "$PG_RESTORE" --no-owner --no-privileges --exit-on-error \
  --single-transaction --dbname="$DATABASE_URL"

case "$STORAGE_BACKEND" in
  local)
    echo "== files -> $MEDIA_ROOT" >&2
    mkdir -p "$MEDIA_ROOT"
    decrypt < "$backup/media.tar.gz.enc" | tar -C "$MEDIA_ROOT" -xzf -
    ;;
  s3)
    staging="$(mktemp -d)"
    trap 'rm -rf "$staging"' EXIT
    decrypt < "$backup/media.tar.gz.enc" | tar -C "$staging" -xzf -
    echo "== files -> bucket $AWS_STORAGE_BUCKET_NAME" >&2
    mc mirror --quiet "$staging/" "ptsprestore/$AWS_STORAGE_BUCKET_NAME"
    ;;
esac
elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "== restored in ${elapsed}s; now run: python manage.py migrate" >&2
