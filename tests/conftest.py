import pytest
from django.core.management import call_command

from agencies.demo import DEMO_PASSWORD
from tests.signing_fixtures import (  # noqa: F401 - issuance fixtures
    _dev_certificate_files,
    local_tsa,
    signing_cert,
)


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
