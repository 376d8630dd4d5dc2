"""OSS hears the applicant's correction period (issue 18 part B): a lapse after a return is 90,
a re-confirmation is 43 and its answer 44 (a plain request stays 41/42), through the real
simulator."""

from datetime import timedelta

import pytest

from applications.models import CorrectionPeriod
from applications.services.intake import application_return
from applications.services.reviews import review_decide
from applications.services.revisions import revision_answer
from applications.sla.corrections import corrections_sweep
from outbox.testing import run_pending
from tests.journeys import minimal_pdf, replace_document, route, submit, verifier_of
from tests.oss import test_deliveries as base

pytestmark = pytest.mark.django_db

# The OSS simulator and Bontang's connection to it, as the delivery tests set them up.
sim = base.sim
connected = base.connected
_from_oss = base._from_oss


def test_an_unanswered_return_lapses_and_oss_hears_90(connected, sim):
    application, item = _from_oss(sim)
    submit(application)
    run_pending()
    documents = list(application.documents.filter(is_current=True))
    verdicts = {d.pk: {"verdict": "accepted"} for d in documents}
    verdicts[documents[0].pk] = {"verdict": "rejected", "note": "Dokumen tidak terbaca."}
    application_return(application_id=application.pk, actor=verifier_of("BTG"), verdicts=verdicts)
    run_pending()
    period = CorrectionPeriod.objects.get(application=application)
    assert corrections_sweep(now=period.due_at + timedelta(seconds=1)).lapsed == 1
    run_pending()
    assert sim.statuses(item.id_izin) == ["09", "11", "90"]


@pytest.mark.parametrize(("restart", "codes"), [(True, ["43", "44"]), (False, ["41", "42"])])
def test_a_re_confirmation_is_43_then_44(connected, sim, restart, codes):
    application, item = _from_oss(sim)
    submit(application)
    run_pending()
    route(application, run_pending)
    review = application.reviews.select_related("assignee").first()
    code = application.catalog_version.snapshot["requirements"][0]["code"]
    review_decide(
        review_id=review.pk,
        actor=review.assignee,
        decision="request_revision",
        revision_items=[{"kind": "document", "key": code, "note": "Perbarui"}],
        restart=restart,
    )
    replace_document(application, code, minimal_pdf(b"renewed"))
    revision_answer(review_id=review.pk, actor=application.applicant, note="Sudah")
    run_pending()
    assert sim.statuses(item.id_izin)[-2:] == codes
