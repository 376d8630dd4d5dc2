"""Issue 21 item 1: every link in every notification opens a page its recipient may see.

One file goes through the whole workflow (returned, resubmitted, routed, revision asked and
answered, inspection, rejection proposed and sent back, recommended, issued, revoked, expiring,
survey), and files are left at intake, review and issuance for the SLA sweep to remind, escalate
and report. Then every recipient of every notification follows its "Open" link (in-app, the
same link as in the e-mail) and gets a page (200), never a 404 or 403.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from applications.models import Notification
from applications.services.intake import (
    application_accept,
    application_resubmit,
    application_return,
)
from applications.services.outcome import (
    application_confirm_rejection,
    application_send_back_rejection,
)
from applications.services.reviews import inspection_record, inspection_schedule, review_decide
from applications.services.revisions import revision_answer
from applications.sla.legal import legal_guard
from applications.sla.sweep import sla_sweep
from permits.services.issuance import permit_revoke, permits_remind_expiry
from tests.journeys import all_accepted, issued_permit, replace_document, submitted_application

pytestmark = pytest.mark.django_db

VERIFIER = "verifikator.btg@ptsp.local"
SIGNER = "kepala.btg@ptsp.local"


def _walk_one_file(run_outbox):
    verifier, signer = User.objects.get(email=VERIFIER), User.objects.get(email=SIGNER)
    application = submitted_application()
    docs = list(application.documents.filter(is_current=True))
    verdicts = all_accepted(application)
    verdicts[docs[0].pk] = {"verdict": "rejected", "note": "Buram"}
    application_return(application_id=application.pk, actor=verifier, verdicts=verdicts)
    replace_document(application, docs[0].requirement_code)
    application_resubmit(application_id=application.pk, actor=application.applicant)
    application_accept(
        application_id=application.pk, actor=verifier, verdicts=all_accepted(application)
    )
    run_outbox()
    dinkes = application.reviews.select_related("assignee").get(agency__code="DINKES")
    dlh = application.reviews.select_related("assignee").get(agency__code="DLH")
    review_decide(
        review_id=dinkes.pk,
        actor=dinkes.assignee,
        decision="request_revision",
        revision_items=[{"kind": "document", "key": "denah", "note": "Ukuran ruang"}],
    )
    replace_document(application, "denah")
    revision_answer(review_id=dinkes.pk, actor=application.applicant, note="Sudah")
    inspection = inspection_schedule(
        review_id=dinkes.pk,
        actor=dinkes.assignee,
        scheduled_for=timezone.now() + timedelta(days=1),
        place="Lokasi usaha",
    )
    inspection_record(inspection_id=inspection.pk, actor=dinkes.assignee, result="Sesuai")
    review_decide(review_id=dlh.pk, actor=dlh.assignee, decision="reject", reasons="Tidak sesuai")
    application_send_back_rejection(application_id=application.pk, actor=signer, note="Periksa")
    review_decide(review_id=dlh.pk, actor=dlh.assignee, decision="recommend")
    review_decide(review_id=dinkes.pk, actor=dinkes.assignee, decision="recommend")
    run_outbox()
    return application


def test_every_notification_link_opens_a_page_its_recipient_may_see(
    demo, signing_cert, run_outbox, client
):
    _walk_one_file(run_outbox)
    # Files waiting at each stage, swept when due, overdue and badly overdue.
    at_intake = submitted_application()
    in_review = submitted_application()
    application_accept(
        application_id=in_review.pk,
        actor=User.objects.get(email=VERIFIER),
        verdicts=all_accepted(in_review),
    )
    run_outbox()
    rejected = submitted_application()
    application_accept(
        application_id=rejected.pk,
        actor=User.objects.get(email=VERIFIER),
        verdicts=all_accepted(rejected),
    )
    run_outbox()
    dlh = rejected.reviews.select_related("assignee").get(agency__code="DLH")
    review_decide(review_id=dlh.pk, actor=dlh.assignee, decision="reject", reasons="Tidak sesuai")
    application_confirm_rejection(
        application_id=rejected.pk, actor=User.objects.get(email=SIGNER), note="Setuju"
    )
    run_outbox()
    permit = issued_permit(run_outbox)
    start = timezone.now()
    for half_days in range(1, 44):  # three weeks of sweeps, twice a day
        sla_sweep(now=start + timedelta(hours=12 * half_days))
    permit_revoke(permit_id=permit.pk, actor=User.objects.get(email=SIGNER), reason="Palsu")
    expiring = issued_permit(run_outbox)
    permits_remind_expiry(today=expiring.valid_until - timedelta(days=10))
    run_outbox()
    # A levied file (issue 17): billed (its SKRD notified), a proof of payment refused.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fees.cases import proof_refuse, proof_upload
    from tests.journeys import PDF, applicant, demo_type, draft, recommend, route, submit

    billed = recommend(route(submit(draft(demo_type("BTG", "PBG"), applicant())), run_outbox))
    proof = proof_upload(
        application_id=billed.pk,
        actor=billed.applicant,
        upload=SimpleUploadedFile("bukti.pdf", PDF, "application/pdf"),
        paid_on=billed.bills.first().issued_on,
    )
    proof_refuse(
        proof_id=proof.pk,
        actor=User.objects.get(email="bendahara.btg@ptsp.local"),
        reason="Nominal tidak sesuai",
    )
    run_outbox()
    # A recommendation awaiting the agency head's approval (issue 18), sent back once.
    from applications.services.reviews import review_head_decide

    staged = route(submit(draft(demo_type("BTG", "IOK"), applicant())), run_outbox)
    first = staged.reviews.select_related("assignee").get()
    review_decide(review_id=first.pk, actor=first.assignee, decision="recommend")
    second = staged.reviews.select_related("assignee").get(agency__code="DINKES")
    review_decide(review_id=second.pk, actor=second.assignee, decision="recommend")
    review_head_decide(
        review_id=second.pk,
        actor=User.objects.get(email="kepala.dinkes.btg@ptsp.local"),
        decision="send_back",
        note="Lengkapi BAP visitasi",
    )
    # Another one left with the head: the sweep reminds the head, then tells the monitors.
    waiting = route(submit(draft(demo_type("BTG", "IOK"), applicant())), run_outbox)
    first = waiting.reviews.select_related("assignee").get()
    review_decide(review_id=first.pk, actor=first.assignee, decision="recommend")
    second = waiting.reviews.select_related("assignee").get(agency__code="DINKES")
    review_decide(review_id=second.pk, actor=second.assignee, decision="recommend")
    later = timezone.now()
    # Three weeks, as above: the escalation comes three working days after the head's due
    # time, and from a Friday evening or before a holiday week that is well past a week.
    for half_days in range(1, 44):
        sla_sweep(now=later + timedelta(hours=12 * half_days))
    # A file left at intake past the 3rd working day before its document check's legal
    # deadline (issue 18): the verifiers and monitors are warned.
    from catalog.models import PermitType

    slow_check = PermitType.objects.get(pk=demo_type("BTG", "SIP-DU").pk)
    slow_check.legal_intake_days = max(5, slow_check.intake_days)
    if not slow_check.legal_deadline_basis:
        slow_check.legal_deadline_basis = "PP 28/2025 (nilai uji)"
    slow_check.full_clean()
    slow_check.save()
    from catalog.services import permit_type_publish

    permit_type_publish(permit_type=slow_check)
    submit(draft(slow_check, applicant()))
    for half_days in range(1, 16):
        sla_sweep(now=later + timedelta(hours=12 * half_days))
    # Late (an STRD), then expired (back to PUPR): the late-payment notices.
    from fees.cases import levy_sweep
    from fees.interest import add_months
    from fees.models import Bill, LevyPolicy
    from fees.selectors import region_local_date

    today = region_local_date(billed.region)
    LevyPolicy.objects.filter(region=billed.region).update(valid_from=add_months(today, -60))
    Bill.objects.filter(application=billed).update(
        due_date=today - timedelta(days=3), expires_on=today + timedelta(days=10)
    )
    levy_sweep()
    Bill.objects.filter(application=billed).update(expires_on=today - timedelta(days=1))
    levy_sweep()
    # Issue 18: a file that nobody decides by its legal deadline (SIP-DU: UU 30/2014's five
    # working days) is warned about and deemed approved.
    deemed = route(submit(draft(demo_type("BTG", "SIP-DU"), applicant())), run_outbox)
    deemed.refresh_from_db()
    legal_guard(now=deemed.legal_due_at - timedelta(hours=1))
    legal_guard(now=deemed.legal_due_at + timedelta(seconds=1))
    run_outbox()
    # Issue 18 part B: the applicant's correction period. A return never answered is reminded
    # and lapses; under a type that sends an unanswered revision back to the OPD, a revision
    # request never answered goes back to it.
    from applications.sla.corrections import corrections_sweep
    from catalog.services import permit_type_publish
    from tests.journeys import clinic_type

    lapsing = submitted_application()
    verdicts = all_accepted(lapsing)
    verdicts[next(iter(verdicts))] = {"verdict": "rejected", "note": "Buram"}
    application_return(
        application_id=lapsing.pk, actor=User.objects.get(email=VERIFIER), verdicts=verdicts
    )
    ptype = clinic_type()
    ptype.correction_end = "back_to_office"
    ptype.save()
    permit_type_publish(permit_type=ptype)
    unanswered = submitted_application()
    application_accept(
        application_id=unanswered.pk,
        actor=User.objects.get(email=VERIFIER),
        verdicts=all_accepted(unanswered),
    )
    run_outbox()
    asking = unanswered.reviews.select_related("assignee").get(agency__code="DINKES")
    review_decide(
        review_id=asking.pk,
        actor=asking.assignee,
        decision="request_revision",
        revision_items=[{"kind": "document", "key": "denah", "note": "Ukuran ruang"}],
    )
    later = timezone.now()
    for _day in range(60):  # two months of daily sweeps: reminders, then the ends
        later += timedelta(days=1)
        corrections_sweep(now=later)
    run_outbox()
    assert at_intake.pk

    notifications = list(Notification.objects.select_related("recipient", "application"))
    kinds = {n.kind for n in notifications}
    from applications.services.notifications import KINDS

    # Every kind but the failure of an issuance (tests/test_issuance.py) was sent here.
    assert KINDS - kinds == {"issuance_failed"}, KINDS - kinds
    checked = set()
    for notification in notifications:
        client.force_login(notification.recipient)
        response = client.get(reverse("applications:notification_open", args=[notification.pk]))
        assert response.status_code == 302, notification.kind
        target = response["Location"]
        page = client.get(target)
        assert page.status_code == 200, (
            notification.kind,
            notification.recipient.email,
            notification.url,
            target,
            page.status_code,
        )
        checked.add((notification.kind, notification.recipient.email))
    assert len(checked) > 20
    # The e-mails carry the same link.
    bodies = "\n".join(m.body for m in mail.outbox)
    assert "/notifications/" in bodies and "/open/" in bodies


def test_someone_elses_notification_is_not_found(demo, client):
    application = submitted_application()
    notification = Notification.objects.filter(application=application).first()
    client.force_login(User.objects.get(email=VERIFIER))
    url = reverse("applications:notification_open", args=[notification.pk])
    assert client.get(url).status_code == 404


def test_a_verifier_link_to_a_file_that_moved_on_still_opens(demo, run_outbox, client):
    """The verifier's SLA reminder names the intake page; once the file is routed the link
    still opens a page the verifier may see."""
    application = submitted_application()
    sla_sweep(now=application.due_at)
    notification = Notification.objects.get(kind="sla_due_today", recipient__email=VERIFIER)
    application_accept(
        application_id=application.pk,
        actor=User.objects.get(email=VERIFIER),
        verdicts=all_accepted(application),
    )
    client.force_login(notification.recipient)
    response = client.get(reverse("applications:notification_open", args=[notification.pk]))
    assert client.get(response["Location"]).status_code == 200
