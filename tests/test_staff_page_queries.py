"""The staff pages of the load test cost a fixed number of queries: the count is pinned, and it
stays the same whether the queue (or the file's history) holds a few rows or many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.journeys import submitted_application

pytestmark = pytest.mark.django_db

VERIFIER = "verifikator.btg@ptsp.local"


def queries_of(client, url: str) -> tuple[int, str]:
    """The number of queries of one GET of `url` (which must answer 200) and its HTML, in the
    steady state: a first GET fills the per-process reference cache (holidays, DPMPTSP name)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response.content.decode()


def test_intake_queue_queries_do_not_grow_with_the_queue(client, demo, login):
    files = [submitted_application() for _ in range(2)]
    login(VERIFIER)
    url = reverse("applications:intake_queue")
    few, _html = queries_of(client, url)
    files += [submitted_application() for _ in range(4)]
    many, html = queries_of(client, url)
    assert few == many <= 6  # + the region's BSrE configuration (issue 19)
    for application in files:
        assert application.tracking_number in html
    assert html.count("Klinik Sehat Sentosa") == 6
    assert html.count(str(files[0].permit_type.name)) == 6


def test_intake_check_queries_do_not_grow_with_the_history(client, demo, login):
    """A file returned once and resubmitted has more events and document versions than a fresh
    one; its check page costs the same queries."""
    from applications.services.intake import application_resubmit
    from tests.journeys import replace_document, return_for_a_blurred_plan

    fresh, returned = submitted_application(), submitted_application()
    return_for_a_blurred_plan(returned)
    replace_document(returned, "denah")
    application_resubmit(application_id=returned.pk, actor=returned.applicant)
    assert returned.events.count() > fresh.events.count()
    login(VERIFIER)
    few, _html = queries_of(client, reverse("applications:intake_check", args=[fresh.pk]))
    many, html = queries_of(client, reverse("applications:intake_check", args=[returned.pk]))
    assert few == many <= 12
    assert "Klinik Sehat Sentosa" in html and "Denah ruangan" in html


def test_review_page_queries_do_not_grow_with_inspections(client, demo, login, run_outbox):
    from datetime import timedelta

    from django.utils import timezone

    from applications.services.reviews import inspection_schedule

    application = routed_application(run_outbox)
    review = application.reviews.select_related("assignee").get(agency__code="DINKES")
    login(review.assignee.email)
    url = reverse("applications:review", args=[review.pk])
    none, _html = queries_of(client, url)

    def schedule(days: int) -> None:
        inspection_schedule(
            review_id=review.pk,
            actor=review.assignee,
            scheduled_for=timezone.now() + timedelta(days=days),
            place=f"Jl. Ahmad Yani No. {days}",
        )

    schedule(1)
    one, _html = queries_of(client, url)
    schedule(2)
    schedule(3)
    three, html = queries_of(client, url)
    assert none <= 13
    assert one == three == none + 1  # the inspections' photos, once
    assert "Jl. Ahmad Yani No. 3" in html
    assert reverse("applications:review_decision", args=[review.pk]) in html


def routed_application(run_outbox):
    """A submitted file accepted by the front office and routed to DINKES and DLH."""
    from accounts.models import User
    from applications.services.intake import application_accept
    from tests.journeys import all_accepted

    application = submitted_application()
    application_accept(
        application_id=application.pk,
        actor=User.objects.get(email=VERIFIER),
        verdicts=all_accepted(application),
    )
    run_outbox()
    return application


def test_inbox_queries_do_not_grow_with_the_inbox(client, demo, login, run_outbox):
    from applications.models import Review

    files = [routed_application(run_outbox) for _ in range(2)]
    officer = Review.objects.get(application=files[0], agency__code="DINKES").assignee
    login(officer.email)
    url = reverse("applications:inbox")
    few, _html = queries_of(client, url)
    files += [routed_application(run_outbox) for _ in range(6)]
    response = client.get(url)
    mine = Review.objects.filter(assignee=officer)
    assert len(response.context["reviews"]) == mine.count() >= 4
    many, html = queries_of(client, url)
    assert few == many <= 6  # + the region's BSrE configuration (issue 19)
    for review in mine.select_related("application"):
        assert review.application.tracking_number in html
    assert html.count("Klinik Sehat Sentosa") == mine.count()


SIGNER = "kepala.btg@ptsp.local"


