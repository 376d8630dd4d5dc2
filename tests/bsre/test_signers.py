"""BsreSigner (v2 sign/pdf) and BsreHashSigner (interrupted signing) behind the Signer
interface: B-LT permits from the simulator, refusals before signing, batches under one
credential."""

import io

import pytest

from bsre import errors
from bsre.client import SignerIdentity
from bsre.signers import BsreHashSigner, BsreSigner
from permits.pades import validate_signed_pdf
from permits.signing import SigningCredential, SigningUnavailable, sign_batch
from tests.bsre.conftest import (
    ACTIVE_NIK,
    BSRE_PASSPHRASE,
    EXPIRED_NIK,
    NO_CERT_NIK,
    REVOKED_NIK,
    UNREGISTERED_NIK,
    client_for,
    permit_like_pdf,
)

PASS = SigningCredential.passphrase(BSRE_PASSPHRASE)
SIGNERS = [BsreSigner, BsreHashSigner]


def make(cls, client, pki, roots, nik=ACTIVE_NIK, **kwargs):
    return cls(
        client,
        identity=SignerIdentity(nik=nik),
        tsa_url=pki.tsa.url,
        trust_roots=roots,
        **kwargs,
    )


def sign(signer, pdf, credential=PASS):
    return signer.sign(
        pdf, signer_name="Dra. Siti Rahma", reason="Izin", location="Bontang", credential=credential
    )


