"""Staff see only their own region's data, in the admin and in the portal."""

import pytest
from django.urls import reverse

from agencies.models import Agency, Membership, Region
from agencies.selectors import regions_visible_to

pytestmark = pytest.mark.django_db


def test_region_admin_sees_only_own_region_in_the_admin(client, demo, login):
    login("monitor.btg@ptsp.local")
    page = client.get("/admin/agencies/agency/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Kota Bontang" in body or "BTG" in body
    assert "PLG" not in body
    plg_agency = Agency.objects.get(region__code="PLG", code="PUPR")
    response = client.get(f"/admin/agencies/agency/{plg_agency.pk}/change/")
    assert response.status_code == 302  # "does not exist" for another region's row
    assert (
        client.get(
            reverse("admin:agencies_agency_change", args=[plg_agency.pk]), follow=True
        ).status_code
        == 200
    )
    memberships = client.get("/admin/agencies/membership/").content.decode()
    assert "plg@ptsp.local" not in memberships and "btg@ptsp.local" in memberships


def test_region_admin_cannot_change_another_regions_agency(client, demo, login):
    login("monitor.btg@ptsp.local")
    plg_agency = Agency.objects.get(region__code="PLG", code="PUPR")
    response = client.post(
        f"/admin/agencies/agency/{plg_agency.pk}/change/",
        {
            "region": plg_agency.region_id,
            "code": "PUPR",
            "name": "Hijacked",
            "kind": "opd",
            "is_active": "on",
        },
    )
    assert response.status_code in (302, 403, 404)
    plg_agency.refresh_from_db()
    assert plg_agency.name != "Hijacked"


def test_region_admin_cannot_create_an_agency_in_another_region(client, demo, login):
    login("monitor.btg@ptsp.local")
    plg = Region.objects.get(code="PLG")
    response = client.post(
        "/admin/agencies/agency/add/",
        {"region": plg.pk, "code": "NEW", "name": "Dinas Baru", "kind": "opd", "is_active": "on"},
    )
    assert response.status_code == 200  # the form refuses the choice
    assert (
        "Select a valid choice" in response.content.decode() or "Pilih" in response.content.decode()
    )
    assert not Agency.objects.filter(code="NEW").exists()


def test_region_admin_cannot_see_another_regions_users(client, demo, login):
    login("monitor.btg@ptsp.local")
    body = client.get("/admin/accounts/user/?q=plg").content.decode()
    assert "verifikator.plg@ptsp.local" not in body


def test_officers_without_admin_access_are_refused_by_the_admin(client, demo, login):
    login("petugas.pupr.btg@ptsp.local")
    response = client.get("/admin/agencies/agency/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_regions_visible_to(demo):
    from accounts.models import User

    btg_monitor = User.objects.get(email="monitor.btg@ptsp.local")
    assert list(regions_visible_to(btg_monitor).values_list("code", flat=True)) == ["BTG"]
    admin = User.objects.get(email="admin@ptsp.local")
    assert set(regions_visible_to(admin).values_list("code", flat=True)) == {"BTG", "PLG"}


def test_membership_roles_fit_the_agency_kind(demo):
    from django.core.exceptions import ValidationError

    from accounts.models import User

    user = User.objects.get(email="budi.santoso@example.id")
    opd = Agency.objects.get(region__code="BTG", code="PUPR")
    with pytest.raises(ValidationError):
        Membership(user=user, agency=opd, role="signer").full_clean()
    dpmptsp = Agency.objects.get(region__code="BTG", code="DPMPTSP")
    with pytest.raises(ValidationError):
        Membership(user=user, agency=dpmptsp, role="officer").full_clean()
