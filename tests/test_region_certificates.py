"""One deployment, many regions: each region signs with its own certificate (or, unless
SIGNING_CERT_PER_REGION, the deployment's), verification knows which is whose, and the trust
roots may be a bundle."""

import io
import json
import logging
import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from agencies.models import Region
from applications.models import Status
from outbox.models import OutboxMessage
from permits.models import Permit, PermitCounter
from permits.services.issuance import permit_issue
from permits.signing import SigningUnavailable, certificate_for, get_signer
from permits.verification import check_file, check_signature, trust_roots
from tests.journeys import issued_permit, permit_pdf, recommended_application
from tests.signing_fixtures import BTG_PASSPHRASE, PASSPHRASE
from tests.stepup import step_up
from tests.test_production_settings import run

pytestmark = pytest.mark.django_db

SIGNERS = {"BTG": "kepala.btg@ptsp.local", "PLG": "kepala.plg@ptsp.local"}
DEFAULT_SIGNER_CN = "DPMPTSP Penandatangan Elektronik (development)"


PERMIT_CODES = {"BTG": "SIP-DU", "PLG": "PBG"}


def _issue(run_outbox, region_code: str) -> Permit:
    return issued_permit(
        run_outbox,
        SIGNERS[region_code],
        region_code=region_code,
        permit_code=PERMIT_CODES[region_code],
    )


def _embedded_signature(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures[-1]


def _common_name(cert) -> str:
    return cert.subject.native["common_name"]


def _region(code: str) -> Region:
    return Region.objects.get(code=code)


def test_two_regions_may_issue_the_same_number_text(demo, region_certs, run_outbox, monkeypatch):
    """Regions number independently and the demo formats do not name the region: the first
    SIP-DU of Bontang and of Palembang in a month both read 503/0001/SIP-DU/…; each is unique in
    its region, and a second one in the same region still cannot repeat it."""
    from django.db import IntegrityError, transaction

    monkeypatch.setitem(PERMIT_CODES, "PLG", "SIP-DU")
    btg, plg = _issue(run_outbox, "BTG"), _issue(run_outbox, "PLG")
    assert btg.number == plg.number and btg.region_id != plg.region_id
    with pytest.raises(IntegrityError), transaction.atomic():
        Permit.objects.filter(pk=plg.pk).update(region=btg.region)


def test_each_region_signs_with_its_own_certificate(demo, region_certs, run_outbox):
    btg, plg = _issue(run_outbox, "BTG"), _issue(run_outbox, "PLG")
    seen = {}
    for permit, name in ((btg, "Kota Bontang"), (plg, "Kota Palembang")):
        embedded = _embedded_signature(permit_pdf(permit))
        cert = embedded.signer_cert
        assert _common_name(cert) == f"Kepala DPMPTSP {name} (development)"
        assert cert.subject.native["organization_name"] == name
        assert cert.sha256.hex() == get_signer(permit.region).certificate_sha256()
        # The person who signed and the place are the permit's, whichever certificate signs.
        assert embedded.sig_object["/Name"] == permit.signer_name
        assert embedded.sig_object["/Location"] == name
        assert check_file(permit_pdf(permit), permit=permit).ok
        seen[permit.region.code] = cert.sha256.hex()
    assert seen["BTG"] != seen["PLG"]
    assert certificate_for(_region("BTG")) == (
        str(Path(region_certs.SIGNING_CERT_DIR) / "BTG.p12"),
        BTG_PASSPHRASE,
    )
    assert certificate_for(_region("PLG"))[1] == PASSPHRASE  # no SIGNING_CERT_PASSPHRASE_PLG


def test_a_palembang_pdf_on_a_bontang_permits_page_is_not_the_regions_certificate(
    demo, region_certs, run_outbox, client
):
    btg, plg = _issue(run_outbox, "BTG"), _issue(run_outbox, "PLG")
    plg_pdf = permit_pdf(plg)
    # A genuine signature, under the trusted CA, but not Bontang's certificate.
    report = check_signature(plg_pdf, region=btg.region)
    assert report.intact and report.valid and report.trusted and report.covers_whole_file
    assert not report.region_certificate and not report.ok

    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("permits:verify", args=[btg.verification_token]),
        {"file": SimpleUploadedFile("izin.pdf", plg_pdf, content_type="application/pdf")},
    )
    text = response.content.decode()
    assert "Not genuine" in text and "Not signed with the region" in text
    assert "Not the issued file" in text
    response = client.post(
        reverse("permits:verify", args=[plg.verification_token]),
        {"file": SimpleUploadedFile("izin.pdf", plg_pdf, content_type="application/pdf")},
    )
    text = response.content.decode()
    assert "Genuine: this is the issued file" in text and "Signed with the region" in text


