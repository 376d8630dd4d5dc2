import os
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

_clock_traveller = None


def pytest_sessionstart(session):
    """PTSP_CLOCK_SHIFT (tests/clockshift.py): the whole session runs at a shifted, ticking
    instant, started before the test database is made so that every row is written in it."""
    global _clock_traveller
    value = os.environ.get("PTSP_CLOCK_SHIFT", "").strip()
    if not value:
        return
    from datetime import UTC, datetime

    import time_machine

    from tests.clockshift import ClockShiftError, shifted_instant

    try:
        target = shifted_instant(value, now=datetime.now(UTC))
    except ClockShiftError as exc:
        raise pytest.UsageError(str(exc)) from None
    _clock_traveller = time_machine.travel(target, tick=True)
    _clock_traveller.start()


def pytest_sessionfinish(session):
    global _clock_traveller
    if _clock_traveller is not None:
        _clock_traveller.stop()
        _clock_traveller = None


def pytest_report_header(config):
    value = os.environ.get("PTSP_CLOCK_SHIFT", "").strip()
    if value:
        from datetime import datetime

        from tests.clockshift import ZONE

        return f"clock shifted by PTSP_CLOCK_SHIFT={value!r}: now {datetime.now(ZONE):%a %Y-%m-%d %H:%M %Z}"
    return None


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
