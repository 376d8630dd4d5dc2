"""Contract tests of bsre.client against the BSrE simulator over real HTTP: each call, each
refusal, each fault — and the passphrase or code seen nowhere but in the request body."""

import logging
import pickle

import pytest

from bsre import errors
from bsre.client import SignatureProperties, SignerIdentity
from permits.pades import validate_signed_pdf
from permits.signing import SigningCredential
from tests.bsre.conftest import (
    ACTIVE_EMAIL,
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


def sim_roots(simulator):
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    return [asn1_x509.Certificate.load(simulator.ca_cert.public_bytes(serialization.Encoding.DER))]


# --- user/check/status ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("nik", "status", "active"),
    [
        (ACTIVE_NIK, "ISSUE", True),
        (EXPIRED_NIK, "EXPIRED", False),
        (REVOKED_NIK, "REVOKE", False),
        (NO_CERT_NIK, "NO_CERTIFICATE", False),
        (UNREGISTERED_NIK, "NOT_REGISTERED", False),
    ],
)
def test_check_status(client, nik, status, active):
    answer = client.check_status(SignerIdentity(nik=nik))
    assert (answer.status, answer.active) == (status, active)


@pytest.mark.parametrize(
    ("nik", "error"),
    [
        (EXPIRED_NIK, errors.BsreCertificateExpired),
        (REVOKED_NIK, errors.BsreCertificateRevoked),
        (NO_CERT_NIK, errors.BsreSignerNotRegistered),
        (UNREGISTERED_NIK, errors.BsreSignerNotRegistered),
    ],
)
def test_an_unusable_status_raises_its_error(client, nik, error):
    with pytest.raises(error):
        client.check_status(SignerIdentity(nik=nik)).raise_unless_active()


def test_status_by_email(client):
    assert client.check_status(SignerIdentity(email=ACTIVE_EMAIL.upper())).active


def test_identity_is_one_of_nik_or_email():
    with pytest.raises(ValueError):
        SignerIdentity()
    with pytest.raises(ValueError):
        SignerIdentity(nik=ACTIVE_NIK, email=ACTIVE_EMAIL)
    assert str(SignerIdentity(nik=ACTIVE_NIK)) == "************0001"


# --- sign/pdf ---------------------------------------------------------------------------------
def test_sign_pdf_with_a_passphrase(client, simulator, active):
    pdfs = [permit_like_pdf(n) for n in (11, 12)]
    made = len(simulator.signatures_made)
    result = client.sign_pdf(
        pdfs,
        identity=active,
        credential=PASS,
        properties=[SignatureProperties(reason="Izin usaha", location="Bontang")],
    )
    assert len(result.files) == 2 and isinstance(result.time_ms, int)
    for original, signed in zip(pdfs, result.files, strict=True):
        assert signed.startswith(original)  # in order, an incremental update of our file
        report = validate_signed_pdf(signed, trust_roots=sim_roots(simulator))
        assert report.ok and report.level == "B-T"  # as BSrE's v2 answers
        assert report.signer_name == "Kepala DPMPTSP Kota Bontang"
        assert report.issuer_name == "BSrE Simulator CA (development)"
    assert len(simulator.signatures_made) == made + 2


def test_sign_pdf_visible(client, simulator, active, permit_pdf):
    props = SignatureProperties(
        tampilan="VISIBLE", page=1, origin_x=350, origin_y=80, width=180, height=60
    )
    signed = client.sign_pdf(
        [permit_pdf], identity=active, credential=PASS, properties=[props]
    ).files[0]
    assert validate_signed_pdf(signed, trust_roots=sim_roots(simulator)).ok


def test_sign_pdf_with_a_one_time_code(client, simulator, active, permit_pdf):
    client.request_totp(active)
    code = simulator.totp_for(ACTIVE_NIK)
    assert len(code) == 6 and code.isdigit()
    signed = client.sign_pdf([permit_pdf], identity=active, credential=SigningCredential.totp(code))
    assert len(signed.files) == 1
    # one request per code
    with pytest.raises(errors.BsreWrongCredential):
        client.sign_pdf([permit_pdf], identity=active, credential=SigningCredential.totp(code))


def test_a_one_time_code_by_email(client, simulator, permit_pdf):
    identity = SignerIdentity(email=ACTIVE_EMAIL)
    client.request_totp(identity)
    code = simulator.totp_for(ACTIVE_EMAIL)
    assert client.sign_pdf([permit_pdf], identity=identity, credential=SigningCredential.totp(code))


