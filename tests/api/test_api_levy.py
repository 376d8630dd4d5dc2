"""Issue 17: an unpaid levied file (a PBG) cannot be signed through the API either, even when
its status was forced to `recommended` behind the workflow's back; once paid, it can."""

import pytest

from applications.models import Application, Status
from permits.models import Permit
from tests.api.conftest import SIGNER
from tests.journeys import applicant, demo_type, draft, pay_levy, recommend, route, submit
from tests.stepup import step_up

pytestmark = pytest.mark.django_db


def test_an_unpaid_pbg_is_refused_by_the_api_and_signed_once_paid(as_user, demo, signing_cert):
    application = recommend(route(submit(draft(demo_type("BTG", "PBG"), applicant()))))
    assert application.status == Status.AWAITING_PAYMENT
    url = f"/api/v1/signing/{application.pk}/sign/"
    signer = as_user(SIGNER)
    waiting = signer.post(url, step_up(SIGNER), format="json")
    assert waiting.status_code in (404, 409), waiting.content
    assert application.pk not in [a["id"] for a in signer.get("/api/v1/signing/").json()["results"]]
    Application.objects.filter(pk=application.pk).update(status=Status.RECOMMENDED)
    forced = signer.post(url, step_up(SIGNER), format="json")
    assert forced.status_code == 409, forced.content
    assert "paid" in forced.content.decode() or "dibayar" in forced.content.decode()
    assert not Permit.objects.filter(application=application).exists()
    Application.objects.filter(pk=application.pk).update(status=Status.AWAITING_PAYMENT)
    application.refresh_from_db()
    pay_levy(application)
    signed = signer.post(url, step_up(SIGNER), format="json")
    assert signed.status_code in (200, 201, 202), signed.content
    assert Permit.objects.filter(application=application).exists()
