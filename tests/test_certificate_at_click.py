"""The certificate that signs a permit is fixed when the signer clicks: the worker signs with
that one or fails the issuance with the truth (the number stays reserved), logged for the
operator; with more than one region, a region without its own certificate cannot sign unless
the operator says so, and every fallback is logged."""

import logging
import shutil
from pathlib import Path

import pytest

from accounts.models import User
from agencies.models import Region
from applications.models import Notification, Status
from permits.models import Permit, StagedPermitFile
from permits.services.issuance import permit_files_sweep, permit_issue
from permits.signing import SigningUnavailable, certificate_for, get_signer, per_region_rule
from tests.journeys import recommended_application

pytestmark = pytest.mark.django_db

SIGNER = "kepala.btg@ptsp.local"


def test_the_fingerprint_is_fixed_at_the_click_and_the_permit_is_signed_with_it(
    demo, region_certs, run_outbox
):
    application = recommended_application()
    permit = permit_issue(application_id=application.pk, actor=User.objects.get(email=SIGNER))
    chosen = get_signer(application.region).certificate_sha256()
    assert permit.signing_cert_sha256 == chosen
    run_outbox()
    permit.refresh_from_db()
    assert permit.status == Permit.Status.VALID and permit.signing_cert_sha256 == chosen
    assert StagedPermitFile.objects.count() == 0


def test_a_region_certificate_removed_after_the_click_never_falls_back(
    demo, region_certs, run_outbox, caplog, settings
):
    """BTG's own file goes between the click and the worker: with the fallback allowed the
    region would now resolve to the deployment's certificate; the worker refuses it."""
    settings.SIGNING_CERT_PER_REGION = False
    application = recommended_application()
    permit = permit_issue(application_id=application.pk, actor=User.objects.get(email=SIGNER))
    btg = Path(region_certs.SIGNING_CERT_DIR) / "BTG.p12"
    shutil.move(btg, btg.with_suffix(".away"))
    with caplog.at_level(logging.WARNING):
        run_outbox()
    permit.refresh_from_db()
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED and permit.status == Permit.Status.ISSUING
    assert not permit.file
    # In the default language, Indonesian (English: tests/test_issuance.py).
    assert "bukan sertifikat yang dipilih saat izin ditandatangani" in permit.last_error
    assert f"nomornya {permit.number} tetap dicadangkan" in permit.last_error
    logged = [r.getMessage() for r in caplog.records]
    assert any("certificate changed since the click" in line for line in logged), logged
    assert any("signing fallback: region BTG" in line for line in logged), logged
    # The signer is told, with the reason.
    told = Notification.objects.filter(kind="issuance_failed", recipient__email=SIGNER).get()
    assert permit.number in told.body


def test_with_several_regions_a_region_without_its_own_certificate_cannot_sign(
    demo, region_certs, settings
):
    settings.SIGNING_CERT_PER_REGION = None  # the default: decided by the number of regions
    assert Region.objects.count() > 1 and per_region_rule()
    (Path(region_certs.SIGNING_CERT_DIR) / "PLG.p12").unlink()
    application = recommended_application(region_code="PLG")
    with pytest.raises(SigningUnavailable) as raised:
        permit_issue(
            application_id=application.pk, actor=User.objects.get(email="kepala.plg@ptsp.local")
        )
    assert raised.value.code == "signing_certificate_missing"
    assert not Permit.objects.exists()


def test_with_one_region_the_deployment_certificate_signs_and_the_fallback_is_logged(
    region_certs, settings, caplog
):
    settings.SIGNING_CERT_PER_REGION = None
    only = Region.objects.create(code="SMD", name="Kota Samarinda")
    assert not per_region_rule()
    with caplog.at_level(logging.WARNING, logger="ptsp.signing"):
        assert certificate_for(only)[0] == region_certs.SIGNING_CERT_PATH
    assert "signing fallback: region SMD" in caplog.text


def test_a_file_stored_by_an_attempt_that_never_committed_is_swept(demo, region_certs, settings):
    from datetime import timedelta

    from django.core.files.storage import default_storage

    application = recommended_application()
    permit = permit_issue(application_id=application.pk, actor=User.objects.get(email=SIGNER))
    name = default_storage.save("permits/orphan-test.pdf", __import__("io").BytesIO(b"%PDF-1.7"))
    StagedPermitFile.objects.create(permit=permit, name=name)
    assert permit_files_sweep(older_than=timedelta(minutes=10)) == 0  # too young
    assert permit_files_sweep(older_than=timedelta(0)) == 1
    assert not default_storage.exists(name) and not StagedPermitFile.objects.exists()
