#!/bin/sh
# One image, several roles: web | worker | beat | migrate | manage ARGS... | any command.
# See docs/deploy.md. Secrets come from the environment (and files under /run/secrets),
# never from the image.
set -eu

fresh_metrics_dir() {
  # Prometheus multiprocess files from a previous run would be merged into the counters.
  if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    rm -rf "${PROMETHEUS_MULTIPROC_DIR:?}"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
  fi
}

# Compose secrets: NAME_FILE names a file (under /run/secrets) whose content becomes NAME, so that
# passwords and keys are never plain variables of the container. Setting both is refused.
file_env() {
  var="$1"
  file_var="${var}_FILE"
  eval "file=\${$file_var:-}"
  eval "value=\${$var:-}"
  if [ -n "$file" ]; then
    if [ -n "$value" ]; then
      echo "both $var and $file_var are set: set only one" >&2
      exit 2
    fi
    if [ ! -r "$file" ]; then
      echo "$file_var names $file, which cannot be read" >&2
      exit 2
    fi
    value="$(cat "$file")"
    export "$var=$value"
    unset "$file_var"
  fi
}
for name in SECRET_KEY DATABASE_PASSWORD AWS_SECRET_ACCESS_KEY SIGNING_CERT_PASSPHRASE \
  METRICS_TOKEN EMAIL_HOST_PASSWORD BSRE_PASSWORD BSRE_CLIENT_SECRET BSRE_SEALING_KEY; do
  file_env "$name"
done
# DATABASE_URL from its parts when compose gives them (the password from its secret file).
if [ -z "${DATABASE_URL:-}" ] && [ -n "${DATABASE_HOST:-}" ]; then
  DATABASE_URL="$(python -c 'import os
from urllib.parse import quote
e = os.environ
password = quote(e.get("DATABASE_PASSWORD", ""), safe="")
print("postgres://%s:%s@%s:%s/%s" % (quote(e["DATABASE_USER"], safe=""), password,
      e["DATABASE_HOST"], e.get("DATABASE_PORT", "5432"), e["DATABASE_NAME"]))')"
  export DATABASE_URL
  unset DATABASE_PASSWORD
fi

role="${1:-web}"
case "$role" in
  web)
    fresh_metrics_dir
    exec gunicorn ptsp.wsgi:application --config ptsp/gunicorn_conf.py
    ;;
  worker)
    fresh_metrics_dir
    # SIGTERM -> cold shutdown after CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT: unfinished tasks go
    # back to the queue (compose sets REMAP_SIGTERM=SIGQUIT; docs/deploy.md).
    # --quiet: no start-up banner on stdout; every line is a log line (JSON in production).
    exec celery -A ptsp --quiet worker \
      --loglevel "${LOG_LEVEL:-INFO}" \
      --concurrency "${WORKER_CONCURRENCY:-2}" \
      --hostname "worker@%h" \
      --without-mingle --without-gossip
    ;;
  beat)
    # The scheduler class (a Redis lock: exactly one sends) comes from CELERY_BEAT_SCHEDULER.
    exec celery -A ptsp --quiet beat --loglevel "${LOG_LEVEL:-INFO}" \
      --schedule "${PTSP_VAR_DIR:-/tmp}/celerybeat-schedule"
    ;;
  migrate)
    python manage.py migrate --noinput
    python manage.py createcachetable
    # The web, worker and beat services connect as the application's own role: rows only, no
    # TRUNCATE, the append-only logs read and insert (deploy/app-role.sql). `migrate` is the
    # owner; it (re)grants after every migration.
    if [ -n "${APP_DATABASE_USER:-}" ]; then
      exec python -m ptsp.dbrole
    fi
    ;;
  manage)
    shift
    exec python manage.py "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