def pdfa_part(pdf: bytes) -> bytes:
    """The PDF/A identification in the XMP metadata, as the last revision reads it."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return reader.root["/Metadata"].get_object().data


@pytest.mark.parametrize("cls", SIGNERS)
def test_a_b_lt_permit_from_bsre(cls, client, simulator, dev_pki, both_roots, permit_pdf):
    signer = make(cls, client, dev_pki, both_roots)
    signer.check()
    signed = sign(signer, permit_pdf)
    assert signed.startswith(permit_pdf)  # our PDF/A, incremental updates after it
    assert b"pdfaid:part" in pdfa_part(signed)
    report = validate_signed_pdf(signed, trust_roots=both_roots)
    assert report.ok and report.ltv_enabled and report.level == "B-LTA", report.problems
    assert report.signer_name == "Kepala DPMPTSP Kota Bontang"
    assert report.issuer_name == "BSrE Simulator CA (development)"
    assert report.timestamp_time and report.document_timestamp_time
    assert report.certificate_sha256 == signer.certificate_sha256()
    if cls is BsreHashSigner:
        # the name, reason and place are ours: the document never left the portal
        from tests.bsre.conftest import last_signature

        assert last_signature(signed).sig_object["/Name"] == "Dra. Siti Rahma"
        assert simulator.calls[-1].path == "/api/v2/sign/hash"


@pytest.mark.parametrize("cls", SIGNERS)
def test_lt_holds_offline_and_after_a_later_revocation(cls, tmp_path, dev_pki, permit_pdf):
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    from bsre.simulator import BsreSimulator

    with BsreSimulator() as sim:
        sim.register("6474010101901111", passphrase=BSRE_PASSPHRASE)
        roots = [
            asn1_x509.Certificate.load(sim.ca_cert.public_bytes(serialization.Encoding.DER)),
            *dev_pki.roots,
        ]
        signer = make(cls, client_for(sim), dev_pki, roots, nik="6474010101901111")
        signed = sign(signer, permit_pdf)
        sim.revoke("6474010101901111")
    report = validate_signed_pdf(signed, trust_roots=roots)  # BSrE's OCSP is gone now
    assert report.ok and report.ltv_enabled


@pytest.mark.parametrize("cls", SIGNERS)
@pytest.mark.parametrize(
    ("nik", "error"),
    [
        (EXPIRED_NIK, errors.BsreCertificateExpired),
        (REVOKED_NIK, errors.BsreCertificateRevoked),
        (NO_CERT_NIK, errors.BsreSignerNotRegistered),
        (UNREGISTERED_NIK, errors.BsreSignerNotRegistered),
    ],
)
def test_check_refuses_before_anything_is_signed(
    cls, client, simulator, dev_pki, both_roots, nik, error
):
    made = len(simulator.signatures_made)
    with pytest.raises(error):
        make(cls, client, dev_pki, both_roots, nik=nik).check()
    assert len(simulator.signatures_made) == made


@pytest.mark.parametrize("cls", SIGNERS)
def test_no_credential_no_signature(cls, client, dev_pki, both_roots, permit_pdf):
    with pytest.raises(SigningUnavailable) as raised:
        sign(make(cls, client, dev_pki, both_roots), permit_pdf, credential=None)
    assert raised.value.code == "bsre_credential_required"


@pytest.mark.parametrize("cls", SIGNERS)
def test_a_wrong_passphrase_signs_nothing(cls, client, simulator, dev_pki, both_roots, permit_pdf):
    made = len(simulator.signatures_made)
    with pytest.raises(errors.BsreWrongCredential):
        sign(
            make(cls, client, dev_pki, both_roots),
            permit_pdf,
            credential=SigningCredential.passphrase("salah"),
        )
    assert len(simulator.signatures_made) == made


@pytest.mark.parametrize("cls", SIGNERS)
def test_a_batch_under_one_code_is_one_request(cls, client, simulator, dev_pki, both_roots):
    signer = make(cls, client, dev_pki, both_roots)
    pdfs = [permit_like_pdf(n) for n in (21, 22, 23)]
    client.request_totp(signer.identity)
    code = SigningCredential.totp(simulator.totp_for(ACTIVE_NIK))
    before = len(simulator.calls)
    signed = sign_batch(signer, pdfs, signer_name="X", reason="r", location="l", credential=code)
    sign_calls = [c for c in simulator.calls[before:] if c.outcome == "signed"]
    assert [c.files for c in sign_calls] == [3]
    for original, out in zip(pdfs, signed, strict=True):
        assert out.startswith(original)
        assert validate_signed_pdf(out, trust_roots=both_roots).ltv_enabled


def test_a_passphrase_batch_goes_in_requests_of_files_per_request(
    client, simulator, dev_pki, both_roots
):
    signer = make(BsreSigner, client, dev_pki, both_roots, files_per_request=2)
    pdfs = [permit_like_pdf(n) for n in (31, 32, 33)]
    before = len(simulator.calls)
    signer.sign_many(pdfs, signer_name="X", reason="r", location="l", credential=PASS)
    assert [c.files for c in simulator.calls[before:] if c.outcome == "signed"] == [2, 1]


def test_lt_refuses_when_revocation_data_cannot_be_had(client, fresh_pki, both_roots, permit_pdf):
    """The document timestamp's TSA names a responder that is down: no B-LT, no file."""
    roots = [both_roots[0], *fresh_pki.roots]
    fresh_pki.responder.stop()
    with pytest.raises(SigningUnavailable) as raised:
        sign(make(BsreSigner, client, fresh_pki, roots), permit_pdf)
    assert raised.value.code == "signing_ltv_unavailable"


def test_a_b_b_level_skips_the_lt_step(client, dev_pki, both_roots, permit_pdf):
    signer = make(BsreSigner, client, dev_pki, both_roots, level="B-B")
    report = validate_signed_pdf(sign(signer, permit_pdf), trust_roots=both_roots)
    assert report.ok and report.level == "B-T" and not report.ltv_enabled


def test_lt_without_a_timestamp_authority_refuses_at_check(client, both_roots):
    signer = BsreSigner(client, identity=SignerIdentity(nik=ACTIVE_NIK), trust_roots=both_roots)
    with pytest.raises(SigningUnavailable):
        signer.check()


@pytest.mark.parametrize("cls", SIGNERS)
def test_a_signature_that_does_not_hold_is_refused(cls, client, simulator, dev_pki, both_roots):
    """A signed PDF with a changed byte, a CMS over another digest: not handed out as signed."""
    simulator.fail_next("tampered", paths=["/api/v2/sign/pdf", "/api/v2/sign/hash"])
    with pytest.raises(errors.BsreBadAnswer):
        sign(make(cls, client, dev_pki, both_roots), permit_like_pdf(41))
