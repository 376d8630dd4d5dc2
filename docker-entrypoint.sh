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
