"""Issue 17: tariffs and levy policies in the admin, per region. A region's admin (the monitor)
adds a new tariff version through the same service as code (supersede ends the version in
force; an overlap or an incomplete definition is refused with every message and nothing
written), sees and chooses only their own region's rows, and cannot edit stored numbers."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from fees.models import LevyPolicy, Tariff, TariffVersion
from fees.selectors import region_local_date, tariff_definition_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def monitor(demo):
    client = Client()
    client.force_login(User.objects.get(email="monitor.btg@ptsp.local"))
    return client


def _pbg(code="BTG"):
    tariff = Tariff.objects.get(region__code=code, code="PBG")
    return tariff, tariff.versions.order_by("-valid_from").first()


def _post(client, tariff, version, **changes):
    changed = changes.pop("definition", {})
    if isinstance(changed, str):
        definition = changed  # sent as typed
    else:
        definition = json.dumps({**tariff_definition_of(version), **changed})
    start = region_local_date(tariff.region) + timedelta(days=1)
    data = {
        "tariff": tariff.pk,
        "valid_from": start.isoformat(),
        "valid_until": "",
        "legal_basis": "Perkada SHST tahun berikut",
        "note": "",
        "definition": definition,
        "supersede": "on",
        **changes,
    }
    return client.post(reverse("admin:fees_tariffversion_add"), data), start


def test_a_new_shst_supersedes_the_version_in_force(monitor):
    tariff, current = _pbg()
    page = monitor.get(reverse("admin:fees_tariffversion_add"), {"copy": current.pk})
    assert page.status_code == 200
    assert json.loads(page.context["adminform"].form.initial["definition"])["shst"]
    response, start = _post(monitor, tariff, current, definition={"shst": "8000000"})
    assert response.status_code == 302, response.content.decode()[:2000]
    current.refresh_from_db()
    assert current.valid_until == start - timedelta(days=1)
    new = tariff.versions.get(valid_from=start)
    assert new.shst == 8_000_000 and new.pbg_indices.count() == current.pbg_indices.count()
    assert new.created_by.email == "monitor.btg@ptsp.local"


def test_an_overlap_or_a_bad_definition_is_refused_with_its_messages(monitor):
    tariff, current = _pbg()
    before = TariffVersion.objects.count()
    overlap, _start = _post(monitor, tariff, current, supersede="")
    assert overlap.status_code == 200 and "overlaps" in overlap.content.decode()
    bad, _start = _post(
        monitor,
        tariff,
        current,
        definition={
            "locality_index": "0.9",
            "indices": {**current_indices(current), "function": []},
        },
    )
    assert bad.status_code == 200
    errors = " ".join(bad.context["adminform"].form.non_field_errors())
    assert "0.5 %" in errors and "(If)" in errors  # every problem at once
    broken, _start = _post(monitor, tariff, current, definition="{not json")
    assert broken.status_code == 200
    assert TariffVersion.objects.count() == before
    current.refresh_from_db()
    assert current.valid_until is None


def current_indices(version):
    return tariff_definition_of(version)["indices"]


def test_another_regions_tariff_can_be_neither_seen_nor_chosen(monitor):
    tariff, current = _pbg("PLG")
    listing = monitor.get(reverse("admin:fees_tariffversion_changelist")).content.decode()
    assert "Palembang" not in listing
    page = monitor.get(reverse("admin:fees_tariffversion_change", args=[current.pk]))
    assert page.status_code in (302, 404)
    response, _start = _post(monitor, tariff, current)
    assert response.status_code == 200
    assert not tariff.versions.filter(legal_basis="Perkada SHST tahun berikut").exists()


def test_stored_numbers_and_policies_are_read_only(monitor, english):
    _tariff, current = _pbg()
    page = monitor.get(reverse("admin:fees_tariffversion_change", args=[current.pk]))
    assert page.status_code == 200 and 'name="definition"' not in page.content.decode()
    posted = monitor.post(
        reverse("admin:fees_tariffversion_change", args=[current.pk]), {"legal_basis": "x"}
    )
    assert posted.status_code == 403
    # A saved policy's rules stay as they are; only its late-interest account may be set.
    policy = LevyPolicy.objects.get(region__code="BTG")
    url = reverse("admin:fees_levypolicy_change", args=[policy.pk])
    form = monitor.get(url).content.decode()
    assert 'name="interest_account_code"' in form and 'name="payment_due_days"' not in form
    monitor.post(
        url, {"payment_due_days": 1, "interest_account_code": policy.interest_account_code}
    )
    policy.refresh_from_db()
    assert policy.payment_due_days == 30
    refused = monitor.post(url, {"interest_account_code": "denda"})
    assert refused.status_code == 200
    assert "digits separated by dots" in refused.content.decode()
    assert (
        LevyPolicy.objects.get(pk=policy.pk).interest_account_code == policy.interest_account_code
    )
    assert monitor.post(url, {"interest_account_code": "4.1.04.16.02"}).status_code == 302
    assert LevyPolicy.objects.get(pk=policy.pk).interest_account_code == "4.1.04.16.02"


def test_a_levy_policy_overlapping_is_refused_and_a_next_one_is_added(monitor):
    policy = LevyPolicy.objects.get(region__code="BTG")
    data = {
        "region": policy.region_id,
        "valid_from": policy.valid_from.isoformat(),
        "valid_until": "",
        "legal_basis": "Perda baru",
        "payment_due_days": 30,
        "interest_rate_percent": "1",
        "interest_max_months": 24,
        "partial_month_counts_as_full": "on",
        "payable_days_after_due": 60,
        "expired_bill_rule": "close",
        "billing_prefix": "6474",
    }
    url = reverse("admin:fees_levypolicy_add")
    refused = monitor.post(url, data)
    assert refused.status_code == 200 and LevyPolicy.objects.filter(region__code="BTG").count() == 1
    LevyPolicy.objects.filter(pk=policy.pk).update(
        valid_until=region_local_date(policy.region) + timedelta(days=30)
    )
    start = region_local_date(policy.region) + timedelta(days=31)
    added = monitor.post(url, {**data, "valid_from": start.isoformat()})
    assert added.status_code == 302
    assert LevyPolicy.objects.get(region__code="BTG", valid_from=start).payable_days_after_due == 60
