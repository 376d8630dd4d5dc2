import time

import pytest
from django.core.management import call_command

from agencies.demo import DEMO_PASSWORD
from tests.signing_fixtures import (  # noqa: F401 - issuance fixtures
    _dev_certificate_files,
    local_tsa,
    region_certs,
    signing_cert,
)


def _flush_past_the_truncate_triggers() -> None:
    """Transactional tests end with Django's flush, one TRUNCATE of every table; the append-only
    logs refuse TRUNCATE for every role (ptsp.db.refuse_truncate). The test database's superuser
    steps around the triggers the one deliberate way, for the flush's own transaction only."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        return ["SET LOCAL session_replication_role = replica", *statements] if statements else []

    DatabaseOperations.sql_flush = sql_flush


_flush_past_the_truncate_triggers()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _language_reset():
    """Every test starts and ends in the default language: a request with an English cookie
    activates English in the thread (LocaleMiddleware), which would otherwise leak into the
    next test's service messages."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and issued files of each test go to its own directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def demo(db):
    """The demo regions, agencies and staff of every role (agencies.demo)."""
    call_command("seed_demo", "--quiet")


@pytest.fixture
def login(client):
    def _login(email: str, password: str = DEMO_PASSWORD):
        assert client.login(username=email, password=password), f"cannot log in as {email}"
        return client

    return _login


@pytest.fixture
def run_outbox():
    """Run the pending outbox work in-process, as the worker would."""
    from outbox.testing import run_pending

    return run_pending


def point_celery_at(settings, monkeypatch, url: str) -> None:
    """Make Django's settings and the Celery app name `url` as the broker, and drop the pooled
    connections to the old one. (Celery reads CELERY_BROKER_URL from the environment first.)"""
    from ptsp.celery import app

    settings.CELERY_BROKER_URL = url
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    app.config_from_object("django.conf:settings", namespace="CELERY", force=True)
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(settings, monkeypatch):
    """A Redis on a spare port that the test starts and stops itself (not started yet); Celery
    and the outbox point at it and publish on commit, as in production."""
    from ptsp.servers import RedisServer

    server = RedisServer()
    old_url = settings.CELERY_BROKER_URL
    settings.OUTBOX_PUBLISH_ON_COMMIT = True
    point_celery_at(settings, monkeypatch, server.url)
    yield server
    server.stop()
    point_celery_at(settings, monkeypatch, old_url)


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def english(settings):
    """Run the test in English, for tests that read messages in English: active now, and the
    default of every request the test makes (LocaleMiddleware activates it per request)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
