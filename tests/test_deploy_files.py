"""The production shape: docker-compose.yml, the image's entrypoint and .env.example agree with
the code (Docker itself is not available on the test machines, so the files are checked here)."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
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
    assert {"web", "worker", "beat", "db", "redis", "minio", "minio-init"} <= set(SERVICES)
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
            if key.endswith("_FILE"):
                continue  # a path to a compose secret (test_secrets_are_compose_secrets)
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
        "catalog",
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
    for script in (
        "docker-entrypoint.sh",
        "scripts/backup.sh",
        "scripts/restore.sh",
        "scripts/make_secrets.sh",
        "scripts/restore_drill.sh",
    ):
        result = subprocess.run(["bash", "-n", str(ROOT / script)], capture_output=True)
        assert result.returncode == 0, (script, result.stderr)


# --- Issue 22: limits, log rotation, the storage user, secrets, mail -------------------------

SECRET_NAMES = re.compile(r"PASSWORD|SECRET|(?<!API_)TOKEN(?!_DAYS|_URL)|PASSPHRASE|SEALING_KEY")


def _memory_bytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([KMG])", value).groups()
    return int(number) * {"K": 1024, "M": 1024**2, "G": 1024**3}[unit]


def test_every_service_has_cpu_and_memory_limits():
    for name, service in SERVICES.items():
        limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
        assert 0 < float(limits.get("cpus", 0)) <= 2, name
        assert 64 * 1024**2 <= _memory_bytes(limits.get("memory", "0K")) <= 4 * 1024**3, name
    # The broker refuses new messages when full instead of evicting queued ones.
    command = SERVICES["redis"]["command"]
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
    redis_limit = _memory_bytes(SERVICES["redis"]["deploy"]["resources"]["limits"]["memory"])
    assert _memory_bytes(command[command.index("--maxmemory") + 1].upper()[:-1]) < redis_limit


def test_every_service_rotates_its_logs():
    for name, service in SERVICES.items():
        logging = service.get("logging")
        assert logging, name
        assert logging["driver"] == "json-file", name
        assert logging["options"]["max-size"] and int(logging["options"]["max-file"]) >= 2, name


def test_secrets_are_compose_secrets_not_plain_variables():
    declared = COMPOSE["secrets"]
    for name, service in SERVICES.items():
        environment = service.get("environment") or {}
        mounted = set(service.get("secrets") or [])
        assert mounted <= set(declared), (name, mounted - set(declared))
        for key, value in environment.items():
            if str(value).startswith("/run/secrets/") or (
                key.endswith("_FILE") and SECRET_NAMES.search(key)
            ):
                secret = str(value).removeprefix("/run/secrets/").split("/")[0]
                assert secret in mounted or secret == "regions", (name, key, value)
            elif SECRET_NAMES.search(key):
                pytest.fail(f"{name}: {key} is a plain variable; make it a compose secret")
        assert "${POSTGRES_PASSWORD" not in str(environment), name
        assert "${MINIO_ROOT_PASSWORD" not in str(environment), name
    for name, secret in declared.items():
        assert secret["file"].startswith(("./secrets/", "${")), name
    # Nothing secret in .env.example either: only [secret] notes pointing at the files.
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]+)=(.*)$", line)
        if match and SECRET_NAMES.search(match.group(1)):
            pytest.fail(f".env.example sets {match.group(1)}: it belongs in ./secrets/")


def test_the_app_uses_its_own_storage_user_not_the_root():
    app_env = SERVICES["web"]["environment"]
    assert app_env["AWS_ACCESS_KEY_ID"] == "${STORAGE_APP_USER:-ptsp-app}"
    assert app_env["AWS_SECRET_ACCESS_KEY_FILE"] == "/run/secrets/storage_app_secret"
    for name in ("migrate", "web", "worker", "beat", "backup"):
        assert "minio_root_password" not in (SERVICES[name].get("secrets") or []), name
        assert "MINIO_ROOT" not in str(SERVICES[name].get("environment")), name
    assert set(SERVICES["minio-init"]["secrets"]) == {"minio_root_password", "storage_app_secret"}


def test_the_storage_init_job_makes_a_user_limited_to_the_bucket(tmp_path):
    """minio-init's script, run with a stand-in `mc` that records its calls and keeps the
    policy file: the user is made, the policy reaches the bucket only and is attached, and the
    job fails when the attachment cannot be seen."""
    script = SERVICES["minio-init"]["entrypoint"][2].replace("$$", "$")
    secrets = tmp_path / "run-secrets"
    secrets.mkdir()
    (secrets / "minio_root_password").write_text("root-pass-for-the-test")
    (secrets / "storage_app_secret").write_text("app-secret-for-the-test")
    script = script.replace("/tmp/", f"{tmp_path}/").replace("/run/secrets/", f"{secrets}/")
    calls = tmp_path / "calls"
    fake = tmp_path / "bin" / "mc"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {calls}\n'
        'case "$*" in "admin user info"*) echo "Policy: ${MC_POLICY:-ptsp-app-bucket}";; esac\n'
    )
    fake.chmod(0o755)
    env = {"PATH": f"{fake.parent}:/usr/bin:/bin", "MINIO_ROOT_USER": "root", "BUCKET": "files"}
    env["APP_USER"] = "ptsp-app"
    done = subprocess.run(["sh", "-ec", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    recorded = calls.read_text().splitlines()
    assert "admin user add ptsp ptsp-app app-secret-for-the-test" in recorded
    assert any(
        line.startswith("admin policy attach ptsp ptsp-app-bucket --user ptsp-app")
        for line in recorded
    )
    policy = json.loads((tmp_path / "ptsp-app-policy.json").read_text())
    resources = {r for statement in policy["Statement"] for r in statement["Resource"]}
    assert resources == {"arn:aws:s3:::files", "arn:aws:s3:::files/*"}
    actions = {a for statement in policy["Statement"] for a in statement["Action"]}
    assert not any(a.startswith("admin:") or a == "s3:*" for a in actions)
    # Without the policy attached, the job fails (and web, worker and beat do not start).
    env["MC_POLICY"] = "readwrite"
    refused = subprocess.run(["sh", "-ec", script], env=env, capture_output=True, text=True)
    assert refused.returncode != 0


def test_the_entrypoint_reads_secret_files_and_refuses_both(tmp_path):
    password = tmp_path / "db_app_password"
    password.write_text("p@ss/w:rd\n")
    key = tmp_path / "secret_key"
    key.write_text("k" * 60)
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_HOST": "db",
        "DATABASE_NAME": "ptsp",
        "DATABASE_USER": "ptsp_app",
        "DATABASE_PASSWORD_FILE": str(password),
        "SECRET_KEY_FILE": str(key),
    }
    shown = subprocess.run(
        ["sh", str(ROOT / "docker-entrypoint.sh"), "env"], env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    variables = dict(line.split("=", 1) for line in shown.stdout.splitlines() if "=" in line)
    assert variables["SECRET_KEY"] == "k" * 60
    assert variables["DATABASE_URL"] == "postgres://ptsp_app:p%40ss%2Fw%3Ard@db:5432/ptsp"
    assert "DATABASE_PASSWORD" not in variables and "SECRET_KEY_FILE" not in variables
    both = subprocess.run(
        ["sh", str(ROOT / "docker-entrypoint.sh"), "env"],
        env={**env, "SECRET_KEY": "plain"},
        capture_output=True,
        text=True,
    )
    assert both.returncode == 2 and "both SECRET_KEY and SECRET_KEY_FILE" in both.stderr
    missing = subprocess.run(
        ["sh", str(ROOT / "docker-entrypoint.sh"), "env"],
        env={**env, "SECRET_KEY_FILE": str(tmp_path / "nope")},
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "cannot be read" in missing.stderr


def test_production_mail_does_not_go_to_a_catcher():
    assert SERVICES["mailpit"]["profiles"] == ["dev"]
    example = dict(re.findall(r"^(EMAIL_[A-Z_]+)=(.*)$", (ROOT / ".env.example").read_text(), re.M))
    assert example["EMAIL_HOST"] not in {"mailpit", "localhost", "127.0.0.1", ""}
    assert example["EMAIL_USE_TLS"] == "true"
    for name in ("web", "worker", "beat"):
        assert "mailpit" not in SERVICES[name].get("depends_on", {}), name


def test_make_secrets_fills_in_what_is_missing_and_keeps_what_is_there(tmp_path):
    folder = tmp_path / "secrets"
    folder.mkdir()
    (folder / "postgres_password").write_text("kept")
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "make_secrets.sh"), str(folder)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    for name, secret in COMPOSE["secrets"].items():
        if secret["file"].startswith("./secrets/"):
            assert (folder / Path(secret["file"]).name).exists(), name
    assert (folder / "postgres_password").read_text() == "kept"
    assert len((folder / "secret_key").read_text()) >= 50
    assert oct((folder / "secret_key").stat().st_mode)[-3:] == "600"
