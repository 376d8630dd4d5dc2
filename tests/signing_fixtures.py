"""Fixtures for issuance tests: a fresh development CA and signer certificate per test."""

import pytest
from django.core.management import call_command

PASSPHRASE = "test-passphrase-1234"


@pytest.fixture
def signing_cert(settings, tmp_path):
    """A CA + PKCS#12 made by `manage.py make_dev_signing_cert` in the test's directory."""
    settings.SIGNING_CERT_PATH = str(tmp_path / "signing" / "signer.p12")
    settings.SIGNING_CA_PATH = str(tmp_path / "signing" / "ca.pem")
    settings.SIGNING_CERT_PASSPHRASE = PASSPHRASE
    settings.TSA_URL = ""
    settings.SITE_URL = "https://ptsp.bontangkota.go.id"
    call_command("make_dev_signing_cert", stdout=open("/dev/null", "w"))
    return settings
