"""The `auto` policy (issue 18 leftovers, item 2): a deemed approval issued with no person
signing, sealed by the region's own certificate; refused by the catalog for a region that signs
with a person's BSrE passphrase; back to the signer's queue when the configuration changed.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from agencies.models import Region
from applications.models import Event, LegalState, Notification
from applications.sla.sweep import sla_sweep
from applications.workflow import Action
from bsre.models import RegionBsreConfig
from oss.mapping import kd_status_for
from outbox.models import OutboxMessage
from permits.models import Permit, PermitCounter
from permits.rendering import permit_context
from permits.services.issuance import permit_issue_deemed
from permits.tasks import issue_deemed_permit
from tests.test_legal_deadlines import (
    SIGNER,
    accepted_file,
    at,
    calendar,
    legal_type,
    quiet_monday,
)

pytestmark = pytest.mark.django_db

BSRE_PASSWORD_ENV = "BSRE_TEST_AUTO_PASSWORD"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def bsre_for_btg(monkeypatch) -> None:
    """BTG signs with BSrE (the signer's passphrase at each signature); no call is made here."""
    monkeypatch.setenv(BSRE_PASSWORD_ENV, "pw")
    monkeypatch.setenv("BSRE_TEST_AUTO_SECRET", "secret")
    RegionBsreConfig.objects.update_or_create(
        region=Region.objects.get(code="BTG"),
        defaults={
            "enabled": True,
            "mode": "v2",
            "base_url": "http://127.0.0.1:9",
            "username": "ptsp",
            "password_env": BSRE_PASSWORD_ENV,
            "client_id": "ptsp",
            "client_secret_env": "BSRE_TEST_AUTO_SECRET",
            "token_url": "http://127.0.0.1:9/oauth/token",
        },
    )


def _deem(run_outbox):
    monday = quiet_monday(calendar())
    app = accepted_file(legal_type(policy="auto"), at(monday, 10), run_outbox)
    assert sla_sweep(now=app.legal_due_at + timedelta(hours=1)).deemed == 1
    run_outbox()
    app.refresh_from_db()
    return app


def test_the_catalog_accepts_auto_where_the_region_seals_locally(demo, signing_cert):
    ptype = legal_type(policy="auto")
    ptype.full_clean()
    assert ptype.versions.get().snapshot["legal"]["policy"] == "auto"


def test_the_catalog_refuses_auto_for_a_region_that_signs_with_bsre(
    demo, signing_cert, monkeypatch
):
    bsre_for_btg(monkeypatch)
    with pytest.raises(ValidationError) as refused:
        legal_type(policy="auto")  # permit_type_publish refuses: no version recorded
    assert "BSrE" in refused.value.message_dict["deemed_policy"][0]
    assert "passphrase" in refused.value.message_dict["deemed_policy"][0]


def test_a_deemed_file_under_auto_is_issued_sealed_and_says_so(
    demo, signing_cert, run_outbox, client
):
    app = _deem(run_outbox)
    assert app.status == "issued" and app.legal_state == LegalState.DEEMED
    permit = Permit.objects.get(application=app)
    assert permit.status == Permit.Status.VALID and permit.sha256
    assert permit.signer is None and permit.signer_name  # the office, no person
    assert "UU 30/2014" in permit.deemed_basis
    actions = list(app.events.order_by("at", "id").values_list("action", flat=True))
    assert actions.index(Action.DEEM_APPROVE) < actions.index(Action.ISSUE_DEEMED)
    assert actions.index(Action.ISSUE_DEEMED) < actions.index(Action.ISSUE)
    assert Event.objects.get(application=app, action=Action.ISSUE_DEEMED).actor is None
    # OSS hears 57 at the deemed approval, then 50 and the permit as for any issuance.
    assert kd_status_for(Action.DEEM_APPROVE) == "57" and kd_status_for(Action.ISSUE) == "50"
    told = Notification.objects.filter(application=app, recipient=app.applicant)
    assert {"deemed_approved", "issued"} <= set(told.values_list("kind", flat=True))
    deemed_note = told.get(kind="deemed_approved")  # in the applicant's language (id)
    assert "diterbitkan secara elektronik" in deemed_note.body
    # The PDF and the verification page state it.
    text = permit_context(permit)["deemed_text"]
    assert "fiktif positif" in text and permit.deemed_basis in text
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/verify/{permit.verification_token}/").content.decode()
    assert 'data-testid="deemed-basis"' in page and "Deemed approved by law" in page
    assert "electronic seal" in page


def test_a_redelivered_task_makes_one_permit_one_number(demo, signing_cert, run_outbox):
    app = _deem(run_outbox)
    permit = Permit.objects.get(application=app)
    issue_deemed_permit(app.pk)  # the broker delivers it again
    assert permit_issue_deemed(application_id=app.pk) == permit
    run_outbox()
    assert Permit.objects.filter(application=app).count() == 1
    assert sum(PermitCounter.objects.values_list("last_value", flat=True)) == 1
    assert Event.objects.filter(application=app, action=Action.ISSUE_DEEMED).count() == 1


def test_a_region_that_turned_to_bsre_since_falls_back_to_the_signers_queue(
    demo, signing_cert, run_outbox, monkeypatch
):
    monday = quiet_monday(calendar())
    app = accepted_file(legal_type(policy="auto"), at(monday, 10), run_outbox)
    bsre_for_btg(monkeypatch)  # the configuration changed after the type was published
    assert sla_sweep(now=app.legal_due_at + timedelta(hours=1)).deemed == 1
    run_outbox()
    app.refresh_from_db()
    assert app.status == "recommended" and app.legal_state == LegalState.DEEMED
    assert not Permit.objects.filter(application=app).exists()
    assert sum(PermitCounter.objects.values_list("last_value", flat=True)) == 0
    assert not Event.objects.filter(application=app, action=Action.ISSUE_DEEMED).exists()
    told = Notification.objects.get(
        application=app, kind="issuance_failed", recipient__email=SIGNER
    )
    assert "could not be issued automatically" in told.body and "BSrE" in told.body
    assert OutboxMessage.objects.filter(task_name="permits.tasks.issue_deemed_permit").count() == 1


def test_a_file_not_deemed_under_auto_is_left_alone(demo, signing_cert, run_outbox):
    monday = quiet_monday(calendar())
    app = accepted_file(legal_type(), at(monday, 10), run_outbox)  # policy signer
    assert sla_sweep(now=app.legal_due_at + timedelta(hours=1)).deemed == 1
    assert permit_issue_deemed(application_id=app.pk) is None
    app.refresh_from_db()
    assert app.status == "recommended"
    assert not Permit.objects.filter(application=app).exists()


def test_a_levied_file_deemed_before_its_levy_waits_for_it(demo, signing_cert, client, login):
    """The demo PBG (levied; sectoral 28 + 2 working days): deemed while PUPR had not assessed
    the levy. The signer's queue says it waits for the levy; signing it is refused by the levy
    gate (PP 16/2021) and the automatic path would wait: nothing is numbered."""
    from django.urls import reverse

    from accounts.models import User
    from applications.workflow import application_transition
    from ptsp.errors import Conflict
    from tests.journeys import applicant, demo_type, draft, route, submit

    app = route(submit(draft(demo_type("BTG", "PBG"), applicant())))
    assert sla_sweep(now=app.legal_due_at + timedelta(hours=1)).deemed == 1
    app.refresh_from_db()
    assert app.status == "recommended" and app.legal_state == LegalState.DEEMED
    login(SIGNER)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    rows = client.get(reverse("permits:signing_queue")).context["applications"]
    row = next(r for r in rows if r["pk"] == app.pk)
    assert row["levy_waiting"] is True
    page = client.get(reverse("permits:signing_queue")).content.decode()
    assert 'data-testid="levy-waiting"' in page and "Waiting for the levy" in page
    with pytest.raises(Conflict):
        application_transition(
            application_id=app.pk, action="start_issuance", actor=User.objects.get(email=SIGNER)
        )
    assert permit_issue_deemed(application_id=app.pk) is None
    app.refresh_from_db()
    assert app.status == "recommended"
    assert not Permit.objects.filter(application=app).exists()
