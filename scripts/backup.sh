#!/usr/bin/env bash
# Back up PTSP Online: the PostgreSQL database and the stored files (uploaded documents,
# recommendation letters, inspection photos, signed permits, letterheads), at ONE point in time,
# encrypted, keeping the newest BACKUP_KEEP. See docs/deploy.md, "Backups and restore".
#
# Usage: scripts/backup.sh [OUTPUT_DIR]          (default: $BACKUP_DIR or ./backups)
#
# Environment:
#   DATABASE_URL      postgres://user[:password]@host:5432/ptsp (required; the tables' owner)
#   DATABASE_PASSWORD_FILE   the password, from a file (a compose secret), if not in the URL
#   BACKUP_PASSPHRASE_FILE   the encryption passphrase, from a file (required: a backup holds
#                     personal data and is never written in clear)
#   BACKUP_KEEP       how many backups to keep in OUTPUT_DIR, the newest (default 14)
#   STORAGE_BACKEND   local (default) or s3
#   MEDIA_ROOT        the storage directory when STORAGE_BACKEND=local (required then)
#   AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (or _FILE),
#   AWS_STORAGE_BUCKET_NAME   when STORAGE_BACKEND=s3: the files are copied with MinIO's `mc`
#   PG_BIN            directory of pg_dump and psql if they are not on PATH (pg_dump must be at
#                     least the server's major version: with compose, use the backup image)
#
# One point in time: a read-only REPEATABLE READ transaction exports its snapshot; pg_dump dumps
# that snapshot (--snapshot) and the list of stored files is read from the same snapshot, so the
# backup holds exactly the files that its database names, whatever is written meanwhile. A named
# file missing from storage (deleted meanwhile) fails the backup: run it again.
#
# Writes OUTPUT_DIR/ptsp-<UTC time>/ with database.dump.enc (pg_dump custom format), media.tar.gz.enc
# (the named files), MANIFEST.enc (SHA-256 of the clear contents, checked at restore),
# BACKUP-INFO, SHA256SUMS (of the encrypted files: damage shows without the passphrase);
# encryption: openssl enc AES-256-CBC, PBKDF2 (200,000 iterations), salted. The directory
# appears under its final name only when complete. Prints its path on the last line.
set -euo pipefail
umask 077

: "${DATABASE_URL:?DATABASE_URL must name the database to back up}"
: "${BACKUP_PASSPHRASE_FILE:?BACKUP_PASSPHRASE_FILE must name the file with the encryption passphrase}"
[ -s "$BACKUP_PASSPHRASE_FILE" ] || { echo "$BACKUP_PASSPHRASE_FILE is empty or unreadable" >&2; exit 2; }
if [ -n "${DATABASE_PASSWORD_FILE:-}" ]; then
  PGPASSWORD="$(cat "$DATABASE_PASSWORD_FILE")"
  export PGPASSWORD
fi
if [ -n "${AWS_SECRET_ACCESS_KEY_FILE:-}" ]; then
  AWS_SECRET_ACCESS_KEY="$(cat "$AWS_SECRET_ACCESS_KEY_FILE")"
fi
STORAGE_BACKEND="${STORAGE_BACKEND:-local}"
KEEP="${BACKUP_KEEP:-14}"
case "$KEEP" in ''|*[!0-9]*|0) echo "BACKUP_KEEP must be a whole number of at least 1, not '$KEEP'" >&2; exit 2;; esac
case "$STORAGE_BACKEND" in
  local) : "${MEDIA_ROOT:?MEDIA_ROOT must name the storage directory (STORAGE_BACKEND=local)}" ;;
  s3)
    : "${AWS_STORAGE_BUCKET_NAME:?}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}"
    command -v mc >/dev/null || { echo "mc (MinIO client) is needed for STORAGE_BACKEND=s3" >&2; exit 2; }
    ;;
  *) echo "STORAGE_BACKEND must be local or s3, not '$STORAGE_BACKEND'" >&2; exit 2 ;;
esac
PG_DUMP="${PG_BIN:+$PG_BIN/}pg_dump"
PSQL="${PG_BIN:+$PG_BIN/}psql"
encrypt() { openssl enc -aes-256-cbc -salt -pbkdf2 -iter 200000 -pass "file:$BACKUP_PASSPHRASE_FILE"; }
decrypt() { openssl enc -d -aes-256-cbc -pbkdf2 -iter 200000 -pass "file:$BACKUP_PASSPHRASE_FILE"; }

# Every column that names a stored file (tests/test_backup_restore.py keeps this list equal to
# the models' FileFields).
FILE_COLUMNS="agencies_region.logo agencies_review.letter agencies_inspectionphoto.file
permits_requirement.template permits_permit.file permits_rejectionletter.file
applications_document.file fees_bill.pdf fees_paymentproof.file fees_interestnotice.pdf"
files_sql=""
for column in $FILE_COLUMNS; do
  table="${column%%.*}"; field="${column##*.}"
  files_sql="${files_sql:+$files_sql UNION }SELECT $field FROM $table WHERE $field <> ''"
done

out_dir="${1:-${BACKUP_DIR:-./backups}}"
mkdir -p "$out_dir"
stamp="$(date -u +%Y%m%dT%H%M%S.%3NZ)"
target="$out_dir/ptsp-$stamp"
work="$target.partial"
mkdir "$work"
trap 'rm -rf "$work"' EXIT
started=$(date +%s.%N)

