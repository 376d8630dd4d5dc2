"""The development CA's OCSP responder and CRL (permits.revocation), and the certificates that
name them (make_dev_signing_cert)."""

import io
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID
from django.core.management import call_command


def _ocsp_status(responder_url: str, cert, issuer):
    # SHA-1 in the CertID is what OCSP clients send (RFC 5019), not a signature.
    request = (
        ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1()).build()  # noqa: S303
    )
    http = urllib.request.Request(
        responder_url + "/ocsp",
        data=request.public_bytes(serialization.Encoding.DER),
        headers={"Content-Type": "application/ocsp-request"},
    )
    with urllib.request.urlopen(http, timeout=5) as answer:
        response = ocsp.load_der_ocsp_response(answer.read())
    return response


def _ca_cert(pki):
    return x509.load_pem_x509_certificate(pki.ca_path.read_bytes())


def test_ocsp_says_good_then_revoked_and_the_crl_lists_it(fresh_pki):
    ca = _ca_cert(fresh_pki)
    cert = fresh_pki.signer_cert
    response = _ocsp_status(fresh_pki.responder.url, cert, ca)
    assert response.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert response.serial_number == cert.serial_number
    # signed by the CA itself, fresh, relative to the clock
    ca.public_key().verify(
        response.signature,
        response.tbs_response_bytes,
        ECDSA(response.signature_hash_algorithm),
    )
    assert response.next_update_utc > response.this_update_utc

    fresh_pki.authority.revoke(cert.serial_number, reason="key_compromise")
    response = _ocsp_status(fresh_pki.responder.url, cert, ca)
    assert response.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert response.revocation_reason == x509.ReasonFlags.key_compromise

    with urllib.request.urlopen(fresh_pki.responder.url + "/crl", timeout=5) as answer:
        crl = x509.load_der_x509_crl(answer.read())
    assert crl.is_signature_valid(ca.public_key())
    assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None


def test_a_certificate_of_another_ca_is_unauthorized(fresh_pki, dev_pki):
    other = dev_pki.signer_cert
    response = _ocsp_status(fresh_pki.responder.url, other, _ca_cert(dev_pki))
    assert response.response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED


def test_dev_certificates_name_the_configured_responder(signing_cert, tmp_path, settings):
    """make_dev_signing_cert writes AIA (OCSP) and CRL distribution points: the session's
    responder for the test session, SIGNING_DEV_REVOCATION_URL (a local port) by default,
    nothing with --revocation-url ''."""

    def urls(p12: Path, passphrase: str):
        _key, cert, _chain = pkcs12.load_key_and_certificates(p12.read_bytes(), passphrase.encode())
        try:
            aia = cert.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
        except x509.ExtensionNotFound:
            return None, None
        ocsp_url = next(
            d.access_location.value
            for d in aia.value
            if d.access_method == AuthorityInformationAccessOID.OCSP
        )
        crl = cert.extensions.get_extension_for_oid(ExtensionOID.CRL_DISTRIBUTION_POINTS)
        return ocsp_url, crl.value[0].full_name[0].value

    session_url = (Path(signing_cert.SIGNING_CA_PATH).parent / "revocation-url").read_text()
    assert urls(
        Path(signing_cert.SIGNING_CERT_PATH),
        signing_cert.SIGNING_CERT_PASSPHRASE,
    ) == (session_url + "/ocsp", session_url + "/crl")

    settings.SIGNING_CERT_PATH = str(tmp_path / "a.p12")
    settings.SIGNING_DEV_REVOCATION_URL = "http://127.0.0.1:8790"
    call_command("make_dev_signing_cert", "--regions", stdout=io.StringIO())
    assert urls(tmp_path / "a.p12", settings.SIGNING_CERT_PASSPHRASE) == (
        "http://127.0.0.1:8790/ocsp",
        "http://127.0.0.1:8790/crl",
    )
    settings.SIGNING_CERT_PATH = str(tmp_path / "b.p12")
    call_command("make_dev_signing_cert", "--regions", "--revocation-url", "", stdout=io.StringIO())
    assert urls(tmp_path / "b.p12", settings.SIGNING_CERT_PASSPHRASE) == (None, None)


@pytest.mark.parametrize("reason", ["unspecified", "superseded"])
def test_revocations_persist_in_the_state_file(tmp_path, fresh_pki, reason):
    from permits.revocation import CertificateAuthorityRevocation

    state = tmp_path / "revoked.json"
    one = CertificateAuthorityRevocation(ca_path=fresh_pki.ca_path, state_path=state)
    one.revoke(1234, reason=reason)
    other = CertificateAuthorityRevocation(ca_path=fresh_pki.ca_path, state_path=state)
    assert other.revoked()[1234].reason == reason
    with pytest.raises(ValueError):
        one.revoke(5, reason="because")


def test_serve_dev_revocation_command(signing_cert):
    from ptsp.servers import free_port

    out = io.StringIO()
    port = free_port()
    call_command(
        "serve_dev_revocation", "--port", str(port), "--once", "--revoke", "0x1f", stdout=out
    )
    assert f"OCSP http://127.0.0.1:{port}/ocsp" in out.getvalue()
    assert "Revoked serial 0x1f" in out.getvalue()
    state = Path(signing_cert.SIGNING_CA_PATH).with_suffix(".revoked.json")
    assert "31" in state.read_text()