def failed_issuance(application, signing_cert, run_outbox):
    """The signer signs; the certificate is gone when the task runs: the attempt fails, the
    application is back with the signer and its permit keeps the number and the error."""
    from pathlib import Path

    from accounts.models import User
    from permits.services.issuance import permit_issue

    permit_issue(application_id=application.pk, actor=User.objects.get(email=SIGNER))
    certificate = Path(signing_cert.SIGNING_CERT_PATH)
    certificate.rename(certificate.with_suffix(".away"))
    run_outbox()
    certificate.with_suffix(".away").rename(certificate)


def test_signing_queue_queries_do_not_grow_with_the_queue(
    client, demo, signing_cert, login, run_outbox
):
    from tests.journeys import recommended_application

    files = [recommended_application() for _ in range(2)]
    failed_issuance(files[1], signing_cert, run_outbox)
    login(SIGNER)
    url = reverse("permits:signing_queue")
    few, _html = queries_of(client, url)
    files += [recommended_application() for _ in range(4)]
    many, html = queries_of(client, url)
    assert few == many <= 6  # + the region's BSrE configuration (issue 19)
    for application in files:
        assert reverse("permits:sign", args=[application.pk]) in html
    assert html.count("status-rejected") == 1  # the failed attempt, on its row only
    row = html[html.index(files[1].tracking_number) :]
    assert row.index("status-rejected") < row.index(reverse("permits:sign", args=[files[1].pk]))


def test_sign_page_queries_are_the_same_with_or_without_a_permit(
    client, demo, signing_cert, login, run_outbox
):
    from accounts.models import User
    from permits.services.issuance import permit_issue
    from tests.journeys import recommended_application

    issued = recommended_application()
    permit_issue(application_id=issued.pk, actor=User.objects.get(email=SIGNER))
    run_outbox()
    failed = recommended_application()
    failed_issuance(failed, signing_cert, run_outbox)
    waiting = recommended_application()
    login(SIGNER)
    counts, pages = {}, {}
    for name, application in [("waiting", waiting), ("failed", failed), ("issued", issued)]:
        counts[name], pages[name] = queries_of(
            client, reverse("permits:sign", args=[application.pk])
        )
        assert application.tracking_number in pages[name]
    # + the region's BSrE configuration (issue 19)
    assert counts["waiting"] == counts["failed"] == counts["issued"] <= 7
    assert 'data-testid="sign-and-issue"' in pages["waiting"]
    assert 'data-testid="issuance-error"' in pages["failed"]
    assert failed.permit.number in pages["failed"]
    assert reverse("permits:revoke", args=[issued.permit.pk]) in pages["issued"]


def test_rejection_page_queries_do_not_grow_with_the_rejections(client, demo, login, run_outbox):
    from applications.services.reviews import review_decide

    def reject(application, *codes):
        for review in application.reviews.select_related("assignee").filter(agency__code__in=codes):
            review_decide(
                review_id=review.pk,
                actor=review.assignee,
                decision="reject",
                reasons=f"Ditolak oleh {review.agency.code}",
            )
        run_outbox()

    one, both = routed_application(run_outbox), routed_application(run_outbox)
    reject(one, "DINKES")
    reject(both, "DINKES", "DLH")
    login(SIGNER)
    few, _html = queries_of(client, reverse("applications:rejection", args=[one.pk]))
    many, html = queries_of(client, reverse("applications:rejection", args=[both.pk]))
    assert few == many <= 13
    assert "Ditolak oleh DINKES" in html and "Ditolak oleh DLH" in html


def test_intake_queue_marks_files_past_their_intake_deadline(client, demo, login):
    from datetime import timedelta

    from django.utils import timezone

    late, on_time = submitted_application(), submitted_application()
    late.due_at = timezone.now() - timedelta(hours=2)
    late.save(update_fields=["due_at"])
    on_time.due_at = timezone.now() + timedelta(days=1)
    on_time.save(update_fields=["due_at"])
    login(VERIFIER)
    html = client.get(reverse("applications:intake_queue")).content.decode()
    rows = {
        number: html.split(number, 1)[1].split("</tr>", 1)[0]
        for number in (late.tracking_number, on_time.tracking_number)
    }
    assert 'class="overdue"' in rows[late.tracking_number]
    assert 'class="overdue"' not in rows[on_time.tracking_number]
