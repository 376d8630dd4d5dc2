"""Issue 17, phase 2, step 1: a permit type names its levy tariff and the agency that assesses
it; both are frozen into the catalog version an application is filed under."""

import pytest
from django.core.exceptions import ValidationError

from agencies.models import Agency
from catalog.models import PermitType
from catalog.services import levy_of, permit_type_publish

pytestmark = pytest.mark.django_db


def test_the_demo_pbg_names_its_tariff_and_pupr_in_its_published_version(demo):
    pbg = PermitType.objects.get(region__code="BTG", code="PBG")
    snapshot = pbg.versions.order_by("-number").first().snapshot
    levy = levy_of(snapshot)
    assert levy["tariff_code"] == "PBG"
    assert levy["assessing_agency_code"] == "PUPR"
    assert levy["assessing_agency_id"] == pbg.assessing_agency_id
    assert pbg.assessing_agency.region_id == pbg.region_id


def test_a_type_without_levy_and_a_version_from_before_name_none(demo):
    sip = PermitType.objects.get(region__code="BTG", code="SIP-DU")
    assert levy_of(sip.versions.order_by("-number").first().snapshot) is None
    old = dict(PermitType.objects.get(region__code="BTG", code="PBG").versions.first().snapshot)
    old.pop("tariff_code")
    old.pop("assessing_agency_id")
    assert levy_of(old) is None


def test_changing_the_tariff_is_a_new_version_and_the_old_one_keeps_its_levy(demo):
    pbg = PermitType.objects.get(region__code="BTG", code="PBG")
    before = pbg.versions.order_by("-number").first()
    pbg.tariff_code = "PBG-2027"
    pbg.save()
    after = permit_type_publish(permit_type=pbg)
    assert after.number == before.number + 1
    assert levy_of(after.snapshot)["tariff_code"] == "PBG-2027"
    before.refresh_from_db()
    assert levy_of(before.snapshot)["tariff_code"] == "PBG"


def test_a_tariff_needs_an_assessing_agency_of_the_region(demo):
    pbg = PermitType.objects.get(region__code="BTG", code="PBG")
    pbg.assessing_agency = None
    with pytest.raises(ValidationError) as caught:
        pbg.full_clean()
    assert "assessing_agency" in caught.value.message_dict
    pbg.assessing_agency = Agency.objects.get(region__code="PLG", code="PUPR")
    with pytest.raises(ValidationError) as caught:
        pbg.full_clean()
    assert "assessing_agency" in caught.value.message_dict
    pbg.tariff_code = ""
    pbg.assessing_agency = Agency.objects.get(region__code="BTG", code="PUPR")
    with pytest.raises(ValidationError) as caught:
        pbg.full_clean()
    assert "tariff_code" in caught.value.message_dict


def test_the_catalog_page_of_a_levied_type_does_not_say_free(demo, client):
    from django.urls import reverse

    page = client.get(reverse("catalog:catalog_detail", args=["BTG", "PBG"]))
    fee = page.content.decode().split('id="fee">', 1)[1].split("</dd>", 1)[0]
    assert "SKRD" in fee and "PUPR" in fee


def test_a_levied_type_has_no_fixed_fee_beside_its_tariff(demo):
    pbg = PermitType.objects.get(region__code="BTG", code="PBG")
    pbg.fee_amount = 250000
    with pytest.raises(ValidationError) as caught:
        pbg.full_clean()
    assert "fee_amount" in caught.value.message_dict
    assert PermitType.objects.get(pk=pbg.pk).fee_amount == 0


def test_the_apis_catalog_gives_the_levy_instead_of_a_fee(demo, client):
    listed = client.get("/api/v1/catalog/?region=BTG", HTTP_ACCEPT_LANGUAGE="en").json()
    items = {item["code"]: item for item in listed["results"]}
    assert items["PBG"]["fee_amount"] is None
    assert items["PBG"]["levy"]["tariff_code"] == "PBG"
    assert items["PBG"]["levy"]["assessing_agency"] == "PUPR"
    assert "SKRD" in items["PBG"]["levy"]["note"]
    assert items["SIP-DU"]["levy"] is None and items["SIP-DU"]["fee_amount"] == 0
    detail = client.get("/api/v1/catalog/BTG/PBG/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert detail["fee_amount"] is None
    assert detail["levy"]["tariff_code"] == "PBG" and detail["levy"]["assessing_agency"] == "PUPR"
    free = client.get("/api/v1/catalog/BTG/SIP-DU/").json()
    assert free["levy"] is None and free["fee_amount"] == 0


def test_the_admin_shows_the_levy_and_does_not_edit_a_levied_fee(demo, client):
    from accounts.models import User

    admin = User.objects.create_superuser("root@ptsp.local", "a-long-admin-password")
    client.force_login(admin)
    pbg = PermitType.objects.get(region__code="BTG", code="PBG")
    listing = client.get("/admin/catalog/permittype/", HTTP_ACCEPT_LANGUAGE="en")
    assert listing.status_code == 200
    assert "Levy: tariff PBG, assessed by PUPR" in listing.content.decode()
    change = client.get(f"/admin/catalog/permittype/{pbg.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert change.status_code == 200
    assert 'name="fee_amount"' not in change.content.decode()  # read-only: the tariff rules
    sip = PermitType.objects.get(region__code="BTG", code="SIP-DU")
    other = client.get(f"/admin/catalog/permittype/{sip.pk}/change/")
    assert 'name="fee_amount"' in other.content.decode()