def test_permits_signed_before_a_certificate_rotation_still_verify(demo, region_certs, run_outbox):
    """The permit records the certificate that signed it: when the region's certificate is
    renewed (same CA), the permits signed before keep verifying, and the new ones are signed
    with the new certificate."""
    from permits.management.commands.make_dev_signing_cert import issue_region_cert, load_ca

    old = _issue(run_outbox, "BTG")
    assert old.signing_cert_sha256 == get_signer(old.region).certificate_sha256()
    ca_key, ca_cert = load_ca(Path(region_certs.SIGNING_CA_PATH))
    issue_region_cert(ca_key, ca_cert, code="BTG", name="Kota Bontang")  # the renewal
    assert get_signer(old.region).certificate_sha256() != old.signing_cert_sha256
    report = check_file(permit_pdf(old), permit=old)
    assert report.ok and report.signature.region_certificate
    new = _issue(run_outbox, "BTG")
    assert new.signing_cert_sha256 == get_signer(new.region).certificate_sha256()
    assert check_file(permit_pdf(new), permit=new).ok
    # Each permit's file is checked against its own certificate: the new file on the old
    # permit's page is neither the issued file nor made with the certificate recorded there.
    swapped = check_file(permit_pdf(new), permit=old)
    assert not swapped.hash_matches and not swapped.signature.region_certificate


def test_without_the_flag_a_region_without_its_own_file_uses_the_deployments(
    demo, region_certs, run_outbox
):
    assert not region_certs.SIGNING_CERT_PER_REGION
    (Path(region_certs.SIGNING_CERT_DIR) / "PLG.p12").unlink()
    btg, plg = _issue(run_outbox, "BTG"), _issue(run_outbox, "PLG")
    assert _common_name(_embedded_signature(permit_pdf(btg)).signer_cert).startswith(
        "Kepala DPMPTSP"
    )
    assert _common_name(_embedded_signature(permit_pdf(plg)).signer_cert) == DEFAULT_SIGNER_CN
    assert certificate_for(_region("PLG")) == (region_certs.SIGNING_CERT_PATH, PASSPHRASE)
    assert check_file(permit_pdf(plg), permit=plg).ok


def test_an_explicit_path_overrides_the_folder(demo, region_certs, tmp_path):
    elsewhere = tmp_path / "secrets" / "palembang-2027.p12"
    elsewhere.parent.mkdir()
    shutil.move(Path(region_certs.SIGNING_CERT_DIR) / "PLG.p12", elsewhere)
    region_certs.SIGNING_CERTS = {
        **region_certs.SIGNING_CERTS,
        "PLG": {"path": str(elsewhere), "passphrase": None},
    }
    plg = _region("PLG")
    assert certificate_for(plg) == (str(elsewhere), PASSPHRASE)
    get_signer(plg).check()
    # A configured path that does not exist is reported, never replaced by the default.
    region_certs.SIGNING_CERTS["PLG"]["path"] = str(tmp_path / "missing.p12")
    with pytest.raises(SigningUnavailable) as raised:
        get_signer(plg).check()
    assert raised.value.code == "signing_certificate_missing"


@pytest.mark.parametrize("fault", ["no_file_of_its_own", "wrong_passphrase_for_the_region"])
def test_a_region_that_cannot_sign_refuses_cleanly(
    demo, region_certs, login, caplog, settings, fault
):
    """Mirrors tests/test_issuance.py::test_unusable_certificate_refuses_cleanly, per region."""
    if fault == "no_file_of_its_own":
        settings.SIGNING_CERT_PER_REGION = True
        (Path(settings.SIGNING_CERT_DIR) / "BTG.p12").unlink()
        expected = "This region has no signing certificate of its own on the server."
    else:
        settings.SIGNING_CERTS = {"BTG": {"path": None, "passphrase": "not-btgs-passphrase"}}
        expected = "The signing certificate cannot be opened"
    # Palembang is not affected.
    get_signer(_region("PLG")).check()
    application = recommended_application(region_code="BTG")
    outbox_before = OutboxMessage.objects.count()
    media = Path(settings.MEDIA_ROOT)
    files_before = sorted(media.rglob("*"))
    with caplog.at_level(logging.ERROR, logger="ptsp.signing"), pytest.raises(SigningUnavailable):
        permit_issue(application_id=application.pk, actor=User.objects.get(email=SIGNERS["BTG"]))
    logged = [r.getMessage() for r in caplog.records if r.name == "ptsp.signing"]
    assert any("signing certificate" in line and "BTG" in line for line in logged), logged

    client = login(SIGNERS["BTG"])
    client.cookies["django_language"] = "en"
    response = client.post(reverse("permits:sign", args=[application.pk]), step_up(SIGNERS["BTG"]))
    assert response.status_code == 400
    text = response.content.decode()
    assert expected in text and "Nothing was issued" in text
    # The message names no path, passphrase or variable.
    assert settings.SIGNING_CERT_DIR not in text and "SIGNING_" not in text
    assert "not-btgs-passphrase" not in text
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    assert not Permit.objects.exists()
    assert not PermitCounter.objects.filter(last_value__gt=0).exists()
    assert OutboxMessage.objects.count() == outbox_before
    assert sorted(media.rglob("*")) == files_before


