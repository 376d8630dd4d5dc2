"""PAdES B-LT with the local PKCS#12 signer: revocation data in the DSS, a document timestamp,
and a validation that needs no network — also once the CA's responder is gone and the
certificate has expired."""

import datetime as dt
import io

import pytest
import time_machine

from permits.pades import validate_signed_pdf
from permits.signing import LocalPkcs12Signer, SigningCredential, SigningUnavailable, sign_batch
from tests.bsre.conftest import SIGNER_PASSPHRASE, permit_like_pdf


def local_signer(pki, level="B-LT", **kwargs):
    return LocalPkcs12Signer(
        cert_path=str(pki.signer_p12),
        passphrase=SIGNER_PASSPHRASE,
        tsa_url=pki.tsa.url if level != "B-B" else "",
        level=level,
        trust_roots=pki.roots,
        **kwargs,
    )


def sign(signer, pdf):
    return signer.sign(pdf, signer_name="Dra. Siti Rahma", reason="Izin", location="Bontang")


def dss(pdf: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    return DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(pdf), strict=False))


@pytest.mark.parametrize(
    ("level", "expected", "ltv"),
    [("B-B", "B-B", False), ("B-T", "B-T", False), ("B-LT", "B-LTA", True)],
)
def test_each_level_and_its_report(dev_pki, permit_pdf, level, expected, ltv):
    signed = sign(local_signer(dev_pki, level), permit_pdf)
    assert signed.startswith(permit_pdf)  # incremental: the PDF/A is untouched
    report = validate_signed_pdf(signed, trust_roots=dev_pki.roots)
    assert report.ok, report.problems
    assert (report.intact, report.valid, report.trusted) == (True, True, True)
    assert report.signer_name == "Kepala DPMPTSP Kota Bontang (development)"
    assert report.issuer_name == "PTSP Online Development CA"
    assert report.signing_time is not None
    assert (report.timestamp_time is not None) == (level != "B-B")
    assert report.level == expected and report.ltv_enabled is ltv
    if ltv:
        store = dss(signed)
        assert store.ocsps, "the signer's and the TSA's OCSP responses are embedded"
        assert report.document_timestamp_time >= report.timestamp_time
        assert not report.covers_whole_file and report.only_ltv_updates_after


def test_lt_validates_with_the_responder_offline(fresh_pki, permit_pdf):
    signed = sign(local_signer(fresh_pki), permit_pdf)
    asked = dict(fresh_pki.authority.requests)
    fresh_pki.responder.stop()
    report = validate_signed_pdf(signed, trust_roots=fresh_pki.roots)
    assert report.ok and report.ltv_enabled and report.level == "B-LTA"
    assert fresh_pki.authority.requests == asked  # nothing was fetched
    # A B-T signature of the same signer cannot prove its certificate's status offline.
    fresh_pki.responder = type(fresh_pki.responder)(fresh_pki.authority).start()
    b_t = sign(local_signer(fresh_pki, "B-T"), permit_pdf)
    assert not validate_signed_pdf(b_t, trust_roots=fresh_pki.roots).ltv_enabled


def test_lt_still_validates_after_the_certificate_expired(dev_pki, permit_pdf):
    """Six years on (the signer's certificate lasts five): the B-LT file validates as of its
    timestamp with its own revocation data; a B-T file no longer does."""
    lt = sign(local_signer(dev_pki), permit_pdf)
    b_t = sign(local_signer(dev_pki, "B-T"), permit_pdf)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=6 * 365)
    with time_machine.travel(later, tick=True):
        report = validate_signed_pdf(lt, trust_roots=dev_pki.roots)
        old_b_t = validate_signed_pdf(b_t, trust_roots=dev_pki.roots)
    assert report.ok and report.ltv_enabled and report.trusted_at_timestamp
    assert not old_b_t.trusted and not old_b_t.ok


