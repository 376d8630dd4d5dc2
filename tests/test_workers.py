"""The suite's worker processes each get a Redis database and a var directory of their own
(tests/workers.py), and a broker URL that cannot be given one is refused."""

import pytest

from tests.conftest import load_script
from tests.workers import worker_environment


def test_each_worker_has_its_own_redis_database_and_var_directory():
    environ = {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/7", "PTSP_VAR_DIR": "/tmp/run"}
    first, second = worker_environment(environ, 0), worker_environment(environ, 1)
    assert first == {
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/7",
        "PTSP_VAR_DIR": "/tmp/run/gw0",
    }
    assert second == {
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/8",
        "PTSP_VAR_DIR": "/tmp/run/gw1",
    }
    # Within Redis's sixteen databases; a named session cache moves with the broker.
    wrapped = worker_environment(
        {"CELERY_BROKER_URL": "redis://h:1/15", "SESSION_CACHE_URL": "redis://h:2/3"}, 1
    )
    assert wrapped == {"CELERY_BROKER_URL": "redis://h:1/0", "SESSION_CACHE_URL": "redis://h:2/4"}


@pytest.mark.parametrize("url", ["", "redis://127.0.0.1:6379", "memory://", "redis://h:1/x"])
def test_a_broker_that_cannot_be_given_a_database_of_its_own_is_refused(url):
    with pytest.raises(RuntimeError, match="the test workers need redis://host:port/N"):
        worker_environment({"CELERY_BROKER_URL": url}, 1)


def _run_tests():
    return load_script("run_tests")


def test_the_number_of_workers_comes_from_ptsp_test_workers():
    run_tests = _run_tests()
    assert run_tests.workers({"PTSP_TEST_WORKERS": "1"}) == []
    assert run_tests.workers({"PTSP_TEST_WORKERS": "3"}) == [
        "-p",
        "tests.workers",
        "-n",
        "3",
        "--dist",
        "load",
    ]


@pytest.mark.parametrize("bad", ["two", "-1", "2.5"])
def test_a_number_of_workers_that_is_not_a_number_is_refused(bad, capsys):
    with pytest.raises(SystemExit) as stop:
        _run_tests().workers({"PTSP_TEST_WORKERS": bad})
    assert stop.value.code == 2
    assert f"PTSP_TEST_WORKERS={bad!r} is not a number of processes" in capsys.readouterr().out
