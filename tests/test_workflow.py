"""The workflow: intake, routing, OPD decisions, revisions and the outcome, through the services."""

import threading

import pytest
from django.db import connection

from accounts.models import User
from applications.demo import minimal_pdf
from applications.models import Event, Notification, Review, ReviewStatus, Status
from applications.services.intake import (
    application_accept,
    application_resubmit,
    application_return,
)
from applications.services.outcome import (
    application_confirm_rejection,
    application_send_back_rejection,
)
from applications.services.reviews import application_route, review_decide, review_reassign
from applications.services.revisions import revision_answer
from outbox.models import OutboxMessage
from ptsp.errors import Conflict, DomainError, NotAllowed
from tests.journeys import all_accepted, replace_document, submitted_application

pytestmark = pytest.mark.django_db


def user(email):
    return User.objects.get(email=email)


VERIFIER = "verifikator.btg@ptsp.local"
SIGNER = "kepala.btg@ptsp.local"
APPLICANT = "budi.santoso@example.id"


def review_of(application, code):
    return application.reviews.select_related("agency", "assignee").get(agency__code=code)


def test_accept_routes_one_review_per_agency_with_due_times_and_notices(routed):
    assert routed.status == Status.IN_REVIEW
    reviews = list(routed.reviews.select_related("agency", "assignee"))
    assert sorted(r.agency.code for r in reviews) == ["DINKES", "DLH"]
    for review in reviews:
        assert review.status == ReviewStatus.IN_REVIEW
        assert review.assignee.memberships.filter(agency=review.agency, role="officer").exists()
        assert review.due_at is not None and review.budget_days == 10
        assert (
            Notification.objects.filter(recipient=review.assignee, kind="review_assigned").count()
            == 1
        )
    assert Notification.objects.filter(recipient=routed.applicant, kind="accepted").count() == 1
    assert list(routed.events.values_list("action", flat=True)) == [
        "submit",
        "accept",
        "routed",
        "routed",
    ]


def test_routing_twice_leaves_one_review_per_agency(routed):
    assert application_route(application_id=routed.pk) == []
    assert routed.reviews.count() == 2