def test_a_trust_bundle_with_two_roots_verifies_permits_under_either(
    demo, region_certs, run_outbox, tmp_path
):
    """Palembang's signer comes from an older root; the bundle holds both roots."""
    from cryptography.hazmat.primitives import serialization

    from permits.management.commands.make_dev_signing_cert import (
        issue_cert,
        make_ca,
        write_pkcs12,
    )
    from permits.signing import region_certificate_file

    old_key, old_root = make_ca("PTSP Older Root (development)")
    path, passphrase = region_certificate_file("PLG")
    key, cert = issue_cert(old_key, old_root, "Kepala DPMPTSP Kota Palembang (older root)")
    write_pkcs12(path, key, cert, old_root, passphrase, "ptsp-signer-plg")
    btg, plg = _issue(run_outbox, "BTG"), _issue(run_outbox, "PLG")

    # With the current root only, Palembang's permit is intact but not trusted.
    assert len(trust_roots()) == 1
    report = check_file(permit_pdf(plg), permit=plg)
    assert report.signature.intact and not report.signature.trusted and not report.ok

    current_root = Path(region_certs.SIGNING_CA_PATH).read_text()
    bundle = tmp_path / "roots.pem"
    bundle.write_text(
        "# BSrE root (current)\n"
        + current_root
        + "\nsubject=CN = PTSP Older Root (development)\n"
        + old_root.public_bytes(serialization.Encoding.PEM).decode()
    )
    region_certs.SIGNING_CA_PATH = str(bundle)
    roots = trust_roots()
    assert [r.subject.native["common_name"] for r in roots] == [
        "PTSP Online Development CA",
        "PTSP Older Root (development)",
    ]
    for permit in (btg, plg):
        report = check_file(permit_pdf(permit), permit=permit)
        assert report.ok, (permit.region.code, report)


def test_make_dev_signing_cert_issues_one_signer_per_region_under_the_same_ca(demo, signing_cert):
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    signing_cert.SIGNING_CERTS = {"BTG": {"path": None, "passphrase": BTG_PASSPHRASE}}
    ca_path = Path(signing_cert.SIGNING_CA_PATH)
    ca_before = ca_path.read_bytes()
    default_before = Path(signing_cert.SIGNING_CERT_PATH).read_bytes()
    out = io.StringIO()
    call_command("make_dev_signing_cert", stdout=out)  # every region in the database
    assert ca_path.read_bytes() == ca_before  # the existing CA (and its key) reused
    assert Path(signing_cert.SIGNING_CERT_PATH).read_bytes() == default_before
    ca = x509.load_pem_x509_certificate(ca_before)
    folder = Path(signing_cert.SIGNING_CERT_DIR)
    assert sorted(p.name for p in folder.iterdir()) == ["BTG.p12", "PLG.p12"]
    for code, name, passphrase in (
        ("BTG", "Kota Bontang", BTG_PASSPHRASE),
        ("PLG", "Kota Palembang", PASSPHRASE),
    ):
        key, cert, _chain = pkcs12.load_key_and_certificates(
            (folder / f"{code}.p12").read_bytes(), passphrase.encode()
        )
        assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
        assert cert.issuer == ca.subject
        names = {a.oid._name: a.value for a in cert.subject}
        assert names["commonName"] == f"Kepala DPMPTSP {name} (development)"
        assert names["organizationName"] == name
        get_signer(_region(code)).check()

    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    call_command("make_dev_signing_cert", stdout=io.StringIO())
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # kept
    with pytest.raises(CommandError, match="No region with the code XYZ"):
        call_command("make_dev_signing_cert", "--regions", "XYZ", stdout=io.StringIO())


def test_settings_read_each_regions_variables():
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.SIGNING_CERTS, settings.SIGNING_CERT_DIR, "
        "settings.SIGNING_CERT_PER_REGION]))"
    )
    result = run(
        {
            "SIGNING_CERT_DIR": "/run/secrets/regions",
            "SIGNING_CERT_PATH_BTG": "/run/secrets/btg.p12",
            "SIGNING_CERT_PASSPHRASE_BTG": "btg-secret",
            "SIGNING_CERT_PASSPHRASE_PLG": "plg-secret",
            "SIGNING_CERT_PER_REGION": "true",
        },
        "shell",
        "-c",
        code,
    )
    assert result.returncode == 0, result.stderr
    certs, folder, per_region = json.loads(result.stdout.strip().splitlines()[-1])
    assert certs == {
        "BTG": {"path": "/run/secrets/btg.p12", "passphrase": "btg-secret"},
        "PLG": {"path": None, "passphrase": "plg-secret"},
    }
    assert folder == "/run/secrets/regions" and per_region is True

    result = run({"SIGNING_CERT_PATH_btg": "/run/secrets/btg.p12"})
    assert result.returncode != 0
    assert "SIGNING_CERT_PATH_btg" in result.stderr and "region code" in result.stderr
