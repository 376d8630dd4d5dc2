"""The SLA figures through the API: the same scope as the monitoring dashboard."""

from datetime import date, timedelta

import pytest

from accounts.models import User
from api.models import Scope
from api.services import api_token_create
from tests.api.conftest import APPLICANT, MONITOR, SIGNER, error

pytestmark = pytest.mark.django_db


def test_monitor_sees_every_opd_of_the_region(as_user, routed):
    api = as_user(MONITOR)
    response = api.get("/api/v1/monitoring/sla/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["region"] == "BTG"
    by_code = {row["agency"]["code"]: row for row in body["agencies"]}
    assert {"DINKES", "DLH", "PUPR"} <= set(by_code)
    assert by_code["DINKES"]["open"] >= 1
    assert as_user(SIGNER).get("/api/v1/monitoring/sla/").status_code == 200
    start, end = (date.today() - timedelta(days=90)).isoformat(), date.today().isoformat()
    period = api.get("/api/v1/monitoring/sla/", {"start": start, "end": end})
    assert period.json()["start"] == start
    backwards = api.get("/api/v1/monitoring/sla/", {"start": end, "end": start})
    assert backwards.status_code == 400 and "end" in error(backwards)["fields"]


def test_a_head_sees_only_their_agency_others_are_refused(as_user, demo):
    head = as_user("kepala.pupr.btg@ptsp.local").get("/api/v1/monitoring/sla/").json()
    assert [row["agency"]["code"] for row in head["agencies"]] == ["PUPR"]
    for email in (APPLICANT, "petugas.pupr.btg@ptsp.local", "verifikator.btg@ptsp.local"):
        assert as_user(email).get("/api/v1/monitoring/sla/").status_code == 403, email


def test_the_monitoring_scope_is_needed_with_a_token(api, demo):
    monitor = User.objects.get(email=MONITOR)
    _t, read_only = api_token_create(user=monitor, name="bi", scopes=[Scope.READ], actor=None)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_only}")
    assert error(api.get("/api/v1/monitoring/sla/"))["code"] == "scope_missing"
    _t, raw = api_token_create(user=monitor, name="bi", scopes=[Scope.MONITORING], actor=None)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/monitoring/sla/").status_code == 200
