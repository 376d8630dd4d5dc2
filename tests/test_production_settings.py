"""Production refuses insecure configuration, and `check --deploy` is clean when it is right."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "p" * 20 + "r0duct10n-k3y-th4t-1s-l0ng-3n0ugh-and-random-xyz",
    "ALLOWED_HOSTS": "ptsp.bontangkota.go.id",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "BSRE_SEALING_KEY": "c2VhbGluZy1rZXktb2YtMzItYnl0ZXMtZm9yLXRlc3Q=",
}


def run(env_changes: dict, *args: str) -> subprocess.CompletedProcess:
    dropped = {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "TEST_DATABASE_NAME"}
    env = {k: v for k, v in os.environ.items() if k not in GOOD and k not in dropped}
    env.update({k: v for k, v in {**GOOD, **env_changes}.items() if v is not None})
    return subprocess.run(
        [sys.executable, "manage.py", *(args or ("check",))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        # The credential's sealing key is never derived from SECRET_KEY in production.
        ({"BSRE_SEALING_KEY": None}, "BSRE_SEALING_KEY"),
        ({"BSRE_SEALING_KEY": ""}, "BSRE_SEALING_KEY"),
        ({"BSRE_SEALING_KEY": "dGVzdA=="}, "BSRE_SEALING_KEY"),
        ({"BSRE_SEALING_KEY": "not base64!"}, "BSRE_SEALING_KEY"),
    ],
)
def test_production_refuses_to_start_and_names_the_variable(changes, named):
    result = run(changes)
    assert result.returncode != 0
    assert named in result.stderr


def test_check_deploy_is_clean_in_production():
    result = run({}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize("profile", ["production", "local"])
def test_a_database_other_than_postgresql_is_refused_by_name(profile, tmp_path):
    """One engine everywhere (ADR 12): SQLite is no longer a default nor an option."""
    result = run(
        {
            "DJANGO_ENV": profile,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "PTSP_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode != 0
    assert "DATABASE_URL must name a PostgreSQL database" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()