# The snapshot: held by this psql session until the file list is read.
coproc SNAP { "$PSQL" -X -q -t -A -v ON_ERROR_STOP=1 --dbname="$DATABASE_URL" 2>"$work/snapshot.err"; }
# bash unsets SNAP and SNAP_PID (and closes its descriptors) as soon as the coprocess ends:
# keep the pid and our own copies of the descriptors.
snap_pid=$SNAP_PID
exec {snap_in}>&"${SNAP[1]}" {snap_out}<&"${SNAP[0]}"
{ printf '%s\n' "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;" "SELECT pg_export_snapshot();" >&"$snap_in"; } 2>/dev/null || true
snapshot=""
IFS= read -r snapshot <&"$snap_out" || true
case "$snapshot" in
  [0-9A-F]*-*) ;;
  *)
    wait "$snap_pid" 2>/dev/null || true
    echo "could not take a snapshot of the database: $(cat "$work/snapshot.err" 2>/dev/null)" >&2
    exit 5
    ;;
esac
echo "== database (snapshot $snapshot) -> $target/database.dump.enc" >&2
"$PG_DUMP" --format=custom --no-owner --no-privileges --snapshot="$snapshot" \
  --dbname="$DATABASE_URL" | encrypt > "$work/database.dump.enc"
printf '%s\n' "$files_sql;" '\echo __PTSP_FILES_END__' >&"$snap_in"
: > "$work/files.list"
listed=0
while IFS= read -r line <&"$snap_out"; do
  [ "$line" = "__PTSP_FILES_END__" ] && { listed=1; break; }
  printf '%s\n' "$line" >> "$work/files.list"
done
if [ "$listed" != 1 ]; then
  echo "the list of stored files could not be read from the snapshot: $(cat "$work/snapshot.err" 2>/dev/null)" >&2
  exit 5
fi
printf '%s\n' "COMMIT;" '\q' >&"$snap_in"
exec {snap_in}>&- {snap_out}<&-
wait "$snap_pid" 2>/dev/null || true
rm -f "$work/snapshot.err"
sort -u -o "$work/files.list" "$work/files.list"
file_count=$(wc -l < "$work/files.list")

case "$STORAGE_BACKEND" in
  local)
    echo "== $file_count files named by the database, $MEDIA_ROOT -> $target/media.tar.gz.enc" >&2
    while IFS= read -r name; do
      [ -f "$MEDIA_ROOT/$name" ] || {
        echo "the database names $name but $MEDIA_ROOT has no such file (deleted meanwhile?): back up again" >&2
        exit 6
      }
    done < "$work/files.list"
    tar -C "$MEDIA_ROOT" --verbatim-files-from -T "$work/files.list" -czf - | encrypt > "$work/media.tar.gz.enc"
    ;;
  s3)
    echo "== $file_count files named by the database, bucket $AWS_STORAGE_BUCKET_NAME -> $target/media.tar.gz.enc" >&2
    mc alias set ptspbackup "${AWS_S3_ENDPOINT_URL:-https://s3.amazonaws.com}" \
      "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >/dev/null
    staging="$(mktemp -d)"
    trap 'rm -rf "$work" "$staging"' EXIT
    while IFS= read -r name; do
      mc cp --quiet "ptspbackup/$AWS_STORAGE_BUCKET_NAME/$name" "$staging/$name" >/dev/null || {
        echo "the database names $name but the bucket has no such object: back up again" >&2
        exit 6
      }
    done < "$work/files.list"
    tar -C "$staging" --verbatim-files-from -T "$work/files.list" -czf - | encrypt > "$work/media.tar.gz.enc"
    ;;
esac

# Check what was written by reading it back through the decryption; record the clear digests.
echo "== verifying the encrypted files" >&2
{
  for name in database.dump media.tar.gz; do
    printf '%s  %s\n' "$(decrypt < "$work/$name.enc" | sha256sum | cut -d' ' -f1)" "$name"
  done
  (cd "$work" && sha256sum files.list)
} | encrypt > "$work/MANIFEST.enc"
decrypt < "$work/MANIFEST.enc" > /dev/null
{
  echo "created_utc=$stamp"
  echo "snapshot=$snapshot"
  echo "files=$file_count"
  echo "storage_backend=$STORAGE_BACKEND"
  echo "encryption=openssl enc -aes-256-cbc -pbkdf2 -iter 200000"
  echo "pg_dump=$("$PG_DUMP" --version)"
} > "$work/BACKUP-INFO"
gzip -c "$work/files.list" | encrypt > "$work/files.list.gz.enc"
rm "$work/files.list"
(cd "$work" && find . -type f ! -name SHA256SUMS -printf '%P\0' | sort -z | xargs -0 sha256sum > SHA256SUMS)
mv "$work" "$target"
trap - EXIT
[ -n "${staging:-}" ] && rm -rf "$staging"

# Retention: the newest $KEEP complete backups stay; older ones and leftovers of failed runs go.
find "$out_dir" -maxdepth 1 -type d -name 'ptsp-*.partial' -mmin +60 -exec rm -rf {} +
mapfile -t complete < <(find "$out_dir" -maxdepth 1 -type d -name 'ptsp-*' ! -name '*.partial' -printf '%f\n' | sort)
removed=0
while [ "${#complete[@]}" -gt "$KEEP" ]; do
  rm -rf "${out_dir:?}/${complete[0]}"
  complete=("${complete[@]:1}")
  removed=$((removed + 1))
done
elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "== done in ${elapsed}s: $file_count files; kept ${#complete[@]} backups, removed $removed" >&2
echo "$target"