@pytest.mark.parametrize(
    ("nik", "credential", "error", "code"),
    [
        (ACTIVE_NIK, SigningCredential.passphrase("salah"), errors.BsreWrongCredential, 2031),
        (ACTIVE_NIK, SigningCredential.totp("000000"), errors.BsreWrongCredential, 2032),
        (UNREGISTERED_NIK, PASS, errors.BsreSignerNotRegistered, 2011),
        (NO_CERT_NIK, PASS, errors.BsreSignerNotRegistered, 2021),
        (EXPIRED_NIK, PASS, errors.BsreCertificateExpired, 2051),
        (REVOKED_NIK, PASS, errors.BsreCertificateRevoked, 2052),
    ],
)
def test_sign_pdf_refusals(client, simulator, permit_pdf, nik, credential, error, code):
    made = len(simulator.signatures_made)
    with pytest.raises(error) as raised:
        client.sign_pdf([permit_pdf], identity=SignerIdentity(nik=nik), credential=credential)
    assert raised.value.details["bsre_code"] == code
    assert not raised.value.retryable and not raised.value.outcome_unknown
    assert len(simulator.signatures_made) == made


def test_the_messages_are_in_indonesian_and_english(client, permit_pdf, active):
    from django.utils import translation

    bad = SigningCredential.passphrase("salah")
    with pytest.raises(errors.BsreWrongCredential) as raised:
        client.sign_pdf([permit_pdf], identity=active, credential=bad)
    with translation.override("id"):
        assert "Passphrase atau kode sekali pakai salah" in str(raised.value)
    with translation.override("en"):
        assert "The passphrase or the one-time code is wrong" in str(raised.value)


def test_a_wrong_client_account(simulator, permit_pdf, active):
    client = client_for(simulator, password="not-the-password")
    with pytest.raises(errors.BsreMisconfigured) as raised:
        client.sign_pdf([permit_pdf], identity=active, credential=PASS)
    assert raised.value.details["http_status"] == 401


# --- faults -----------------------------------------------------------------------------------
def test_unavailable_is_retryable_and_signs_nothing(client, simulator, permit_pdf, active):
    made = len(simulator.signatures_made)
    simulator.fail_next("unavailable")
    with pytest.raises(errors.BsreUnavailable) as raised:
        client.sign_pdf([permit_pdf], identity=active, credential=PASS)
    assert raised.value.retryable and not raised.value.outcome_unknown
    assert len(simulator.signatures_made) == made
    assert client.sign_pdf([permit_pdf], identity=active, credential=PASS).files  # then works


def test_nobody_listening_is_unavailable(permit_pdf, active):
    from bsre.client import BsreClient, BsreConfig
    from ptsp.servers import free_port

    client = BsreClient(BsreConfig(base_url=f"http://127.0.0.1:{free_port()}", connect_timeout=1))
    with pytest.raises(errors.BsreUnavailable) as raised:
        client.sign_pdf([permit_pdf], identity=active, credential=PASS)
    assert not raised.value.outcome_unknown


def test_a_timeout_before_signing(simulator, permit_pdf, active):
    client = client_for(simulator, read_timeout=0.5)
    made = len(simulator.signatures_made)
    simulator.fail_next("timeout")
    with pytest.raises(errors.BsreTimeout) as raised:
        client.sign_pdf([permit_pdf], identity=active, credential=PASS)
    assert raised.value.retryable and raised.value.outcome_unknown
    assert len(simulator.signatures_made) == made


def test_signed_then_timed_out_is_an_unknown_outcome(simulator, permit_pdf, active):
    """BSrE signed, the answer never came: the client cannot tell, says so (outcome_unknown),
    and the simulator's record shows the signature was made — what phase 2 must not repeat."""
    client = client_for(simulator, read_timeout=0.5)
    made = len(simulator.signatures_made)
    simulator.fail_next("sign_then_timeout")
    with pytest.raises(errors.BsreTimeout) as raised:
        client.sign_pdf([permit_pdf], identity=active, credential=PASS)
    assert raised.value.outcome_unknown
    assert len(simulator.signatures_made) == made + 1
    assert simulator.calls[-1].outcome == "signed"


@pytest.mark.parametrize("fault", ["server_error", "bad_answer"])
def test_an_answer_we_cannot_use_fails_closed(client, simulator, permit_pdf, active, fault):
    simulator.fail_next(fault)
    with pytest.raises(errors.BsreBadAnswer):
        client.sign_pdf([permit_pdf], identity=active, credential=PASS)


# --- verify/pdf, certificate chain ------------------------------------------------------------
def test_verify_pdf(client, active, permit_pdf):
    unsigned = client.verify_pdf(permit_pdf)
    assert (unsigned.conclusion, unsigned.signature_count) == ("NO_SIGNATURE", 0)
    signed = client.sign_pdf([permit_pdf], identity=active, credential=PASS).files[0]
    verdict = client.verify_pdf(signed)
    assert verdict.conclusion == "VALID" and verdict.signature_count == 1
    info = verdict.signatures[0]
    assert info.integrity_valid and info.certificate_trusted
    assert info.signer_name == "Kepala DPMPTSP Kota Bontang"
    assert info.signature_format == "PAdES-BASELINE-T" and not info.ltv
    assert "timestampInfomation" in verdict.raw["signatureInformations"][0]  # BSrE's spelling
    with pytest.raises(errors.BsreBadAnswer):
        client.verify_pdf(b"")


