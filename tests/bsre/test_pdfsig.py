"""An independent reader: poppler's pdfsig validates the B-LT signatures (local signer and
BSrE simulator, v2 and hash) with the roots trusted in a throwaway NSS database — and says the
certificate is trusted, not only that the signature is valid.

pdfsig (poppler 22.12) checks revocation online (OCSP from the certificate's AIA): the
responders run while it reads. It does not read the DSS, and it cannot check a document
timestamp ("Unimplemented Feature"); pyHanko checks those (test_pades_local, test_signers)."""

import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization

from bsre.client import SignerIdentity
from bsre.signers import BsreHashSigner, BsreSigner
from permits.signing import LocalPkcs12Signer, SigningCredential
from tests.bsre.conftest import ACTIVE_NIK, BSRE_PASSPHRASE, SIGNER_PASSPHRASE

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdfsig") and shutil.which("certutil")),
    reason="pdfsig (poppler-utils) and certutil (libnss3-tools) are needed: make system-deps",
)


def nss_db(folder, roots_pem: list[bytes]) -> str:
    folder.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    for index, pem in enumerate(roots_pem):
        path = folder / f"root{index}.pem"
        path.write_bytes(pem)
        subprocess.run(
            [
                "certutil",
                "-A",
                "-d",
                f"sql:{folder}",
                "-n",
                f"root{index}",
                "-t",
                "CT,C,C",
                "-a",
                "-i",
                str(path),
            ],
            check=True,
        )
    return f"sql:{folder}"


def pdfsig(pdf: bytes, tmp_path, nssdir: str) -> str:
    path = tmp_path / "permit.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdfsig", "-nssdir", nssdir, str(path)], capture_output=True, text=True, timeout=60
    )
    return result.stdout


def first_signature(output: str) -> str:
    return output.split("Signature #2")[0]


@pytest.fixture
def trusted_nss(tmp_path, dev_pki, simulator):
    return nss_db(
        tmp_path / "nss",
        [dev_pki.ca_path.read_bytes(), simulator.ca_cert.public_bytes(serialization.Encoding.PEM)],
    )


def local_b_lt(dev_pki, pdf):
    signer = LocalPkcs12Signer(
        cert_path=str(dev_pki.signer_p12),
        passphrase=SIGNER_PASSPHRASE,
        tsa_url=dev_pki.tsa.url,
        level="B-LT",
        trust_roots=dev_pki.roots,
    )
    return signer.sign(pdf, signer_name="Dra. Siti Rahma", reason="Izin", location="Bontang")


def bsre_b_lt(cls, client, dev_pki, roots, pdf):
    signer = cls(
        client, identity=SignerIdentity(nik=ACTIVE_NIK), tsa_url=dev_pki.tsa.url, trust_roots=roots
    )
    return signer.sign(
        pdf,
        signer_name="Dra. Siti Rahma",
        reason="Izin",
        location="Bontang",
        credential=SigningCredential.passphrase(BSRE_PASSPHRASE),
    )


def assert_trusted(output: str, common_name: str):
    first = first_signature(output)
    assert f"Signer Certificate Common Name: {common_name}" in first, output
    assert "Signature Validation: Signature is Valid." in first, output
    assert "Certificate Validation: Certificate is Trusted." in first, output
    assert "Signature Type: ETSI.CAdES.detached" in first
    assert "Signature #2" in output and "Signature Field Name: StempelWaktuDokumen" in output


def test_pdfsig_trusts_the_local_b_lt_signature(tmp_path, dev_pki, trusted_nss, permit_pdf):
    out = pdfsig(local_b_lt(dev_pki, permit_pdf), tmp_path, trusted_nss)
    assert_trusted(out, "Kepala DPMPTSP Kota Bontang (development)")


@pytest.mark.parametrize("cls", [BsreSigner, BsreHashSigner])
def test_pdfsig_trusts_the_bsre_b_lt_signature(
    cls, tmp_path, client, dev_pki, both_roots, trusted_nss, permit_pdf
):
    out = pdfsig(bsre_b_lt(cls, client, dev_pki, both_roots, permit_pdf), tmp_path, trusted_nss)
    assert_trusted(out, "Kepala DPMPTSP Kota Bontang")


def test_pdfsig_without_the_root_is_valid_but_not_trusted(tmp_path, dev_pki, permit_pdf):
    out = pdfsig(local_b_lt(dev_pki, permit_pdf), tmp_path, nss_db(tmp_path / "empty", []))
    first = first_signature(out)
    assert "Signature Validation: Signature is Valid." in first
    assert "Certificate is Trusted" not in first
    assert "Certificate issuer isn't Trusted" in first or "Unknown" in first


def test_pdfsig_says_revoked(tmp_path, fresh_pki, permit_pdf):
    """Revoked after signing: pdfsig asks the OCSP responder today and says so (pyHanko, with
    the embedded answer from the signing time, still validates the LT file)."""
    pdf = local_b_lt(fresh_pki, permit_pdf)
    fresh_pki.authority.revoke(fresh_pki.signer_cert.serial_number)
    out = pdfsig(pdf, tmp_path, nss_db(tmp_path / "nss", [fresh_pki.ca_path.read_bytes()]))
    assert "Certificate has been Revoked" in first_signature(out), out
