"""Issue 18, a levied type's deemed approval: a demo PBG deemed approved by law while PUPR had
not assessed its levy. The DPMPTSP's treasurer assesses it from the application with the
type's tariff, which issues the SKRD and moves the file to awaiting payment; the payment
returns it to the signer (or, under `auto`, to the automatic issuance: one permit, one number).
Every refusal changes nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from applications.models import Event, LegalState, Notification, Status
from applications.sla.clock import stage_clocks
from applications.sla.sweep import sla_sweep
from applications.workflow import Action
from catalog.models import PermitTypeVersion
from fees.cases import assessment_inputs_from, deemed_levy_assess, levy_sweep
from fees.interest import add_months
from fees.models import Assessment, Bill, LevyPolicy
from fees.selectors import deemed_unbilled, region_local_date
from permits.models import Permit
from ptsp.errors import Conflict, DomainError, NotAllowed
from tests.journeys import applicant, demo_type, draft, pay_levy, route, submit

pytestmark = pytest.mark.django_db

TREASURER = "bendahara.btg@ptsp.local"
OTHER_TREASURER = "bendahara.plg@ptsp.local"
SIGNER = "kepala.btg@ptsp.local"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def deemed(demo):
    """A PBG of Bontang deemed approved by the sweep one hour after its legal deadline, PUPR's
    review closed by the deemed approval before any assessment."""
    app = route(submit(draft(demo_type("BTG", "PBG"), applicant())))
    assert sla_sweep(now=app.legal_due_at + timedelta(hours=1)).deemed == 1
    app.refresh_from_db()
    assert app.status == Status.RECOMMENDED and app.legal_state == LegalState.DEEMED
    assert not Assessment.objects.filter(application=app).exists()
    return app


def _treasurer(email=TREASURER):
    return User.objects.get(email=email)


def _unchanged(app):
    app.refresh_from_db()
    assert app.status == Status.RECOMMENDED
    assert not Bill.objects.filter(application=app).exists()
    assert not Assessment.objects.filter(application=app).exists()
    assert not Event.objects.filter(application=app, action=Action.BILL_DEEMED).exists()


def test_the_treasurer_lists_assesses_and_bills_it(deemed, login):
    client = login(TREASURER)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    listed = client.get(reverse("fees:deemed_levies"))
    assert listed.status_code == 200
    assert [r["pk"] for r in listed.context["rows"]] == [deemed.pk]
    assert deemed.tracking_number in listed.content.decode()
    assert "(1)" in client.get(reverse("fees:proofs")).content.decode()
    page = client.get(reverse("fees:deemed_levy", args=[deemed.pk]))
    assert page.status_code == 200
    assert "deemed approved by law" in page.content.decode()
    inputs = assessment_inputs_from(deemed)
    form = {k: v for k, v in inputs.items() if k != "infrastructure"}
    # "Compute" shows the steps and saves nothing.
    preview = client.post(reverse("fees:deemed_levy", args=[deemed.pk]), {**form, "action": ""})
    assert preview.status_code == 200 and preview.context["preview"]["total_text"]
    _unchanged(deemed)
    saved = client.post(reverse("fees:deemed_levy", args=[deemed.pk]), {**form, "action": "save"})
    assert saved.status_code == 302 and saved.url == reverse("fees:deemed_levies")
    deemed.refresh_from_db()
    assert deemed.status == Status.AWAITING_PAYMENT and deemed.due_at is None
    bill = Bill.objects.get(application=deemed)
    assert bill.status == Bill.Status.UNPAID and bill.total > 0
    assessment = Assessment.objects.get(application=deemed)
    assert assessment.assessed_by.email == TREASURER
    assert assessment.review is not None and assessment.review.agency.code == "PUPR"
    assert assessment.review.status == "closed_deemed"
    event = Event.objects.get(application=deemed, action=Action.BILL_DEEMED)
    assert event.actor.email == TREASURER
    told = Notification.objects.filter(application=deemed, recipient=deemed.applicant)
    assert told.filter(kind="skrd_issued").count() == 1
    assert client.get(reverse("fees:deemed_levies")).context["rows"] == []
    # The issuance clock (started by the deemed approval) stops while the applicant pays.
    issuance = next(c for c in stage_clocks(deemed) if c.kind == "issuance")
    assert issuance.state == "paused"


def test_the_payment_returns_it_to_the_signer(deemed, login):
    bill = deemed_levy_assess(
        application_id=deemed.pk,
        actor=_treasurer(),
        inputs=assessment_inputs_from(deemed),
    )
    assert bill.number.startswith("973/")
    app = pay_levy(deemed)
    assert app.status == Status.RECOMMENDED and app.due_at is not None
    issuance = next(c for c in stage_clocks(app) if c.kind == "issuance")
    assert issuance.state == "running"
    client = login(SIGNER)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    rows = client.get(reverse("permits:signing_queue")).context["applications"]
    row = next(r for r in rows if r["pk"] == app.pk)
    assert row["levy_waiting"] is False


def test_under_auto_the_payment_issues_one_permit(deemed, signing_cert, run_outbox):
    version = PermitTypeVersion.objects.get(pk=deemed.catalog_version_id)
    snapshot = version.snapshot
    snapshot["legal"]["policy"] = "auto"
    PermitTypeVersion.objects.filter(pk=version.pk).update(snapshot=snapshot)
    run_outbox()  # the deemed approval's automatic issuance waits for the levy
    deemed.refresh_from_db()
    assert deemed.status == Status.RECOMMENDED
    assert not Permit.objects.filter(application=deemed).exists()
    deemed_levy_assess(
        application_id=deemed.pk, actor=_treasurer(), inputs=assessment_inputs_from(deemed)
    )
    app = pay_levy(deemed)
    run_outbox()
    app.refresh_from_db()
    assert app.status == Status.ISSUED
    permit = Permit.objects.get(application=app)
    assert permit.number and permit.signer is None and permit.deemed_basis


def test_who_may_not_and_what_may_not_be_assessed(deemed):
    inputs = assessment_inputs_from(deemed)
    with pytest.raises(NotAllowed):
        deemed_levy_assess(
            application_id=deemed.pk, actor=User.objects.get(email=SIGNER), inputs=inputs
        )
    with pytest.raises(NotAllowed):
        deemed_levy_assess(
            application_id=deemed.pk, actor=_treasurer(OTHER_TREASURER), inputs=inputs
        )
    with pytest.raises(DomainError) as no_reason:
        deemed_levy_assess(
            application_id=deemed.pk, actor=_treasurer(), inputs={**inputs, "floors": "7"}
        )
    assert no_reason.value.code == "correction_reason"
    assert "floors" in str(no_reason.value.message)
    with pytest.raises(DomainError) as bad:
        deemed_levy_assess(
            application_id=deemed.pk,
            actor=_treasurer(),
            inputs={**inputs, "floor_area_m2": "-5"},
            reason="Measured on site",
        )
    assert bad.value.message
    _unchanged(deemed)


def test_a_second_save_and_a_file_not_deemed_are_refused(deemed, login):
    inputs = assessment_inputs_from(deemed)
    deemed_levy_assess(application_id=deemed.pk, actor=_treasurer(), inputs=inputs)
    with pytest.raises(Conflict) as again:
        deemed_levy_assess(application_id=deemed.pk, actor=_treasurer(), inputs=inputs)
    assert again.value.code == "not_deemed"  # it is awaiting payment now
    assert Bill.objects.filter(application=deemed).count() == 1
    assert Assessment.objects.filter(application=deemed).count() == 1
    # A file in review, not deemed: refused, and not on the list nor its page.
    open_file = route(submit(draft(demo_type("BTG", "PBG"), applicant())))
    with pytest.raises(Conflict) as not_deemed:
        deemed_levy_assess(
            application_id=open_file.pk,
            actor=_treasurer(),
            inputs=assessment_inputs_from(open_file),
        )
    assert not_deemed.value.code == "not_deemed"
    assert not Bill.objects.filter(application=open_file).exists()
    client = login(TREASURER)
    assert client.get(reverse("fees:deemed_levy", args=[open_file.pk])).status_code == 404
    assert client.get(reverse("fees:deemed_levy", args=[deemed.pk])).status_code == 404


def test_the_web_pages_refuse_other_roles_and_regions_and_show_errors(deemed, client, login):
    url = reverse("fees:deemed_levy", args=[deemed.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    login(SIGNER)
    assert client.get(url).status_code == 403
    assert client.get(reverse("fees:deemed_levies")).status_code == 403
    client.logout()
    login(OTHER_TREASURER)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "save"}).status_code == 404
    assert client.get(reverse("fees:deemed_levies")).context["rows"] == []
    client.logout()
    login(TREASURER)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    inputs = {k: v for k, v in assessment_inputs_from(deemed).items() if k != "infrastructure"}
    answer = client.post(url, {**inputs, "floors": "9", "action": "save"})
    assert answer.status_code == 200
    assert "Say why the inputs differ" in answer.content.decode()
    _unchanged(deemed)


def test_an_expired_bill_brings_it_back_to_the_treasurer(deemed):
    deemed_levy_assess(
        application_id=deemed.pk, actor=_treasurer(), inputs=assessment_inputs_from(deemed)
    )
    today = region_local_date(deemed.region)
    LevyPolicy.objects.filter(region=deemed.region).update(valid_from=add_months(today, -60))
    due = today - timedelta(days=31)
    Bill.objects.filter(application=deemed).update(
        issued_on=due - timedelta(days=30), due_date=due, expires_on=due + timedelta(days=30)
    )
    policy = LevyPolicy.objects.filter(region=deemed.region).first()
    assert policy.expired_bill_rule == LevyPolicy.ExpiredRule.REASSESS  # Bontang's demo rule
    assert levy_sweep()["expired"] == 1
    deemed.refresh_from_db()
    assert deemed.status == Status.RECOMMENDED and deemed.legal_state == LegalState.DEEMED
    assert deemed.closed_at is None  # still open: it waits for the new assessment
    assert Event.objects.filter(application=deemed, action=Action.BILL_EXPIRED_DEEMED).count() == 1
    notice = Notification.objects.get(recipient=deemed.applicant, kind="skrd_expired")
    # The deemed file's own words (no "assessing agency" to go back to), in either language.
    assert "stays deemed approved" in notice.body or "tetap dianggap dikabulkan" in notice.body
    assert "assessing agency" not in notice.body and "dinas yang menetapkan" not in notice.body
    assert [r["pk"] for r in deemed_unbilled(_treasurer())] == [deemed.pk]
    bill = deemed_levy_assess(
        application_id=deemed.pk, actor=_treasurer(), inputs=assessment_inputs_from(deemed)
    )
    assert bill.status == Bill.Status.UNPAID
    assert Bill.objects.filter(application=deemed).count() == 2