@pytest.mark.django_db(transaction=True)
def test_routing_concurrently_leaves_one_review_per_agency(routed):

    errors = []

    def run():
        try:
            application_route(application_id=routed.pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert routed.reviews.count() == 2


def test_routing_after_a_run_that_stopped_half_way_completes_the_route(demo, run_outbox):
    application = submitted_application()
    application_accept(
        application_id=application.pk, actor=user(VERIFIER), verdicts=all_accepted(application)
    )
    # The state a crashed run would leave if it had committed one agency's review only.
    from agencies.models import Agency

    dinkes = Agency.objects.get(region__code="BTG", code="DINKES")
    Review.objects.create(application=application, agency=dinkes, budget_days=10)
    run_outbox()
    assert sorted(application.reviews.values_list("agency__code", flat=True)) == ["DINKES", "DLH"]


def test_least_loaded_officer_gets_the_review(demo, run_outbox):
    from agencies.models import Agency
    from applications.services.reviews import least_loaded_officer

    pupr = Agency.objects.get(region__code="BTG", code="PUPR")
    first = least_loaded_officer(pupr)
    a1 = submitted_application(agencies=("PUPR",), code="PBG-T")
    application_accept(application_id=a1.pk, actor=user(VERIFIER), verdicts=all_accepted(a1))
    run_outbox()
    assert review_of(a1, "PUPR").assignee == first
    a2 = submitted_application(agencies=("PUPR",), code="PBG-T")
    application_accept(application_id=a2.pk, actor=user(VERIFIER), verdicts=all_accepted(a2))
    run_outbox()
    second = review_of(a2, "PUPR").assignee
    assert second != first
    assert second.memberships.filter(agency=pupr, role="officer").exists()


def test_return_and_resubmit_keeps_accepted_documents(demo):
    application = submitted_application()
    ktp = application.documents.get(requirement_code="ktp")
    denah = application.documents.get(requirement_code="denah")
    verdicts = {
        ktp.pk: {"verdict": "accepted"},
        denah.pk: {"verdict": "rejected", "note": "Skala tidak terbaca"},
    }
    application_return(application_id=application.pk, actor=user(VERIFIER), verdicts=verdicts)
    application.refresh_from_db()
    assert application.status == Status.RETURNED
    notice = Notification.objects.get(recipient=application.applicant, kind="returned")
    assert "Skala tidak terbaca" in notice.body

    with pytest.raises(DomainError, match=r"denah\.pdf"):
        application_resubmit(application_id=application.pk, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == Status.RETURNED

    new_denah = replace_document(application, "denah", minimal_pdf(b"revised plan"))
    application_resubmit(application_id=application.pk, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    ktp.refresh_from_db()
    assert ktp.is_current and ktp.verdict == "accepted" and ktp.version == 1
    assert new_denah.version == 2 and new_denah.verdict == "pending"
    # The verifier now accepts; the accepted KTP needed no second upload.
    application_accept(
        application_id=application.pk, actor=user(VERIFIER), verdicts=all_accepted(application)
    )
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW


def test_return_without_a_rejected_document_or_note_is_refused(demo):
    application = submitted_application()
    with pytest.raises(DomainError):
        application_return(
            application_id=application.pk, actor=user(VERIFIER), verdicts=all_accepted(application)
        )
    doc = application.documents.first()
    verdicts = {**all_accepted(application), doc.pk: {"verdict": "rejected", "note": "  "}}
    with pytest.raises(DomainError):
        application_return(application_id=application.pk, actor=user(VERIFIER), verdicts=verdicts)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert not application.documents.exclude(verdict="pending").exists()


def test_accept_with_a_missing_verdict_is_refused(demo):
    application = submitted_application()
    one = application.documents.first()
    with pytest.raises(DomainError):
        application_accept(
            application_id=application.pk,
            actor=user(VERIFIER),
            verdicts={one.pk: {"verdict": "accepted"}},
        )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert not OutboxMessage.objects.filter(task_name="agencies.tasks.route_application").exists()


def test_both_recommend_makes_the_application_recommended_and_tells_the_signer(routed):
    for code in ("DINKES", "DLH"):
        review = review_of(routed, code)
        review_decide(
            review_id=review.pk,
            actor=review.assignee,
            decision="recommend",
            reasons="Memenuhi syarat",
        )
    routed.refresh_from_db()
    assert routed.status == Status.RECOMMENDED
    assert routed.due_at is not None
    assert Notification.objects.filter(recipient=user(SIGNER), kind="recommended").count() == 1


def test_revision_loop_same_review_same_officer(routed):
    dinkes = review_of(routed, "DINKES")
    officer = dinkes.assignee
    items = [{"kind": "document", "key": "denah", "note": "Tambahkan ukuran ruang tindakan"}]
    review_decide(
        review_id=dinkes.pk, actor=officer, decision="request_revision", revision_items=items
    )
    routed.refresh_from_db()
    assert routed.status == Status.REVISION_REQUESTED
    notice = Notification.objects.get(recipient=routed.applicant, kind="revision_requested")
    assert "Tambahkan ukuran ruang tindakan" in notice.body
    # DLH continues meanwhile.
    dlh = review_of(routed, "DLH")
    review_decide(review_id=dlh.pk, actor=dlh.assignee, decision="recommend")
    routed.refresh_from_db()
    assert routed.status == Status.REVISION_REQUESTED

    with pytest.raises(DomainError, match="Denah"):
        revision_answer(review_id=dinkes.pk, actor=routed.applicant, note="Sudah")
    ktp_before = routed.documents.get(requirement_code="ktp", is_current=True)
    replace_document(routed, "denah", minimal_pdf(b"plan with room sizes"))
    revision_answer(review_id=dinkes.pk, actor=routed.applicant, note="Denah diperbarui")
    dinkes.refresh_from_db()
    routed.refresh_from_db()
    assert dinkes.status == ReviewStatus.IN_REVIEW and dinkes.assignee == officer
    assert routed.status == Status.IN_REVIEW
    assert routed.documents.get(requirement_code="ktp", is_current=True) == ktp_before
    review_decide(review_id=dinkes.pk, actor=officer, decision="recommend")
    routed.refresh_from_db()
    assert routed.status == Status.RECOMMENDED


def test_decisions_need_their_reasons_and_items(routed):
    review = review_of(routed, "DINKES")
    with pytest.raises(DomainError):
        review_decide(review_id=review.pk, actor=review.assignee, decision="reject", reasons="  ")
    with pytest.raises(DomainError):
        review_decide(
            review_id=review.pk,
            actor=review.assignee,
            decision="request_revision",
            revision_items=[],
        )
    with pytest.raises(DomainError):
        review_decide(
            review_id=review.pk,
            actor=review.assignee,
            decision="request_revision",
            revision_items=[{"kind": "document", "key": "nonexistent", "note": "x"}],
        )
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_REVIEW
    assert not review.events.exclude(action="routed").exists()


def test_wrong_agency_wrong_role_and_wrong_region_are_refused_and_logged(routed, caplog):
    review = review_of(routed, "DINKES")
    for email in [
        "petugas.pupr.btg@ptsp.local",
        "petugas.dinkes.plg@ptsp.local",
        VERIFIER,
        APPLICANT,
    ]:
        with pytest.raises(NotAllowed):
            review_decide(review_id=review.pk, actor=user(email), decision="recommend")
    with pytest.raises(NotAllowed):
        application_accept(
            application_id=routed.pk, actor=user("verifikator.plg@ptsp.local"), verdicts={}
        )
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_REVIEW
    assert "workflow refused" in caplog.text


def test_a_second_decision_is_refused_with_a_clear_message(routed, english):
    review = review_of(routed, "DINKES")
    review_decide(review_id=review.pk, actor=review.assignee, decision="recommend")
    with pytest.raises(Conflict, match="already"):
        review_decide(review_id=review.pk, actor=review.assignee, decision="reject", reasons="late")
    review.refresh_from_db()
    assert review.status == ReviewStatus.RECOMMENDED


@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_the_same_review_at_once_one_wins(demo, run_outbox):
    application = submitted_application()
    application_accept(
        application_id=application.pk, actor=user(VERIFIER), verdicts=all_accepted(application)
    )
    run_outbox()
    review = review_of(application, "DINKES")
    head = user("kepala.dinkes.btg@ptsp.local")
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(actor, decision, reasons):
        barrier.wait()
        try:
            review_decide(review_id=review.pk, actor=actor, decision=decision, reasons=reasons)
            outcomes.append(("ok", decision))
        except Conflict as exc:
            outcomes.append(("conflict", str(exc)))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(review.assignee, "recommend", "")),
        threading.Thread(target=decide, args=(head, "reject", "Lokasi di dalam rumah sakit")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o[0] for o in outcomes) == ["conflict", "ok"]
    review.refresh_from_db()
    decided = next(o[1] for o in outcomes if o[0] == "ok")
    assert review.status == {"recommend": "recommended", "reject": "rejected"}[decided]
    assert (
        Event.objects.filter(
            review=review, action__in=["review_recommend", "review_reject"]
        ).count()
        == 1
    )


def test_rejection_confirmed_by_the_signer(routed, run_outbox):
    dinkes = review_of(routed, "DINKES")
    review_decide(
        review_id=dinkes.pk,
        actor=dinkes.assignee,
        decision="reject",
        reasons="Apotek berada di dalam RS",
    )
    routed.refresh_from_db()
    assert routed.status == Status.REJECTION_PROPOSED
    assert Notification.objects.filter(recipient=user(SIGNER), kind="rejection_proposed").exists()
    with pytest.raises(NotAllowed):
        application_confirm_rejection(application_id=routed.pk, actor=user(VERIFIER))
    application_confirm_rejection(
        application_id=routed.pk, actor=user(SIGNER), note="Sesuai rekomendasi"
    )
    routed.refresh_from_db()
    assert routed.status == Status.REJECTED and routed.closed_at
    assert review_of(routed, "DLH").status == ReviewStatus.CANCELLED
    notice = Notification.objects.get(recipient=routed.applicant, kind="rejected")
    assert "Apotek berada di dalam RS" in notice.body


def test_rejection_sent_back_to_the_opd(routed):
    dinkes = review_of(routed, "DINKES")
    review_decide(
        review_id=dinkes.pk, actor=dinkes.assignee, decision="reject", reasons="Kurang lengkap"
    )
    with pytest.raises(DomainError):
        application_send_back_rejection(application_id=routed.pk, actor=user(SIGNER), note="")
    application_send_back_rejection(
        application_id=routed.pk, actor=user(SIGNER), note="Minta revisi saja"
    )
    dinkes.refresh_from_db()
    routed.refresh_from_db()
    assert dinkes.status == ReviewStatus.IN_REVIEW and routed.status == Status.IN_REVIEW
    assert Notification.objects.filter(
        recipient=dinkes.assignee, kind="rejection_sent_back"
    ).exists()


def test_head_reassigns_to_an_officer_of_the_agency_only(demo, run_outbox):
    application = submitted_application(agencies=("PUPR",), code="PBG-T")
    application_accept(
        application_id=application.pk, actor=user(VERIFIER), verdicts=all_accepted(application)
    )
    run_outbox()
    review = review_of(application, "PUPR")
    other = (
        User.objects.filter(memberships__agency=review.agency, memberships__role="officer")
        .exclude(pk=review.assignee_id)
        .first()
    )
    head = user("kepala.pupr.btg@ptsp.local")
    with pytest.raises(NotAllowed):
        review_reassign(review_id=review.pk, actor=review.assignee, assignee_id=other.pk)
    with pytest.raises(DomainError):
        review_reassign(
            review_id=review.pk, actor=head, assignee_id=user("petugas.dinkes.btg@ptsp.local").pk
        )
    review_reassign(review_id=review.pk, actor=head, assignee_id=other.pk)
    review.refresh_from_db()
    assert review.assignee == other
    assert Notification.objects.filter(recipient=other, kind="review_assigned").exists()


def test_a_scheduled_inspection_needs_a_result_or_a_cancellation_before_a_decision(
    demo, run_outbox
):
    """Issue 21 item 8. The refusal changes nothing; a cancellation needs its reason."""
    from datetime import timedelta

    from django.utils import timezone, translation

    from applications.models import ReviewStatus
    from applications.services.intake import application_accept
    from applications.services.reviews import inspection_cancel, inspection_schedule, review_decide
    from ptsp.errors import Conflict, DomainError
    from tests.journeys import all_accepted, submitted_application

    application = submitted_application()
    application_accept(
        application_id=application.pk,
        actor=User.objects.get(email="verifikator.btg@ptsp.local"),
        verdicts=all_accepted(application),
    )
    run_outbox()
    review = application.reviews.select_related("assignee").get(agency__code="DINKES")
    inspection = inspection_schedule(
        review_id=review.pk,
        actor=review.assignee,
        scheduled_for=timezone.now() + timedelta(days=1),
        place="Lokasi usaha",
    )
    events = application.events.count()
    for decision, reasons in (("recommend", ""), ("reject", "Tidak sesuai")):
        with pytest.raises(DomainError) as refused:
            review_decide(
                review_id=review.pk, actor=review.assignee, decision=decision, reasons=reasons
            )
        with translation.override("en"):
            assert "record its result, or cancel it" in str(refused.value.message)
        with translation.override("id"):
            assert "catat hasilnya" in str(refused.value.message)
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_REVIEW and application.events.count() == events
    with pytest.raises(DomainError):
        inspection_cancel(inspection_id=inspection.pk, actor=review.assignee, reason="  ")
    inspection.refresh_from_db()
    assert inspection.is_open
    inspection_cancel(
        inspection_id=inspection.pk, actor=review.assignee, reason="Pemohon menunda kunjungan"
    )
    with pytest.raises(Conflict):
        inspection_cancel(inspection_id=inspection.pk, actor=review.assignee, reason="Lagi")
    review_decide(review_id=review.pk, actor=review.assignee, decision="recommend")
    review.refresh_from_db()
    assert review.status == ReviewStatus.RECOMMENDED
    assert application.events.filter(action="inspection_cancelled").count() == 1
