"""Issue 20: sessions read from Redis on the hot path with the database as the record
(security/session_store.py). With Redis stopped people stay logged in, log in and log out; a
Redis that comes back with its old data does not bring a logged-out session back."""

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from ptsp.servers import RedisServer
from security import session_store
from security.sessions import end_sessions_of
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

APPLICANT = "budi.santoso@example.id"
PAGE = "/applications/"


@pytest.fixture
def session_redis(settings, monkeypatch, tmp_path):
    """A Redis of the test's own, kept on disk (so that a restart brings its data back), as the
    session cache; the breaker closes at once so that the test sees each change."""
    server = RedisServer(data_dir=str(tmp_path / "redis"), persist=True).start()
    settings.CACHES = {
        **django_settings.CACHES,
        "sessions": {**django_settings.CACHES["sessions"], "LOCATION": server.url},
    }
    monkeypatch.setattr(session_store, "BREAKER_SECONDS", 0.0)
    yield server
    server.stop()


def _logged_in(client) -> bool:
    return client.get(PAGE).status_code == 200


def _login(client):
    assert (
        client.post("/accounts/login/", {"username": APPLICANT, "password": PASSWORD}).status_code
        == 302
    )
    return client


def test_a_warm_request_reads_no_session_row(demo, session_redis):
    client = _login(Client())
    assert _logged_in(client)
    with CaptureQueriesContext(connection) as queries:
        assert _logged_in(client)
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any("django_session" in q for q in sql)
    # Before the view: the person's row and nothing else.
    assert '"accounts_user"' in sql[0]


def test_redis_down_people_stay_logged_in_log_in_and_log_out(demo, session_redis):
    client = _login(Client())
    assert _logged_in(client)
    session_redis.stop()
    assert _logged_in(client)  # read from the database
    other = _login(Client())  # a new login while Redis is down
    assert _logged_in(other)
    client.post("/accounts/logout/")
    assert not _logged_in(client)
    assert _logged_in(other)


def test_a_logged_out_session_does_not_come_back_with_redis(demo, session_redis):
    client = _login(Client())
    assert _logged_in(client)  # cached in Redis now
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    session_redis.stop()
    client.post("/accounts/logout/")  # deleted in the database; Redis keeps its copy
    assert not Session.objects.filter(session_key=cookie).exists()
    session_redis.start()  # back, with the old copy (kept on disk)
    session_store.state.reset()  # as another process would see it: it reads the fence
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    assert not _logged_in(replay)


def test_a_disabled_accounts_sessions_leave_the_cache_too(demo, session_redis):
    client = _login(Client())
    assert _logged_in(client)
    person = User.objects.get(email=APPLICANT)
    assert end_sessions_of(person) == 1
    assert not _logged_in(client)


def test_an_entry_in_an_unknown_shape_is_read_from_the_database(demo, session_redis):
    from django.core.cache import caches

    client = _login(Client())
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    caches["sessions"].set(session_store.KEY_PREFIX + key, {"_auth_user_id": "999999"})
    assert _logged_in(client)  # the database's session, not the forged copy


def test_the_session_cache_keeps_one_client_per_pool_and_survives_a_restart(session_redis):
    """ptsp/redis_cache.py: no `redis.Redis` built per operation; the shared one reconnects
    after its Redis restarts."""
    import redis
    from django.core.cache import caches

    cache = caches["sessions"]
    cache.set("probe", {"n": 1}, 30)
    assert cache.get("probe") == {"n": 1}
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    session_redis.stop()
    with pytest.raises(redis.exceptions.ConnectionError):
        cache.get("probe")
    session_redis.start()
    assert cache.get("probe") == {"n": 1}
