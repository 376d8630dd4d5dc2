# syntax=docker/dockerfile:1
# PTSP Online: one image for web (gunicorn), worker (celery) and beat (celery beat).
# Build:  docker compose build      Run: see docs/deploy.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=ptsp.settings \
    PTSP_VAR_DIR=/tmp/ptsp \
    STATIC_ROOT=/app/staticfiles

# WeasyPrint (Pango, fonts) for the permit PDFs; poppler-utils (pdfsig, pdftoppm) for checking
# them; gettext for compiling the translations at build time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The pinned versions of requirements.lock, without the test-only tools that are large
# (browser automation, the pip-shipped PostgreSQL, the linters).
COPY requirements.lock ./
RUN grep -viE '^(playwright|pytest-playwright|pgserver|ruff|import-linter|grimp)==' requirements.lock > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

RUN groupadd --system --gid 10001 ptsp \
 && useradd --system --uid 10001 --gid ptsp --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin ptsp

COPY --chown=ptsp:ptsp . .

# Static files and message catalogues at build time. The values below exist only so that the
# production settings load here (the sealing key is base64 of "build-time-only-not-a-secret-000");
# they are not secrets and are not kept in the image's
# environment (each is set on this RUN line only).
RUN DJANGO_ENV=production \
    SECRET_KEY=build-time-only-not-a-secret-0000000000000000000000000000000 \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid:5432/build \
    BSRE_SEALING_KEY=YnVpbGQtdGltZS1vbmx5LW5vdC1hLXNlY3JldC0wMDA= \
    python manage.py collectstatic --noinput -v 0 \
 && DJANGO_ENV=production \
    SECRET_KEY=build-time-only-not-a-secret-0000000000000000000000000000000 \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid:5432/build \
    BSRE_SEALING_KEY=YnVpbGQtdGltZS1vbmx5LW5vdC1hLXNlY3JldC0wMDA= \
    python manage.py compilemessages -v 0 \
 && chown -R ptsp:ptsp /app/staticfiles /app/locale

USER ptsp
EXPOSE 8000 9100
ENTRYPOINT ["/app/docker-entrypoint.sh"]
CMD ["web"]