def test_certificate_chain(client, simulator, active):
    from cryptography import x509

    chain = [x509.load_der_x509_certificate(der) for der in client.certificate_chain(active)]
    assert chain[0].serial_number == simulator.signer(ACTIVE_NIK).cert.serial_number
    assert chain[1].subject == simulator.ca_cert.subject
    with pytest.raises(errors.BsreError):
        client.certificate_chain(SignerIdentity(nik=UNREGISTERED_NIK))


# --- hash signing -----------------------------------------------------------------------------
def test_hash_signing_returns_a_cms_per_digest(client, simulator, active):
    import hashlib

    from asn1crypto import cms

    digests = [hashlib.sha256(b"a").digest(), hashlib.sha256(b"b").digest()]
    signatures = client.sign_hash(digests, identity=active, credential=PASS)
    assert len(signatures) == 2
    for digest, der in zip(digests, signatures, strict=True):
        signed_data = cms.ContentInfo.load(der)["content"]
        attrs = signed_data["signer_infos"][0]["signed_attrs"]
        message_digest = next(a for a in attrs if a["type"].native == "message_digest")
        assert message_digest["values"][0].native == digest
        unsigned = signed_data["signer_infos"][0]["unsigned_attrs"]
        assert any(a["type"].native == "signature_time_stamp_token" for a in unsigned)
    token = client.access_token()
    client.sign_hash(digests[:1], identity=active, credential=PASS)
    assert client.access_token() == token  # cached
    assert sum(c.path == "/oauth/token" for c in simulator.calls) >= 1


def test_hash_signing_refusals(simulator, active):
    import hashlib

    digest = [hashlib.sha256(b"x").digest()]
    with pytest.raises(errors.BsreMisconfigured):
        client_for(simulator, client_secret="wrong").sign_hash(
            digest, identity=active, credential=PASS
        )
    with pytest.raises(errors.BsreWrongCredential):
        client_for(simulator).sign_hash(
            digest, identity=active, credential=SigningCredential.passphrase("salah")
        )
    with pytest.raises(errors.BsreMisconfigured):
        client_for(simulator, client_id="", client_secret="").sign_hash(
            digest, identity=active, credential=PASS
        )


# --- secrets ----------------------------------------------------------------------------------
def test_the_passphrase_and_code_are_never_logged_kept_or_raised(
    simulator, caplog, permit_pdf, active, monkeypatch
):
    """Every path a secret could leak by: log records (all loggers, DEBUG), exceptions (message,
    args, repr, details), the client, the simulator's records, the credential itself."""
    # The answered calls must be answered within the read timeout on a loaded machine too (a
    # signature took > 0.5 s in CI, turning the server error into a time-out): 3 s, and the
    # simulator's hang longer than that.
    monkeypatch.setattr(simulator, "hang_seconds", 4.5)
    client = client_for(simulator, read_timeout=3.0)
    client.request_totp(active)
    code = simulator.totp_for(ACTIVE_NIK)
    seen = []
    with caplog.at_level(logging.DEBUG):
        for nik, credential, fault in [
            (ACTIVE_NIK, PASS, None),
            (ACTIVE_NIK, SigningCredential.totp(code), None),
            (ACTIVE_NIK, SigningCredential.passphrase(BSRE_PASSPHRASE + "x"), None),
            (EXPIRED_NIK, PASS, None),
            (ACTIVE_NIK, PASS, "sign_then_timeout"),
            (ACTIVE_NIK, PASS, "server_error"),
        ]:
            if fault:
                simulator.fail_next(fault)
            try:
                client.sign_pdf(
                    [permit_pdf], identity=SignerIdentity(nik=nik), credential=credential
                )
                client.sign_hash(
                    [b"\0" * 32], identity=SignerIdentity(nik=nik), credential=credential
                )
            except errors.BsreError as exc:
                seen.append(exc)
    assert {type(e) for e in seen} >= {
        errors.BsreWrongCredential,
        errors.BsreCertificateExpired,
        errors.BsreTimeout,
        errors.BsreBadAnswer,
    }
    secrets = [BSRE_PASSPHRASE, code]
    texts = [r.getMessage() for r in caplog.records] + [str(r.args) for r in caplog.records]
    for exc in seen:
        texts += [str(exc), repr(exc), str(exc.args), str(exc.details), str(exc.__cause__)]
        texts += [str(exc.__context__)]
    texts += [repr(client), repr(client.__dict__), repr(simulator.calls)]
    texts += [repr(PASS), str(PASS), f"{PASS}", repr(SigningCredential.totp(code))]
    for secret in secrets:
        assert not [t for t in texts if secret in t], secret
    assert any("sign/pdf" in t for t in texts)  # the log lines are there, without secrets
    with pytest.raises(TypeError):
        pickle.dumps(PASS)
