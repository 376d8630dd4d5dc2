"""Issue 19: the hash-signing variant end to end through issuance. A region configured with
`mode=hash` issues permits through `permits_sign` and the worker's batch against the simulator:
BSrE receives digests only (never the document), its CMS goes into our PDF, and pyHanko
validates the issued files — B-T as BSrE answers, and B-LT (LTV-enabled) with our LT step."""

from pathlib import Path

import pytest

from applications.models import Status
from bsre.client import SIGN_PDF_PATH
from bsre.simulator.server import HASH_SIGN_PATH
from permits.models import Permit, PermitCounter, SigningBatchItem
from permits.pades import load_trust_roots, validate_signed_pdf
from permits.services.batch_signing import permits_sign
from permits.signing import SigningCredential, get_signer
from permits.verification import check_file
from tests.bsre.conftest import BSRE_PASSPHRASE
from tests.bsre.test_configuration import configure_bsre
from tests.bsre.test_issuance_bsre import _signer
from tests.journeys import recommended_application
from tests.signing_fixtures import LocalTsa

pytestmark = pytest.mark.django_db


@pytest.fixture
def hash_region(demo, simulator, monkeypatch, signing_cert, settings, tmp_path):
    """BTG signs with the simulator's hash signing; the roots are the development CA's and the
    simulator's."""
    simulator._faults.clear()
    dev_ca = Path(settings.SIGNING_CA_PATH)
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(dev_ca.read_bytes() + simulator.ca_pem())
    settings.SIGNING_CA_PATH = str(bundle)
    config = configure_bsre(simulator, monkeypatch, mode="hash")
    config.dev_ca = dev_ca
    yield config
    simulator._faults.clear()


def _calls(simulator, path) -> int:
    return sum(1 for call in simulator.calls if call.path == path)


def _issued_file(application) -> tuple[Permit, bytes]:
    permit = Permit.objects.get(application=application)
    with permit.file.open("rb") as handle:
        return permit, handle.read()


def test_hash_mode_issues_a_batch_that_pyhanko_validates(
    hash_region, simulator, run_outbox, settings
):
    from bsre.signers import BsreHashSigner

    first, second = recommended_application(), recommended_application()
    assert isinstance(get_signer(first.region, user=_signer()), BsreHashSigner)
    pdf_calls, hash_calls = _calls(simulator, SIGN_PDF_PATH), _calls(simulator, HASH_SIGN_PATH)
    batch = permits_sign(
        application_ids=[first.pk, second.pk],
        actor=_signer(),
        credential=SigningCredential.passphrase(BSRE_PASSPHRASE),
    )
    run_outbox()
    # BSrE was sent digests, one request per file under a passphrase, and never a document.
    assert _calls(simulator, SIGN_PDF_PATH) == pdf_calls
    assert _calls(simulator, HASH_SIGN_PATH) == hash_calls + 2
    assert sorted(batch.items.values_list("state", flat=True)) == [SigningBatchItem.State.DONE] * 2
    roots = load_trust_roots(settings.SIGNING_CA_PATH)
    for sequence, application in enumerate((first, second), start=1):
        application.refresh_from_db()
        assert application.status == Status.ISSUED
        permit, data = _issued_file(application)
        assert permit.status == Permit.Status.VALID and permit.sequence == sequence
        report = validate_signed_pdf(data, trust_roots=roots)
        assert report.ok, report.problems
        assert (report.intact, report.valid, report.trusted) == (True, True, True)
        assert report.level == "B-T"  # BSrE's CMS carries its signature timestamp
        assert report.timestamp_time is not None
        assert "Kepala DPMPTSP Kota Bontang" in report.signer_name
        assert "BSrE Simulator" in report.issuer_name
        # The verification page's check of the issued file agrees.
        checked = check_file(data, permit=permit)
        assert checked.hash_matches and checked.signature.trusted


def test_hash_mode_with_b_lt_is_ltv_enabled(hash_region, simulator, run_outbox, settings):
    """SIGNING_PADES_LEVEL=B-LT: after BSrE's CMS, our LT step embeds the revocation data of
    both chains and a document timestamp; the file validates with LTV offline."""
    revocation_url = (hash_region.dev_ca.parent / "revocation-url").read_text().strip()
    tsa = LocalTsa(str(hash_region.dev_ca), revocation_url=revocation_url)
    settings.SIGNING_PADES_LEVEL = "B-LT"
    settings.TSA_URL = tsa.url
    try:
        application = recommended_application()
        permits_sign(
            application_ids=[application.pk],
            actor=_signer(),
            credential=SigningCredential.passphrase(BSRE_PASSPHRASE),
        )
        run_outbox()
    finally:
        tsa.stop()
    application.refresh_from_db()
    assert application.status == Status.ISSUED
    _permit, data = _issued_file(application)
    report = validate_signed_pdf(data, trust_roots=load_trust_roots(settings.SIGNING_CA_PATH))
    assert report.ok, report.problems
    assert report.trusted and report.ltv_enabled
    assert report.level == "B-LTA" and report.document_timestamp_time is not None
    assert report.only_ltv_updates_after


def test_hash_mode_wrong_passphrase_takes_no_number(hash_region, simulator, run_outbox, english):
    application = recommended_application()
    batch = permits_sign(
        application_ids=[application.pk],
        actor=_signer(),
        credential=SigningCredential.passphrase("salah"),
    )
    run_outbox()
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    assert not Permit.objects.filter(application=application).exists()
    assert sum(PermitCounter.objects.values_list("last_value", flat=True)) == 0
    item = batch.items.get()
    assert item.state == SigningBatchItem.State.FAILED
    assert "passphrase or the one-time code is wrong" in item.error
    permits_sign(
        application_ids=[application.pk],
        actor=_signer(),
        credential=SigningCredential.passphrase(BSRE_PASSPHRASE),
    )
    run_outbox()
    assert Permit.objects.get(application=application).sequence == 1
