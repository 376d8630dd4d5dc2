#!/usr/bin/env bash
# Make the compose secrets of docker-compose.yml that are random values, in ./secrets/ (or DIR):
# one file each, mode 600, never overwritten (run it again after adding a service: it only
# fills in what is missing). The signing certificate and its CA are yours to copy in
# (docs/deploy.md, "The signing certificate"); so are the passwords given to you by others:
# write them into the files named below instead (smtp_password: your SMTP server's, empty if
# none; signing_passphrase: the PKCS#12's; bsre_password and bsre_client_secret: the BSrE
# account's, empty if BSrE is not used).
#
# Usage: scripts/make_secrets.sh [DIR]
set -euo pipefail
umask 077
dir="${1:-./secrets}"
mkdir -p "$dir"
chmod 700 "$dir"

random() { openssl rand -base64 $(( $1 * 2 )) | tr -d '\n/+=' | cut -c1-"$1" | tr -d '\n'; }

for name in secret_key:64 postgres_password:32 db_app_password:32 minio_root_password:32 \
  storage_app_secret:40 metrics_token:40 backup_passphrase:48; do
  file="$dir/${name%%:*}"
  if [ ! -e "$file" ]; then
    random "${name##*:}" > "$file"
    echo "made $file"
  fi
done
if [ ! -e "$dir/bsre_sealing_key" ]; then
  openssl rand -base64 32 | tr -d '\n' > "$dir/bsre_sealing_key"
  echo "made $dir/bsre_sealing_key"
fi
for name in smtp_password signing_passphrase bsre_password bsre_client_secret; do
  file="$dir/$name"
  if [ ! -e "$file" ]; then
    : > "$file"
    echo "made $file (empty: write the real value into it)"
  fi
done
echo "Keep a copy of $dir/backup_passphrase off this server: backups cannot be restored without it." >&2