def test_revoked_after_signing_the_lt_file_still_proves_the_good_status(fresh_pki, permit_pdf):
    signed = sign(local_signer(fresh_pki), permit_pdf)
    fresh_pki.authority.revoke(fresh_pki.signer_cert.serial_number)
    report = validate_signed_pdf(signed, trust_roots=fresh_pki.roots)
    assert report.ok and report.ltv_enabled


def test_a_revoked_certificate_cannot_sign_lt(fresh_pki, permit_pdf, caplog):
    fresh_pki.authority.revoke(fresh_pki.signer_cert.serial_number)
    with pytest.raises(SigningUnavailable) as raised:
        sign(local_signer(fresh_pki), permit_pdf)
    assert raised.value.code == "signing_ltv_unavailable"
    assert any("B-LT signing failed" in r.getMessage() for r in caplog.records)


def test_an_unreachable_responder_refuses_lt_signing(fresh_pki, permit_pdf):
    fresh_pki.responder.stop()
    with pytest.raises(SigningUnavailable) as raised:
        sign(local_signer(fresh_pki), permit_pdf)
    assert raised.value.code == "signing_ltv_unavailable"


def test_lt_without_a_timestamp_authority_refuses_at_check(dev_pki):
    signer = LocalPkcs12Signer(
        cert_path=str(dev_pki.signer_p12),
        passphrase=SIGNER_PASSPHRASE,
        level="B-LT",
        trust_roots=dev_pki.roots,
    )
    with pytest.raises(SigningUnavailable) as raised:
        signer.check()
    assert raised.value.code == "signing_ltv_unconfigured"


def test_a_changed_byte_is_not_intact(dev_pki, permit_pdf):
    signed = bytearray(sign(local_signer(dev_pki), permit_pdf))
    signed[len(permit_pdf) // 2] ^= 0x01  # one bit inside the signed range
    report = validate_signed_pdf(bytes(signed), trust_roots=dev_pki.roots)
    assert report.present and not report.intact and not report.ok


def test_untrusted_roots_and_garbage(dev_pki, fresh_pki, permit_pdf):
    signed = sign(local_signer(dev_pki), permit_pdf)
    stranger = validate_signed_pdf(signed, trust_roots=fresh_pki.roots)
    assert stranger.intact and not stranger.trusted and not stranger.ltv_enabled
    assert not stranger.ok
    assert not validate_signed_pdf(b"not a pdf", trust_roots=dev_pki.roots).present
    unsigned = validate_signed_pdf(permit_pdf, trust_roots=dev_pki.roots)
    assert not unsigned.present and unsigned.problems == ["no signature"]


def test_the_interface_takes_a_credential_and_batches(dev_pki):
    """Additive: a local signer accepts (and ignores) a credential; sign_batch signs each file
    with a signer that has no sign_many."""
    signer = local_signer(dev_pki, "B-B")
    pdfs = [permit_like_pdf(n) for n in (2, 3)]
    signed = sign_batch(
        signer,
        pdfs,
        signer_name="X",
        reason="r",
        location="l",
        credential=SigningCredential.passphrase("ignored-by-a-local-key"),
    )
    assert [s.startswith(p) for s, p in zip(signed, pdfs, strict=True)] == [True, True]
    assert all(validate_signed_pdf(s, trust_roots=dev_pki.roots).ok for s in signed)


def test_the_permit_verification_accepts_a_b_lt_file(dev_pki, permit_pdf, settings):
    """permits.verification.check_signature reads the permit's signature past the document
    timestamp and counts DSS/timestamp updates as covering the file; anything else appended is
    not."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from permits.verification import check_signature

    settings.SIGNING_CA_PATH = str(dev_pki.ca_path)
    signed = sign(local_signer(dev_pki), permit_pdf)
    report = check_signature(signed)
    assert report.present and report.intact and report.valid and report.trusted
    assert report.covers_whole_file and report.timestamped
    from pyhanko.pdf_utils import generic

    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    writer.root["/Lang"] = generic.TextStringObject("en")  # a change after signing
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert not check_signature(out.getvalue()).covers_whole_file
