"""The production shape: docker-compose.yml, the image's entrypoint and .env.example agree with
the code (Docker itself is not available on the test machines, so the files are checked here)."""

import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
PROJECT_SERVICES = ["migrate", "web", "worker", "beat"]


def test_one_image_for_the_projects_services():
    images = {SERVICES[name]["image"] for name in PROJECT_SERVICES}
    assert images == {"${PTSP_IMAGE:-ptsp-online:latest}"}
    assert [SERVICES[name]["command"] for name in PROJECT_SERVICES] == [
        ["migrate"],
        ["web"],
        ["worker"],
        ["beat"],
    ]


def test_every_service_of_the_production_shape_is_there():
    assert {"web", "worker", "beat", "db", "redis", "minio", "minio-init", "mailpit"} <= set(
        SERVICES
    )
    assert SERVICES["db"]["image"].endswith("postgres:16-bookworm}")
    assert SERVICES["redis"]["image"].endswith("redis:7-bookworm}")


def test_health_checks_and_grace_periods():
    for name in ("web", "worker", "beat", "db", "redis", "minio"):
        assert SERVICES[name].get("healthcheck"), name
    assert "/healthz" in SERVICES["web"]["healthcheck"]["test"]
    assert "/tmp/worker.alive" in SERVICES["worker"]["healthcheck"]["test"]
    assert "/tmp/beat.alive" in SERVICES["beat"]["healthcheck"]["test"]
    worker_env = SERVICES["worker"]["environment"]
    assert worker_env["REMAP_SIGTERM"] == "SIGQUIT"
    soft = float(worker_env["CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT"])
    assert int(SERVICES["worker"]["stop_grace_period"].rstrip("s")) > soft + 10
    assert int(SERVICES["web"]["stop_grace_period"].rstrip("s")) > 25  # gunicorn graceful


def test_exactly_one_scheduler():
    assert SERVICES["beat"]["deploy"]["replicas"] == 1
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULER == "ptsp.observability.scheduler:LockedScheduler"


def test_no_secret_is_baked_into_the_image_or_the_compose_file():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "build-time-only-not-a-secret" in dockerfile
    assert not re.search(r"^ENV .*(SECRET_KEY|PASSWORD|TOKEN)", dockerfile, re.M)
    for name, service in SERVICES.items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|SECRET|TOKEN|DATABASE_URL", key):
                assert "${" in str(value), (name, key)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and "secrets/" in ignored


def env_names_in_code() -> set[str]:
    names = set()
    pattern = re.compile(
        r"""(?:env_(?:str|bool|int|list|required)\(\s*|os\.environ(?:\.get)?\(\s*|os\.environ\[)["']([A-Z][A-Z0-9_]+)["']"""
    )
    for folder in (
        "ptsp",
        "operations",
        "accounts",
        "agencies",
        "applications",
        "permits",
        "outbox",
        "monitoring",
        "security",
        "api",
        "fees",
        "oss",
        "bsre",
    ):
        for path in (ROOT / folder).rglob("*.py"):
            if "simulator" in path.parts:
                continue  # the simulators' own variables are not the portal's
            names |= set(pattern.findall(path.read_text()))
    return names


def test_env_example_lists_every_variable_the_code_reads():
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"\b([A-Z][A-Z0-9_]{2,})=", example))
    # Test-only and local-only variables are not part of a deployment.
    local_only = {
        "TEST_DATABASE_NAME",
        "PTSP_PGSERVER_DIR",
        "PTSP_LOCAL_REDIS_PORT",
        "OUTBOX_PUBLISH_ON_COMMIT",
        "DJANGO_SETTINGS_MODULE",
        "HOST",
        "PORT",
        "GUNICORN_BIND",
        "STATIC_ROOT",
        "PTSP_VAR_DIR",
    }
    missing = env_names_in_code() - listed - local_only
    assert not missing, f".env.example does not list: {sorted(missing)}"


def test_scripts_are_valid_shell():
    for script in ("docker-entrypoint.sh", "scripts/backup.sh", "scripts/restore.sh"):
        result = subprocess.run(["bash", "-n", str(ROOT / script)], capture_output=True)
        assert result.returncode == 0, (script, result.stderr)
