import os
import shutil
import threading
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


def _flush_past_the_truncate_triggers() -> None:
    """Transactional tests end with Django's flush, one TRUNCATE of every table. Two things change
    here, for the flush's own transaction only:

    - the append-only logs refuse TRUNCATE and DELETE for every role (ptsp.db); the test
      database's superuser steps around the triggers the one deliberate way
      (`session_replication_role = replica`, which also leaves the foreign keys' triggers
      unfired, so the order of the tables does not matter);
    - the tables are emptied with DELETE, not TRUNCATE: a TRUNCATE gives each of the ~200
      tables new files, which costs PostgreSQL seconds per flush whether a table holds a row or
      not, while a DELETE costs what the few rows a test wrote cost (docs/testing.md, "The
      demo data, seeded once"). Where a test asks for its sequences reset, Django's own
      TRUNCATE ... RESTART IDENTITY is kept."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables:
            return []
        if reset_sequences:
            statements = original(
                self, style, tables, reset_sequences=True, allow_cascade=allow_cascade
            )
        else:
            # The names are the models' own tables, quoted.
            statements = [f"DELETE FROM {self.quote_name(t)}" for t in tables]  # noqa: S608
        return ["SET LOCAL session_replication_role = replica", *statements]

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


def _file_storage_at(location) -> dict:
    from django.conf import settings

    return {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }


# The demo data, seeded once per session (below) into a database that the tests without the
# demo do not see: those run first.
_DEMO = {"media": None, "flushed": False}


def _is_transactional(item) -> bool:
    from pytest_django.plugin import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker and any(validate_django_db(marker)[:2]):  # transaction, reset_sequences
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """pytest-django runs the tests in one transaction each first, then those with
    transaction=True. Among the first, those with the demo data run last, on the data seeded
    once for them (_demo_seeded); the others see an empty database, as they expect."""
    with_demo = [
        i for i in items if "demo" in getattr(i, "fixturenames", ()) and not _is_transactional(i)
    ]
    if not with_demo:
        return
    chosen = set(map(id, with_demo))
    rest = [i for i in items if id(i) not in chosen]
    cut = next((n for n, i in enumerate(rest) if _is_transactional(i)), len(rest))
    items[:] = rest[:cut] + with_demo + rest[cut:]


@pytest.fixture(scope="session")
def _demo_seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data, seeded and committed once for the session's tests that run in a
    transaction of their own (rolled back after each); its files in a directory that each such
    test starts from a copy of."""
    from django.test.utils import override_settings

    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(STORAGES=_file_storage_at(media)):
        call_command("seed_demo", "--quiet")
    _DEMO["media"] = media


@pytest.fixture(autouse=True)
def _transactional_tests_start_empty(request, django_db_blocker):
    """A test with transaction=True that runs after the seeded demo data finds an empty
    database, as after any other such test (which empties it when it ends)."""
    if _DEMO["media"] is None or _DEMO["flushed"] or not _is_transactional(request.node):
        return
    with django_db_blocker.unblock():
        call_command("flush", "--no-input", verbosity=0)
    _DEMO["flushed"] = True


@pytest.fixture(autouse=True)
def _fresh_reference_cache():
    """The per-process cache of reference data (ptsp.localcache) starts empty in every test:
    the seeded demo rows keep their ids from test to test, and a value read inside a test's
    rolled-back transaction must not reach the next one. The same for the per-process cache of
    who a logged-in person is (security.identity): a version bumped in a rolled-back test comes
    back with the same number in the next. And the public pages (agencies.public_pages): the
    catalog's generation lives in the database cache, rolled back with each test; and the page
    headers (agencies/templatetags/page_chrome.py), so that a test counting renders starts with
    none."""
    from agencies.public_pages import pages
    from agencies.templatetags.page_chrome import headers
    from ptsp.workdays import reference_cache
    from security.identity import identity_cache_clear
    from security.session_store import state as session_cache_state

    reference_cache.clear()
    pages.clear()
    headers.clear()
    identity_cache_clear()
    session_cache_state.reset()


@pytest.fixture(autouse=True)
def _session_fence_read_once(monkeypatch):
    """The session store re-reads its fence from the database cache every FENCE_SECONDS
    (security.session_store): one query on whichever request comes 5 s after the last read, so
    a page's query count would include it at random on a loaded machine (main's CI failed on
    one such request). In the test process the fence is read once per test: its own raises reach
    `state` directly, and a test that plays another process resets `state`, which reads it
    again (tests/test_session_cache.py)."""
    from security import session_store

    monkeypatch.setattr(session_store, "FENCE_SECONDS", float("inf"))


@pytest.fixture(autouse=True)
def _publish_breaker_closed():
    """Every test starts with the outbox's circuit breaker closed: a broker that an earlier test
    stopped must not keep this test's requests from publishing (outbox.services.breaker)."""
    from outbox.services import breaker

    breaker.reset()
    yield
    breaker.reset()


@pytest.fixture(autouse=True)
def _media_in_tmp(request, settings, tmp_path):
    """Uploaded and issued files of each test go to its own directory (with a copy of the demo
    data's files when the test has the seeded demo data)."""
    media = tmp_path / "media"
    if (
        _DEMO["media"] is not None
        and "demo" in request.fixturenames
        and not _is_transactional(request.node)
    ):
        shutil.copytree(_DEMO["media"], media)
    settings.STORAGES = _file_storage_at(media)
    settings.MEDIA_ROOT = str(media)


@pytest.fixture
def demo(request, _demo_seeded, db):
    """The demo regions, agencies and staff of every role (agencies.demo): seeded once for the
    session (_demo_seeded), or for each test with transaction=True, which empty the database."""
    if _is_transactional(request.node):
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


@pytest.fixture
def submitted(demo):
    """A clinic-like file submitted by the demo applicant (tests/journeys.py)."""
    from tests.journeys import submitted_application

    return submitted_application()


@pytest.fixture
def routed(submitted, run_outbox):
    """The submitted file, accepted at intake and routed to DINKES and DLH."""
    from tests.journeys import route

    return route(submitted, run_outbox, verifier=_user("verifikator.btg@ptsp.local"))


def _user(email: str):
    from accounts.models import User

    return User.objects.get(email=email)


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


@pytest.fixture
def default_ports():
    """`make run`'s simulators and responder take their default ports (8089, 8765, 8790, 8791)
    when those are free, checked then bound: two such starts at once (the suite's two workers,
    or two checkouts on one machine) could both see a port free. The tests that start them hold
    this machine-wide lock, one at a time; the other worker goes on with other tests."""
    import fcntl
    import tempfile
    from pathlib import Path

    path = Path(tempfile.gettempdir()) / f"ptsp-default-ports-{os.getuid()}.lock"
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def load_script(name: str):
    """scripts/<name>.py loaded as a module of its own (the scripts are not a package), fresh
    each call, so a test can call its functions."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def in_worker_thread(work, timeout: float = 120) -> None:
    """Run `work` as a worker would: in its own thread with its own database connection
    (a browser test's event loop owns this one, and pyHanko runs its own loop); re-raise what
    it raised."""
    from django.db import connection

    errors = []

    def run():
        try:
            work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=timeout)
    assert not errors, errors


def in_threads(work, count: int, timeout: float = 60) -> list:
    """`work()` in `count` threads at once, each with its own database connection; what each
    returned, in thread order; re-raises the first error."""
    from django.db import connection

    results, errors = [None] * count, []

    def run(i):
        try:
            results[i] = work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def english(settings):
    """Run the test in English, for tests that read messages in English: active now, and the
    default of every request the test makes (LocaleMiddleware activates it per request)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
