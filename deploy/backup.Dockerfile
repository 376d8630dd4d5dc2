# The backup tool: pg_dump/pg_restore of the same major version as the db service
# (PostgreSQL 16) and MinIO's mc for the file bucket, with scripts/backup.sh and restore.sh.
#   docker compose run --rm backup                          # -> ./backups/ptsp-<time>/
#   docker compose run --rm backup restore.sh /backups/ptsp-<time>
#   docker compose run --rm backup restore_drill.sh /backups/ptsp-<time>
ARG MC_IMAGE=minio/mc:RELEASE.2024-10-08T09-37-26Z
FROM ${MC_IMAGE} AS mc

FROM postgres:16-bookworm
# openssl encrypts the backups (scripts/backup.sh).
RUN apt-get update && apt-get install -y --no-install-recommends openssl \
  && rm -rf /var/lib/apt/lists/*
COPY --from=mc /usr/bin/mc /usr/bin/mc
COPY scripts/backup.sh scripts/restore.sh scripts/restore_drill.sh /usr/local/bin/
ENV HOME=/tmp
ENTRYPOINT []
