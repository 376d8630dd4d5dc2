#!/usr/bin/env bash
# Back up PTSP Online: the PostgreSQL database and the file storage (uploaded documents,
# recommendation letters, signed permits). See docs/deploy.md, "Backups and restore".
#
# Usage: scripts/backup.sh [OUTPUT_DIR]          (default: $BACKUP_DIR or ./backups)
#
# Environment:
#   DATABASE_URL      postgres://user:password@host:5432/ptsp   (required)
#   STORAGE_BACKEND   local (default) or s3
#   MEDIA_ROOT        the storage directory when STORAGE_BACKEND=local (required then)
#   AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_STORAGE_BUCKET_NAME
#                     when STORAGE_BACKEND=s3: the bucket is mirrored with MinIO's `mc`
#   PG_BIN            directory of pg_dump if it is not on PATH (it must be at least the
#                     server's major version: with compose, run it in the db image, see docs)
#
# Writes OUTPUT_DIR/ptsp-<UTC time>/ with database.dump (pg_dump custom format), media.tar.gz
# (local) or media/ (s3), and SHA256SUMS; prints that directory's path on the last line.
set -euo pipefail
umask 077

: "${DATABASE_URL:?DATABASE_URL must name the database to back up}"
STORAGE_BACKEND="${STORAGE_BACKEND:-local}"
PG_DUMP="${PG_BIN:+$PG_BIN/}pg_dump"
out_dir="${1:-${BACKUP_DIR:-./backups}}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$out_dir/ptsp-$stamp"
mkdir -p "$target"

echo "== database -> $target/database.dump" >&2
# Custom format: compressed, restorable table by table, schema and data in one file.
"$PG_DUMP" --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" \
  --file="$target/database.dump"

case "$STORAGE_BACKEND" in
  local)
    : "${MEDIA_ROOT:?MEDIA_ROOT must name the storage directory (STORAGE_BACKEND=local)}"
    echo "== files $MEDIA_ROOT -> $target/media.tar.gz" >&2
    mkdir -p "$MEDIA_ROOT"
    tar -C "$MEDIA_ROOT" -czf "$target/media.tar.gz" .
    ;;
  s3)
    : "${AWS_STORAGE_BUCKET_NAME:?}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}"
    command -v mc >/dev/null || { echo "mc (MinIO client) is needed for STORAGE_BACKEND=s3" >&2; exit 2; }
    echo "== bucket $AWS_STORAGE_BUCKET_NAME -> $target/media/" >&2
    mc alias set ptspbackup "${AWS_S3_ENDPOINT_URL:-https://s3.amazonaws.com}" \
      "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >/dev/null
    mc mirror --quiet "ptspbackup/$AWS_STORAGE_BUCKET_NAME" "$target/media/"
    ;;
  *)
    echo "STORAGE_BACKEND must be local or s3, not '$STORAGE_BACKEND'" >&2
    exit 2
    ;;
esac

{
  echo "created_utc=$stamp"
  echo "storage_backend=$STORAGE_BACKEND"
  echo "pg_dump=$("$PG_DUMP" --version)"
} > "$target/BACKUP-INFO"
(cd "$target" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
echo "== done" >&2
echo "$target"
